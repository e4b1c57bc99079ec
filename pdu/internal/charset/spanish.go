package charset

// spanishSingle is TS 23.038 Annex A.2.2, Spanish National Language Single
// Shift Table, reached through the escape code 0x1B. 0x0A is FORM FEED; 0x0D
// (CR2) and 0x1B (SS2) are reserved and left undefined.
var spanishSingle = func() Table {
	var t Table
	t[0x09] = 'ç'
	t[0x0A] = '\f'
	t[0x14] = '^'
	t[0x28] = '{'
	t[0x29] = '}'
	t[0x2F] = '\\'
	t[0x3C] = '['
	t[0x3D] = '~'
	t[0x3E] = ']'
	t[0x40] = '|'
	t[0x41] = 'Á'
	t[0x49] = 'Í'
	t[0x4F] = 'Ó'
	t[0x55] = 'Ú'
	t[0x61] = 'á'
	t[0x65] = '€'
	t[0x69] = 'í'
	t[0x6F] = 'ó'
	t[0x75] = 'ú'
	return t
}()

func init() {
	// TS 23.038 Annex A.3.2 is void: Spanish has no locking-shift table, so
	// Locking[Spanish] stays nil.
	Single[Spanish] = &spanishSingle
}
