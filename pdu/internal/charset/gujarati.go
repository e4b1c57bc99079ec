package charset

// gujaratiLocking is TS 23.038 Annex A.3.5, Gujarati National Language
// Locking Shift Table. Code 0x1B is the escape to the single-shift table and
// is left undefined here. As printed in the spec, 0x28 is ')' and 0x29 is
// '(' (the reverse of the default alphabet); 0x2C is ',' as in the default
// alphabet.
var gujaratiLocking = fromString("" +
	"\u0A81\u0A82\u0A83\u0A85\u0A86\u0A87\u0A88\u0A89\u0A8A\u0A8B\n\u0A8C\u0A8D\r\x00\u0A8F" + // 0x00
	"\u0A90\u0A91\x00\u0A93\u0A94\u0A95\u0A96\u0A97\u0A98\u0A99\u0A9A\x00\u0A9B\u0A9C\u0A9D\u0A9E" + // 0x10
	" !\u0A9F\u0AA0\u0AA1\u0AA2\u0AA3\u0AA4)(\u0AA5\u0AA6,\u0AA7.\u0AA8" + // 0x20
	"0123456789:;\x00\u0AAA\u0AAB?" + // 0x30
	"\u0AAC\u0AAD\u0AAE\u0AAF\u0AB0\x00\u0AB2\u0AB3\x00\u0AB5\u0AB6\u0AB7\u0AB8\u0AB9\u0ABC\u0ABD" + // 0x40
	"\u0ABE\u0ABF\u0AC0\u0AC1\u0AC2\u0AC3\u0AC4\u0AC5\x00\u0AC7\u0AC8\u0AC9\x00\u0ACB\u0ACC\u0ACD" + // 0x50
	"\u0AD0abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0AE0\u0AE1\u0AE2\u0AE3\u0AF1") // 0x70

// gujaratiSingle is TS 23.038 Annex A.2.5, Gujarati National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined. As printed in the
// spec, '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
var gujaratiSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0964\u0965\x00\u0AE6\u0AE7\u0AE8\u0AE9" + // 0x10
	"\u0AEA\u0AEB\u0AEC\u0AED\u0AEE\u0AEF\x00\x00{}\x00\x00\x00\x00\x00\\" + // 0x20
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Gujarati] = &gujaratiLocking
	Single[Gujarati] = &gujaratiSingle
}
