package charset

// punjabiLocking is TS 23.038 Annex A.3.10, Punjabi National Language
// Locking Shift Table. Code 0x1B is the escape to the single-shift table and
// is left undefined here. As printed in the spec, 0x28 is ')' and 0x29 is
// '(' (the reverse of the default alphabet); 0x2C is ',' as in the default
// alphabet.
var punjabiLocking = fromString("" +
	"\u0A01\u0A02\u0A03\u0A05\u0A06\u0A07\u0A08\u0A09\u0A0A\x00\n\x00\x00\r\x00\u0A0F" + // 0x00
	"\u0A10\x00\x00\u0A13\u0A14\u0A15\u0A16\u0A17\u0A18\u0A19\u0A1A\x00\u0A1B\u0A1C\u0A1D\u0A1E" + // 0x10
	" !\u0A1F\u0A20\u0A21\u0A22\u0A23\u0A24)(\u0A25\u0A26,\u0A27.\u0A28" + // 0x20
	"0123456789:;\x00\u0A2A\u0A2B?" + // 0x30
	"\u0A2C\u0A2D\u0A2E\u0A2F\u0A30\x00\u0A32\u0A33\x00\u0A35\u0A36\x00\u0A38\u0A39\u0A3C\x00" + // 0x40
	"\u0A3E\u0A3F\u0A40\u0A41\u0A42\x00\x00\x00\x00\u0A47\u0A48\x00\x00\u0A4B\u0A4C\u0A4D" + // 0x50
	"\u0A51abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0A70\u0A71\u0A72\u0A73\u0A74") // 0x70

// punjabiSingle is TS 23.038 Annex A.2.10, Punjabi National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined. As printed in the
// spec, '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
var punjabiSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0964\u0965\x00\u0A66\u0A67\u0A68\u0A69" + // 0x10
	"\u0A6A\u0A6B\u0A6C\u0A6D\u0A6E\u0A6F\u0A59\u0A5A{}\u0A5B\u0A5C\u0A5E\u0A75\x00\\" + // 0x20
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Punjabi] = &punjabiLocking
	Single[Punjabi] = &punjabiSingle
}
