package charset

// urduLocking is TS 23.038 Annex A.3.13, Urdu National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here. As printed in the spec, 0x28 is ')' and 0x29 is '(' (the
// reverse of the default alphabet); 0x2C is ',' as in the default alphabet.
var urduLocking = fromString("" +
	"\u0627\u0622\u0628\u067B\u0680\u067E\u06A6\u062A\u06C2\u067F\n\u0679\u067D\r\u067A\u067C" + // 0x00
	"\u062B\u062C\u0681\u0684\u0683\u0685\u0686\u0687\u062D\u062E\u062F\x00\u068C\u0688\u0689\u068A" + // 0x10
	" !\u068F\u068D\u0630\u0631\u0691\u0693)(\u0699\u0632,\u0696.\u0698" + // 0x20
	"0123456789:;\u069A\u0633\u0634?" + // 0x30
	"\u0635\u0636\u0637\u0638\u0639\u0641\u0642\u06A9\u06AA\u06AB\u06AF\u06B3\u06B1\u0644\u0645\u0646" + // 0x40
	"\u06BA\u06BB\u06BC\u0648\u06C4\u06D5\u06C1\u06BE\u0621\u06CC\u06D0\u06D2\u064D\u0650\u064F\u0657" + // 0x50
	"\u0654abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0655\u0651\u0653\u0656\u0670") // 0x70

// urduSingle is TS 23.038 Annex A.2.13, Urdu National Language Single Shift
// Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D (CR2)
// and 0x1B (SS2) are reserved and left undefined. As printed in the spec,
// '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
var urduSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0600\u0601\x00\u06F0\u06F1\u06F2\u06F3" + // 0x10
	"\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9\u060C\u060D{}\u060E\u060F\u0610\u0611\u0612\\" + // 0x20
	"\u0613\u0614\u061B\u061F\u0640\u0652\u0658\u066B\u066C\u0672\u0673\u06CD[~]\u06D4" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Urdu] = &urduLocking
	Single[Urdu] = &urduSingle
}
