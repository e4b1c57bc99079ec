package charset

// malayalamLocking is TS 23.038 Annex A.3.8, Malayalam National Language
// Locking Shift Table. Code 0x1B is the escape to the single-shift table and
// is left undefined here. As printed in the spec, 0x28 is ')' and 0x29 is
// '(' (the reverse of the default alphabet); 0x2C is ',' as in the default
// alphabet.
var malayalamLocking = fromString("" +
	"\x00\u0D02\u0D03\u0D05\u0D06\u0D07\u0D08\u0D09\u0D0A\u0D0B\n\u0D0C\x00\r\u0D0E\u0D0F" + // 0x00
	"\u0D10\x00\u0D12\u0D13\u0D14\u0D15\u0D16\u0D17\u0D18\u0D19\u0D1A\x00\u0D1B\u0D1C\u0D1D\u0D1E" + // 0x10
	" !\u0D1F\u0D20\u0D21\u0D22\u0D23\u0D24)(\u0D25\u0D26,\u0D27.\u0D28" + // 0x20
	"0123456789:;\x00\u0D2A\u0D2B?" + // 0x30
	"\u0D2C\u0D2D\u0D2E\u0D2F\u0D30\u0D31\u0D32\u0D33\u0D34\u0D35\u0D36\u0D37\u0D38\u0D39\x00\u0D3D" + // 0x40
	"\u0D3E\u0D3F\u0D40\u0D41\u0D42\u0D43\u0D44\x00\u0D46\u0D47\u0D48\x00\u0D4A\u0D4B\u0D4C\u0D4D" + // 0x50
	"\u0D57abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0D60\u0D61\u0D62\u0D63\u0D79") // 0x70

// malayalamSingle is TS 23.038 Annex A.2.8, Malayalam National Language
// Single Shift Table, reached through the escape code 0x1B. 0x0A is FORM
// FEED; 0x0D (CR2) and 0x1B (SS2) are reserved and left undefined. As
// printed in the spec, '¡' appears at both 0x13 and 0x15 and '*' at both
// 0x0B and 0x18; the duplicates are kept (an encoder should use the lower
// code).
var malayalamSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0964\u0965\x00\u0D66\u0D67\u0D68\u0D69" + // 0x10
	"\u0D6A\u0D6B\u0D6C\u0D6D\u0D6E\u0D6F\u0D70\u0D71{}\u0D72\u0D73\u0D74\u0D75\u0D7A\\" + // 0x20
	"\u0D7B\u0D7C\u0D7D\u0D7E\u0D7F\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Malayalam] = &malayalamLocking
	Single[Malayalam] = &malayalamSingle
}
