package charset

// defaultAlphabet is the GSM 7-bit default alphabet, TS 23.038 section
// 6.2.1, table 6.2.1. Code 0x1B is the escape to the extension table and is
// left undefined here.
var defaultAlphabet = fromString("" +
	"@£$¥èéùìòÇ\nØø\rÅå" + // 0x00
	"Δ_ΦΓΛΩΠΨΣΘΞ\x00ÆæßÉ" + // 0x10
	" !\"#¤%&'()*+,-./" + // 0x20
	"0123456789:;<=>?" + // 0x30
	"¡ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZÄÖÑÜ§" + // 0x50
	"¿abcdefghijklmno" + // 0x60
	"pqrstuvwxyzäöñüà") // 0x70

// defaultExtension is the default alphabet extension table, TS 23.038
// section 6.2.1.1, reached through the escape code 0x1B. 0x0A is FORM FEED;
// 0x0D (CR2) and 0x1B (SS2) are reserved and left undefined.
var defaultExtension = func() Table {
	var t Table
	t[0x0A] = '\f'
	t[0x14] = '^'
	t[0x28] = '{'
	t[0x29] = '}'
	t[0x2F] = '\\'
	t[0x3C] = '['
	t[0x3D] = '~'
	t[0x3E] = ']'
	t[0x40] = '|'
	t[0x65] = '€'
	return t
}()
