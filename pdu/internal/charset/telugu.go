package charset

// teluguLocking is TS 23.038 Annex A.3.12, Telugu National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here. As printed in the spec, 0x28 is ')' and 0x29 is '(' (the
// reverse of the default alphabet); 0x2C is ',' as in the default alphabet.
var teluguLocking = fromString("" +
	"\u0C01\u0C02\u0C03\u0C05\u0C06\u0C07\u0C08\u0C09\u0C0A\u0C0B\n\u0C0C\x00\r\u0C0E\u0C0F" + // 0x00
	"\u0C10\x00\u0C12\u0C13\u0C14\u0C15\u0C16\u0C17\u0C18\u0C19\u0C1A\x00\u0C1B\u0C1C\u0C1D\u0C1E" + // 0x10
	" !\u0C1F\u0C20\u0C21\u0C22\u0C23\u0C24)(\u0C25\u0C26,\u0C27.\u0C28" + // 0x20
	"0123456789:;\x00\u0C2A\u0C2B?" + // 0x30
	"\u0C2C\u0C2D\u0C2E\u0C2F\u0C30\u0C31\u0C32\u0C33\x00\u0C35\u0C36\u0C37\u0C38\u0C39\x00\u0C3D" + // 0x40
	"\u0C3E\u0C3F\u0C40\u0C41\u0C42\u0C43\u0C44\x00\u0C46\u0C47\u0C48\x00\u0C4A\u0C4B\u0C4C\u0C4D" + // 0x50
	"\u0C55abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0C56\u0C60\u0C61\u0C62\u0C63") // 0x70

// teluguSingle is TS 23.038 Annex A.2.12, Telugu National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined. As printed in the
// spec, '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
//
// Codes 0x22 and 0x23 are U+0C6C and U+0C6D, TELUGU DIGIT SIX and SEVEN, as
// in V18.0.0 (earlier editions printed the Arabic-script U+06CC and U+06CD).
// Unlike the other Indic single-shift tables, the spec's Telugu table has no
// '€' at 0x65, and neither has this one.
var teluguSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\x00\x00\x00\u0C66\u0C67\u0C68\u0C69" + // 0x10
	"\u0C6A\u0C6B\u0C6C\u0C6D\u0C6E\u0C6F\u0C58\u0C59{}\u0C78\u0C79\u0C7A\u0C7B\u0C7C\\" + // 0x20
	"\u0C7D\u0C7E\u0C7F\x00\x00\x00\x00\x00\x00\x00\x00\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Telugu] = &teluguLocking
	Single[Telugu] = &teluguSingle
}
