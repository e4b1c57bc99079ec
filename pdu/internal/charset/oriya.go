package charset

// oriyaLocking is TS 23.038 Annex A.3.9, Oriya National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here. As printed in the spec, 0x28 is ')' and 0x29 is '(' (the
// reverse of the default alphabet); 0x2C is ',' as in the default alphabet.
var oriyaLocking = fromString("" +
	"\u0B01\u0B02\u0B03\u0B05\u0B06\u0B07\u0B08\u0B09\u0B0A\u0B0B\n\u0B0C\x00\r\x00\u0B0F" + // 0x00
	"\u0B10\x00\x00\u0B13\u0B14\u0B15\u0B16\u0B17\u0B18\u0B19\u0B1A\x00\u0B1B\u0B1C\u0B1D\u0B1E" + // 0x10
	" !\u0B1F\u0B20\u0B21\u0B22\u0B23\u0B24)(\u0B25\u0B26,\u0B27.\u0B28" + // 0x20
	"0123456789:;\x00\u0B2A\u0B2B?" + // 0x30
	"\u0B2C\u0B2D\u0B2E\u0B2F\u0B30\x00\u0B32\u0B33\x00\u0B35\u0B36\u0B37\u0B38\u0B39\u0B3C\u0B3D" + // 0x40
	"\u0B3E\u0B3F\u0B40\u0B41\u0B42\u0B43\u0B44\x00\x00\u0B47\u0B48\x00\x00\u0B4B\u0B4C\u0B4D" + // 0x50
	"\u0B56abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0B57\u0B60\u0B61\u0B62\u0B63") // 0x70

// oriyaSingle is TS 23.038 Annex A.2.9, Oriya National Language Single Shift
// Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D (CR2)
// and 0x1B (SS2) are reserved and left undefined. As printed in the spec,
// '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
var oriyaSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0964\u0965\x00\u0B66\u0B67\u0B68\u0B69" + // 0x10
	"\u0B6A\u0B6B\u0B6C\u0B6D\u0B6E\u0B6F\u0B5C\u0B5D{}\u0B5F\u0B70\u0B71\x00\x00\\" + // 0x20
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Oriya] = &oriyaLocking
	Single[Oriya] = &oriyaSingle
}
