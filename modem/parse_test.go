package modem

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/warthog618/modem/at"

	"github.com/smsgw/smsgw/spool"
)

func TestParseCSQ(t *testing.T) {
	for _, c := range []struct {
		info  []string
		dBm   int
		known bool
	}{
		{[]string{"+CSQ: 20,99"}, -73, true},
		{[]string{"^RSSI: 17", "+CSQ: 31,0"}, -51, true}, // a URC mixed in: picked by prefix
		{[]string{"+CSQ: 0,99"}, -113, true},
		{[]string{"+CSQ: 99,99"}, 0, false},
		{[]string{"garbage"}, 0, false},
	} {
		dBm, known := parseCSQ(c.info)
		if dBm != c.dBm || known != c.known {
			t.Errorf("%q: %d %v, want %d %v", c.info, dBm, known, c.dBm, c.known)
		}
	}
}

func TestParseRegistration(t *testing.T) {
	if r, ok := parseReg([]string{"+CREG: 0,1"}, "+CREG:"); !ok || r != RegHome || !r.Registered() {
		t.Fatalf("home: %v %v", r, ok)
	}
	if r, ok := parseReg([]string{"+CEREG: 2,5,\"1A2B\",\"01C2D3E4\",7"}, "+CEREG:"); !ok || r != RegRoaming {
		t.Fatalf("roaming with location: %v %v", r, ok)
	}
	if r, _ := parseReg([]string{"+CREG: 0,2"}, "+CREG:"); r.Registered() {
		t.Fatal("searching counted as registered")
	}
	if op := parseCOPS([]string{`+COPS: 0,0,"Verizon Wireless",7`}); op != "Verizon Wireless" {
		t.Fatalf("operator %q", op)
	}
}

func TestParseStored(t *testing.T) {
	info := []string{
		"+CMGL: 1,0,,24", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
		"+CMTI: \"SM\",9", // a URC in the middle is skipped
		"+CMGL: 4,1,,24", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
	}
	got, err := parseStored(info, "+CMGL:", 0)
	if err != nil || len(got) != 2 || got[0].index != 1 || got[1].index != 4 || len(got[0].frame) != 38 {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	// A PDU line that is not hex comes back as it is, with its error, to
	// be kept as received (it was deleted unread).
	if got, err := parseStored([]string{"+CMGR: 0,,24", "ZZ"}, "+CMGR:", 3); err != nil || len(got) != 1 ||
		got[0].err == nil || got[0].raw != "ZZ" || got[0].index != 3 {
		t.Fatalf("non-hex PDU: %+v, %v", got, err)
	}
	// An empty slot, as many modems answer it, is no message.
	if got, err := parseStored([]string{"+CMGR: 0,,0"}, "+CMGR:", 3); err != nil || len(got) != 0 {
		t.Fatalf("+CMGR: 0,,0 read as %+v, %v", got, err)
	}
	// A URC between a header and its PDU is not the PDU; a header with
	// no PDU before the next header is an empty slot.
	pdu := "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"
	got, err = parseStored([]string{"+CMGL: 2,0,,0", "+CMGL: 5,0,,24", `+CMTI: "SM",9`, pdu}, "+CMGL:", 0)
	if err != nil || len(got) != 1 || got[0].index != 5 || len(got[0].frame) != 38 {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	if mem, i, err := parseIndex(`+CMTI: "SM",12`, "+CMTI:"); err != nil || mem != "SM" || i != 12 {
		t.Fatalf("index %q %d %v", mem, i, err)
	}
	if mr, err := parseMR([]string{"+CMGS: 213"}); err != nil || mr != 213 {
		t.Fatalf("mr %d %v", mr, err)
	}
	if _, err := parseMR([]string{"+CMGS: 300"}); err == nil {
		t.Fatal("an MR above 255 was accepted")
	}
}

func TestCMSErrorTable(t *testing.T) {
	for _, c := range []struct {
		err       error
		written   bool // the PDU reached the modem
		permanent bool
		code      string
	}{
		{at.CMSError("1"), true, true, "cms_1"},
		{at.CMSError("38"), true, false, "cms_38"},
		{at.CMSError("331"), true, false, "cms_331"},
		{at.CMSError("no network service"), true, false, "cms_331"}, // verbose form
		{at.CMSError("304"), true, false, "cms_304"},                // the modem's mode, not the message
		{at.CMSError("21"), true, false, "cms_21"},                  // networks answer it for a SIM with no SMS plan
		{at.CMSError("195"), true, true, "cms_195"},                 // invalid SME address: the recipient
		{at.CMSError("196"), true, true, "cms_196"},                 // destination barred
		{at.CMSError("999"), true, false, "cms_999"},
		{at.CMSError("8"), true, false, "cms_8"},     // our SIM barred, not the message
		{at.CMSError("515"), true, false, "cms_515"}, // device busy
		{at.ErrDeadlineExceeded, true, false, "timeout"},
		{at.ErrDeadlineExceeded, false, false, "no_prompt"},
		{at.ErrClosed, true, false, "modem_gone"},
		{at.ErrClosed, false, false, "modem_gone"},
	} {
		err := sendError(c.err, c.written)
		var se *spool.SendError
		if !errors.As(err, &se) || se.Permanent != c.permanent || se.Code != c.code {
			t.Errorf("%v: %v (%+v), want permanent=%v code %s", c.err, err, se, c.permanent, c.code)
		}
	}
}

// TestCMSTableDocumented: docs/modems.md lists every code of the table
// with the same outcome.
func TestCMSTableDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/modems.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for code, info := range cmsErrors {
		outcome := "retryable"
		if info.permanent {
			outcome = "permanent: the message fails"
		}
		if row := fmt.Sprintf("| %d | %s | %s |", code, info.name, outcome); !strings.Contains(doc, row) {
			t.Errorf("docs/modems.md lacks %q", row)
		}
	}
}

// TestRegisteredLTEStates: 27.007's LTE registration states "SMS only"
// (6, 7) and "CSFB not preferred" (9, 10) can send; emergency bearer
// only (8), searching and denied cannot.
func TestRegisteredLTEStates(t *testing.T) {
	for r, want := range map[Registration]bool{1: true, 5: true, 6: true, 7: true, 9: true, 10: true,
		0: false, 2: false, 3: false, 4: false, 8: false} {
		if r.Registered() != want {
			t.Errorf("%d (%s): registered %v, want %v", int(r), r, r.Registered(), want)
		}
	}
}

// TestFirstLineSkipsURCs: a URC the AT library passed into an answer is
// not the IMEI; a vendor's "+CGSN: <imei>" gives its value.
func TestFirstLineSkipsURCs(t *testing.T) {
	for _, c := range []struct {
		info []string
		want string
	}{
		{[]string{`+CMTI: "SM",3`, "867962041234561"}, "867962041234561"},
		{[]string{"RING", "", "310260000000001"}, "310260000000001"},
		{[]string{`+CGSN: "867962041234561"`}, "867962041234561"},
		{nil, ""},
	} {
		if got := firstLine(c.info); got != c.want {
			t.Errorf("%q: %q, want %q", c.info, got, c.want)
		}
	}
}
