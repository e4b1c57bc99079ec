package modem

import (
	"strings"
	"testing"
)

// FuzzParseLines feeds arbitrary modem output to every parser: they may
// refuse it, never panic, and what they accept is in range.
func FuzzParseLines(f *testing.F) {
	for _, s := range []string{"+CSQ: 20,99", "+CREG: 0,1", "+CEREG: 2,5,\"1A2B\",\"01C2D3E4\",7", `+COPS: 0,0,"Op",7`,
		`+CMTI: "SM",12`, "+CMGS: 213", "+CMGR: 0,,24\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
		"+CMGL: 1,0,,24\n00", "+CMS ERROR: 331", "+CSQ: -1,", "+CMGL: x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines := strings.Split(s, "\n")
		if dBm, ok := parseCSQ(lines); ok && (dBm < -113 || dBm > -51) {
			t.Fatalf("dBm %d out of range", dBm)
		}
		parseReg(lines, "+CREG:")
		parseCOPS(lines)
		if mr, err := parseMR(lines); err == nil && (mr < 0 || mr > 255) {
			t.Fatalf("mr %d", mr)
		}
		if _, i, err := parseIndex(lines[0], "+CMTI:"); err == nil && i < 0 {
			t.Fatalf("index %d", i)
		}
		parseStored(lines, "+CMGL:", 0)
		parseStored(lines, "+CMGR:", 1)
		cmsCode(s)
	})
}
