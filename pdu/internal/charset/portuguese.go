package charset

// portugueseLocking is TS 23.038 Annex A.3.3, Portuguese National Language
// Locking Shift Table. Code 0x1B is the escape to the single-shift table and
// is left undefined here.
var portugueseLocking = fromString("" +
	"@£$¥êéúíóç\nÔô\rÁá" + // 0x00
	"Δ_ªÇÀ∞^\\€Ó|\x00ÂâÊÉ" + // 0x10
	" !\"#º%&'()*+,-./" + // 0x20
	"0123456789:;<=>?" + // 0x30
	"ÍABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZÃÕÚÜ§" + // 0x50
	"~abcdefghijklmno" + // 0x60
	"pqrstuvwxyzãõ`üà") // 0x70

// portugueseSingle is TS 23.038 Annex A.2.3, Portuguese National Language
// Single Shift Table, reached through the escape code 0x1B. 0x0A is FORM
// FEED; 0x0D (CR2) and 0x1B (SS2) are reserved and left undefined. It
// carries the Greek capitals that the Portuguese locking-shift table gives
// up (0x12 to 0x19), and 'Ê' at 0x1F.
var portugueseSingle = func() Table {
	var t Table
	t[0x05] = 'ê'
	t[0x09] = 'ç'
	t[0x0A] = '\f'
	t[0x0B] = 'Ô'
	t[0x0C] = 'ô'
	t[0x0E] = 'Á'
	t[0x0F] = 'á'
	t[0x12] = 'Φ'
	t[0x13] = 'Γ'
	t[0x14] = '^'
	t[0x15] = 'Ω'
	t[0x16] = 'Π'
	t[0x17] = 'Ψ'
	t[0x18] = 'Σ'
	t[0x19] = 'Θ'
	t[0x1F] = 'Ê'
	t[0x28] = '{'
	t[0x29] = '}'
	t[0x2F] = '\\'
	t[0x3C] = '['
	t[0x3D] = '~'
	t[0x3E] = ']'
	t[0x40] = '|'
	t[0x41] = 'À'
	t[0x49] = 'Í'
	t[0x4F] = 'Ó'
	t[0x55] = 'Ú'
	t[0x5B] = 'Ã'
	t[0x5C] = 'Õ'
	t[0x61] = 'Â'
	t[0x65] = '€'
	t[0x69] = 'í'
	t[0x6F] = 'ó'
	t[0x75] = 'ú'
	t[0x7B] = 'ã'
	t[0x7C] = 'õ'
	t[0x7F] = 'â'
	return t
}()

func init() {
	Locking[Portuguese] = &portugueseLocking
	Single[Portuguese] = &portugueseSingle
}
