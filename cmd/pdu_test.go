package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runCmd runs the command line and returns the exit code, stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	root := newRootCmd(BuildInfo{Version: "1.2.3", Commit: "abc", Date: "2026-11-22"})
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	code := run(context.Background(), root, args)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "", "version")
	if code != ExitOK || !strings.HasPrefix(out, "smsgw 1.2.3 (commit abc, built 2026-11-22") {
		t.Fatalf("exit %d, %q", code, out)
	}
}

func TestPduEncodeDecode(t *testing.T) {
	code, out, errOut := runCmd(t, "", "pdu", "encode", "--to", "+46708251358", "--text", "hellohello", "--vp", "4d")
	if code != ExitOK || out != "0011000B916407281553F80000AA0AE8329BFD4697D9EC37\n" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "AT+CMGS length per segment: 23") {
		t.Errorf("summary %q", errOut)
	}

	code, out, _ = runCmd(t, "", "pdu", "encode", "--to", "+13195550100", "--text", strings.Repeat("x", 161), "--srr", "--mr", "7", "--ref", "200", "--class", "0", "--json")
	var list []struct {
		PDU        string `json:"pdu"`
		TPDULength int    `json:"tpdu_length"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != ExitOK || err != nil || len(list) != 2 {
		t.Fatalf("exit %d, %v, %q", code, err, out)
	}
	if len(list[0].PDU) != 2*(1+list[0].TPDULength) {
		t.Errorf("pdu %d hex digits for tpdu_length %d (plus the 00 SMSC part)", len(list[0].PDU), list[0].TPDULength)
	}

	// Decode the second part back, as a technician would paste it.
	code, out, _ = runCmd(t, "", "pdu", "decode", "--json", list[1].PDU)
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); code != ExitOK || err != nil {
		t.Fatalf("exit %d, %v, %q", code, err, out)
	}
	concat, _ := s["concat"].(map[string]any)
	if s["type"] != "SMS-SUBMIT" || s["address"] != "+13195550100" || s["text"] != "xxxxxxxx" || s["mr"] != 8.0 || s["class"] != 0.0 ||
		concat["ref"] != 200.0 || concat["total"] != 2.0 || concat["seq"] != 2.0 || s["encoding"] != "gsm7" {
		t.Errorf("decoded %v", s)
	}
}

func TestPduDecodePlainAndStdin(t *testing.T) {
	pduHex := "07917283010010F5 040BC87238880900F1 0000993092516195800AE8329BFD4697D9EC37\n"
	code, out, _ := runCmd(t, pduHex, "pdu", "decode")
	if code != ExitOK || !strings.Contains(out, "text:      hellohello") || !strings.Contains(out, "from:      27838890001 (subscriber)") {
		t.Fatalf("exit %d, %q", code, out)
	}
	// A bare status report (as some modems print +CDS) with --no-sca.
	code, out, _ = runCmd(t, "", "pdu", "decode", "--no-sca", "--json", "06D60B911326880736F4111011719551401110117195714000")
	if code != ExitOK || !strings.Contains(out, `"outcome": "delivered"`) || !strings.Contains(out, `"mr": 214`) {
		t.Fatalf("exit %d, %q", code, out)
	}
	// Without --no-sca it still decodes, with a warning.
	code, out, _ = runCmd(t, "", "pdu", "decode", "06D60B911326880736F4111011719551401110117195714000")
	if code != ExitOK || !strings.Contains(out, "warning:") {
		t.Fatalf("exit %d, %q", code, out)
	}
}

func TestPduErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"pdu", "decode", "ZZ"}, ExitUsage, "not hexadecimal"},
		{[]string{"pdu", "decode", "ABC"}, ExitUsage, "odd number"},
		{[]string{"pdu", "decode", "00"}, ExitFailure, "TP-MTI"},
		{[]string{"pdu", "decode", "0004"}, ExitFailure, "decode"},
		{[]string{"pdu", "encode", "--to", "+1x", "--text", "hi"}, ExitUsage, "--to"},
		{[]string{"pdu", "encode", "--to", "+15551234", "--text", "Привет", "--gsm7"}, ExitFailure, "not in the GSM 7-bit"},
		{[]string{"pdu", "encode", "--to", "+15551234", "--text", "hi", "--class", "5"}, ExitUsage, "--class"},
		{[]string{"pdu", "encode", "--to", "+15551234", "--text", "hi", "--vp", "soon"}, ExitUsage, "--vp"},
		{[]string{"pdu", "encode", "--to", "+15551234", "--text", "hi", "--languages", "klingon"}, ExitUsage, "unknown language"},
		{[]string{"pdu", "encode", "--to", "+15551234", "--text", "hi", "--ref", "300"}, ExitUsage, "--ref16"},
		{[]string{"pdu", "encode", "--text", "hi"}, ExitUsage, "required flag"},
		{[]string{"pdu", "encode", "--bogus"}, ExitUsage, "unknown flag"},
	}
	for _, c := range cases {
		code, _, errOut := runCmd(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d containing %q", c.args, code, errOut, c.code, c.msg)
		}
	}
}

func TestPduPlan(t *testing.T) {
	code, out, _ := runCmd(t, "", "pdu", "plan", "--json", "--text", "Çok teşekkürler, yardım geliyor. Lütfen hatta kalın ve sakin olun. Ambulans yolda.", "--languages", "turkish")
	if code != ExitOK || !strings.Contains(out, `"encoding":"gsm7"`) || !strings.Contains(out, `"segments":1`) {
		t.Fatalf("exit %d, %q", code, out)
	}
}
