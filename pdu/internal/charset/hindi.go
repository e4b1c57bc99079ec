package charset

// hindiLocking is TS 23.038 Annex A.3.6, Hindi National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here. As printed in the spec, 0x28 is ')' and 0x29 is '(' (the
// reverse of the default alphabet); 0x2C is ',' as in the default alphabet.
var hindiLocking = fromString("" +
	"\u0901\u0902\u0903\u0905\u0906\u0907\u0908\u0909\u090A\u090B\n\u090C\u090D\r\u090E\u090F" + // 0x00
	"\u0910\u0911\u0912\u0913\u0914\u0915\u0916\u0917\u0918\u0919\u091A\x00\u091B\u091C\u091D\u091E" + // 0x10
	" !\u091F\u0920\u0921\u0922\u0923\u0924)(\u0925\u0926,\u0927.\u0928" + // 0x20
	"0123456789:;\u0929\u092A\u092B?" + // 0x30
	"\u092C\u092D\u092E\u092F\u0930\u0931\u0932\u0933\u0934\u0935\u0936\u0937\u0938\u0939\u093C\u093D" + // 0x40
	"\u093E\u093F\u0940\u0941\u0942\u0943\u0944\u0945\u0946\u0947\u0948\u0949\u094A\u094B\u094C\u094D" + // 0x50
	"\u0950abcdefghijklmno" + // 0x60
	"pqrstuvwxyz\u0972\u097B\u097C\u097E\u097F") // 0x70

// hindiSingle is TS 23.038 Annex A.2.6, Hindi National Language Single Shift
// Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D (CR2)
// and 0x1B (SS2) are reserved and left undefined. As printed in the spec,
// '¡' appears at both 0x13 and 0x15 and '*' at both 0x0B and 0x18; the
// duplicates are kept (an encoder should use the lower code).
var hindiSingle = fromString("" +
	"@£$¥¿\"¤%&'\f*+\x00-/" + // 0x00
	"<=>¡^¡_#*\u0964\u0965\x00\u0966\u0967\u0968\u0969" + // 0x10
	"\u096A\u096B\u096C\u096D\u096E\u096F\u0951\u0952{}\u0953\u0954\u0958\u0959\u095A\\" + // 0x20
	"\u095B\u095C\u095D\u095E\u095F\u0960\u0961\u0962\u0963\u0970\u0971\x00[~]\x00" + // 0x30
	"|ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ\x00\x00\x00\x00\x00" + // 0x50
	"\x00\x00\x00\x00\x00€\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x60
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 0x70

func init() {
	Locking[Hindi] = &hindiLocking
	Single[Hindi] = &hindiSingle
}
