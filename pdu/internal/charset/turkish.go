package charset

// turkishLocking is TS 23.038 Annex A.3.1, Turkish National Language Locking
// Shift Table. Code 0x1B is the escape to the single-shift table and is left
// undefined here.
var turkishLocking = fromString("" +
	"@£$¥€éùıòÇ\nĞğ\rÅå" + // 0x00
	"Δ_ΦΓΛΩΠΨΣΘΞ\x00ŞşßÉ" + // 0x10
	" !\"#¤%&'()*+,-./" + // 0x20
	"0123456789:;<=>?" + // 0x30
	"İABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZÄÖÑÜ§" + // 0x50
	"çabcdefghijklmno" + // 0x60
	"pqrstuvwxyzäöñüà") // 0x70

// turkishSingle is TS 23.038 Annex A.2.1, Turkish National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined.
var turkishSingle = func() Table {
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
	t[0x47] = 'Ğ'
	t[0x49] = 'İ'
	t[0x53] = 'Ş'
	t[0x63] = 'ç'
	t[0x65] = '€'
	t[0x67] = 'ğ'
	t[0x69] = 'ı'
	t[0x73] = 'ş'
	return t
}()

func init() {
	Locking[Turkish] = &turkishLocking
	Single[Turkish] = &turkishSingle
}
