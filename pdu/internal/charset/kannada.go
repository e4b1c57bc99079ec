package charset

// kannadaLocking is TS 23.038 Annex A.3.7, Kannada National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here. As printed in the spec, 0x28 is ')' and 0x29 is '(' (the
// reverse of the default alphabet); 0x2C is ',' as in the default alphabet.
//
// Code 0x24 is U+0CA1 KANNADA LETTER DDA. The spec (V16.0.0 and V18.0.0
// alike) prints U+0CAA KANNADA LETTER PA there, which duplicates 0x3D and
// leaves DDA out of the alphabetical run 0x22 to 0x26 (TTA, TTHA, -, DDHA,
// NNA); this is taken as a typo, as Android's GsmAlphabet also does.
var kannadaLocking = fromString("" +
	"\x00\u0C82\u0C83\u0C85\u0C86\u0C87\u0C88\u0C89\u0C8A\u0C8B\n\u0C8C\x00\r\u0C8E\u0C8F" + // 0x00
	"\u0C90\x00\u0C92\u0C93\u0C94\u0C95\u0C96\u0C97\u0C98\u0C99\u0C9A\x00\u0C9B\u0C9C\u0C9D\u0C9E" + // 0x10
	" !\u0C9F\u0CA0\u0CA1\u0CA2\u0CA3\u0CA4)(\u0CA5\u0CA6,\u0CA7.\u0CA8" + // 0x20
	"0123456789:;\x00\u0CAA\u0CAB?" + // 0x30
	"\u0CAC\u0CAD\u0CAE\u0CAF\u0CB0\u0CB1\u0CB2\u0CB3\x00\u0CB5\u0CB6\u0CB7\u0CB8\u0CB9\u0CBC\u0CBD" + // 0x40
	"\u0CBE\u0CBF\u0CC0\u0CC1\u0CC2\u0CC3\u0CC4\x00\u0CC6\u0CC7\u0CC8\x00\u0CCA\u0CCB\u0CCC\u0CCD" + // 0x50
	"\u0CD5abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0CD6\u0CE0\u0CE1\u0CE2\u0CE3") // 0x70

// kannadaSingle is TS 23.038 Annex A.2.7, Kannada National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined. As printed in the
// spec, '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
var kannadaSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0964\u0965\x00\u0CE6\u0CE7\u0CE8\u0CE9" + // 0x10
	"\u0CEA\u0CEB\u0CEC\u0CED\u0CEE\u0CEF\u0CDE\u0CF1{}\u0CF2\x00\x00\x00\x00\\" + // 0x20
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Kannada] = &kannadaLocking
	Single[Kannada] = &kannadaSingle
}
