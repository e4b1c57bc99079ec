package charset

// bengaliLocking is TS 23.038 Annex A.3.4, Bengali National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here. As printed in the spec, 0x28 is ')' and 0x29 is '(' (the
// reverse of the default alphabet); 0x2C is ',' as in the default alphabet.
var bengaliLocking = fromString("" +
	"\u0981\u0982\u0983\u0985\u0986\u0987\u0988\u0989\u098A\u098B\n\u098C\x00\r\x00\u098F" + // 0x00
	"\u0990\x00\x00\u0993\u0994\u0995\u0996\u0997\u0998\u0999\u099A\x00\u099B\u099C\u099D\u099E" + // 0x10
	" !\u099F\u09A0\u09A1\u09A2\u09A3\u09A4)(\u09A5\u09A6,\u09A7.\u09A8" + // 0x20
	"0123456789:;\x00\u09AA\u09AB?" + // 0x30
	"\u09AC\u09AD\u09AE\u09AF\u09B0\x00\u09B2\x00\x00\x00\u09B6\u09B7\u09B8\u09B9\u09BC\u09BD" + // 0x40
	"\u09BE\u09BF\u09C0\u09C1\u09C2\u09C3\u09C4\x00\x00\u09C7\u09C8\x00\x00\u09CB\u09CC\u09CD" + // 0x50
	"\u09CEabcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u09D7\u09DC\u09DD\u09F0\u09F1") // 0x70

// bengaliSingle is TS 23.038 Annex A.2.4, Bengali National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined. As printed in the
// spec, '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
var bengaliSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u09E6\u09E7\x00\u09E8\u09E9\u09EA\u09EB" + // 0x10
	"\u09EC\u09ED\u09EE\u09EF\u09DF\u09E0\u09E1\u09E2{}\u09E3\u09F2\u09F3\u09F4\u09F5\\" + // 0x20
	"\u09F6\u09F7\u09F8\u09F9\u09FA\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Bengali] = &bengaliLocking
	Single[Bengali] = &bengaliSingle
}
