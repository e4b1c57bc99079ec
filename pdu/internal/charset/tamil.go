package charset

// tamilLocking is TS 23.038 Annex A.3.11, Tamil National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here. As printed in the spec, 0x28 is ')' and 0x29 is '(' (the
// reverse of the default alphabet); 0x2C is ',' as in the default alphabet.
var tamilLocking = fromString("" +
	"\x00\u0B82\u0B83\u0B85\u0B86\u0B87\u0B88\u0B89\u0B8A\x00\n\x00\x00\r\u0B8E\u0B8F" + // 0x00
	"\u0B90\x00\u0B92\u0B93\u0B94\u0B95\x00\x00\x00\u0B99\u0B9A\x00\x00\u0B9C\x00\u0B9E" + // 0x10
	" !\u0B9F\x00\x00\x00\u0BA3\u0BA4)(\x00\x00,\x00.\u0BA8" + // 0x20
	"0123456789:;\u0BA9\u0BAA\x00?" + // 0x30
	"\x00\x00\u0BAE\u0BAF\u0BB0\u0BB1\u0BB2\u0BB3\u0BB4\u0BB5\u0BB6\u0BB7\u0BB8\u0BB9\x00\x00" + // 0x40
	"\u0BBE\u0BBF\u0BC0\u0BC1\u0BC2\x00\x00\x00\u0BC6\u0BC7\u0BC8\x00\u0BCA\u0BCB\u0BCC\u0BCD" + // 0x50
	"\u0BD0abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0BD7\u0BF0\u0BF1\u0BF2\u0BF9") // 0x70

// tamilSingle is TS 23.038 Annex A.2.11, Tamil National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined. As printed in the
// spec, '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
//
// Code 0x24 is U+0BEE TAMIL DIGIT EIGHT, as in V18.0.0 (earlier editions
// printed U+0BEF, duplicating 0x25).
var tamilSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0964\u0965\x00\u0BE6\u0BE7\u0BE8\u0BE9" + // 0x10
	"\u0BEA\u0BEB\u0BEC\u0BED\u0BEE\u0BEF\u0BF3\u0BF4{}\u0BF5\u0BF6\u0BF7\u0BF8\u0BFA\\" + // 0x20
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Tamil] = &tamilLocking
	Single[Tamil] = &tamilSingle
}
