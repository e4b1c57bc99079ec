package pdu_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smsgw/smsgw/pdu"
)

var update = flag.Bool("update", false, "rewrite the golden sections of testdata/decode/*.txt")

// vectorFile is a testdata file: "key: value" lines, '#' comments, then a
// "--- name" line and the section body.
type vectorFile struct {
	fields  map[string]string
	head    []string // the lines before the section marker, verbatim
	section string
	body    string
}

func readVector(t *testing.T, path string) vectorFile {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := vectorFile{fields: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	var body []string
	inBody := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inBody:
			body = append(body, line)
		case strings.HasPrefix(line, "--- "):
			v.section, inBody = strings.TrimPrefix(line, "--- "), true
		default:
			v.head = append(v.head, line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, val, ok := strings.Cut(line, ": ")
			if !ok {
				t.Fatalf("%s: bad line %q", path, line)
			}
			v.fields[k] = val
		}
	}
	v.body = strings.TrimSpace(strings.Join(body, "\n"))
	return v
}

// TestDecodeVectors decodes published PDUs. Each file's "want" holds the
// values its source states (checked field by field); the golden section
// holds our whole summary, to catch any other change (-update rewrites it).
func TestDecodeVectors(t *testing.T) {
	files, _ := filepath.Glob("testdata/decode/*.txt")
	if len(files) == 0 {
		t.Fatal("no vectors")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			v := readVector(t, path)
			raw, err := hex.DecodeString(v.fields["pdu"])
			if err != nil {
				t.Fatal(err)
			}
			var s pdu.Summary
			if v.fields["sca"] == "no" {
				m, err := pdu.DecodeTPDU(raw)
				if err != nil {
					t.Fatal(err)
				}
				s = pdu.Summarize(pdu.Address{}, m, len(raw))
			} else {
				smsc, m, err := pdu.Decode(raw)
				if err != nil {
					t.Fatal(err)
				}
				sca, _ := smsc.AppendSMSC(nil)
				s = pdu.Summarize(smsc, m, len(raw)-len(sca))
			}
			got, _ := json.Marshal(s)
			var gotMap, want map[string]any
			_ = json.Unmarshal(got, &gotMap)
			if err := json.Unmarshal([]byte(v.fields["want"]), &want); err != nil {
				t.Fatalf("want: %v", err)
			}
			for k, w := range want {
				wj, _ := json.Marshal(w)
				gj, _ := json.Marshal(gotMap[k])
				if !bytes.Equal(wj, gj) {
					t.Errorf("%s = %s, the source says %s", k, gj, wj)
				}
			}
			pretty, _ := json.MarshalIndent(s, "", "  ")
			if *update {
				out := strings.Join(v.head, "\n") + "\n--- golden\n" + string(pretty) + "\n"
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if v.body != string(pretty) {
				t.Errorf("golden mismatch (run go test ./pdu -run TestDecodeVectors -update after checking):\ngot:\n%s\nwant:\n%s", pretty, v.body)
			}
		})
	}
}

// TestEncodeVectors encodes the texts of published SMS-SUBMIT PDUs and
// compares with the source's octets exactly.
func TestEncodeVectors(t *testing.T) {
	files, _ := filepath.Glob("testdata/encode/*.txt")
	if len(files) == 0 {
		t.Fatal("no vectors")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			v := readVector(t, path)
			f := v.fields
			to := mustAddress(t, f["to"], f["to_ton"])
			var smsc pdu.Address
			if f["smsc"] != "" {
				smsc = mustAddress(t, f["smsc"], f["smsc_ton"])
			}
			o := pdu.SubmitOptions{RejectDuplicates: f["rd"] == "true", StatusReportRequest: f["srr"] == "true"}
			o.MR = byte(atoi(t, f["mr"]))
			o.Ref = uint16(atoi(t, f["ref"]))
			if vp := f["vp"]; vp != "" {
				o.Validity = mustValidity(t, vp)
			}
			subs, _, err := pdu.EncodeText(to, f["text"], o)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Fields(v.body)
			if len(subs) != len(want) {
				t.Fatalf("%d PDUs, the source has %d", len(subs), len(want))
			}
			for i := range subs {
				if f["same_mr"] == "true" {
					subs[i].MR = o.MR
				}
				tpdu, err := subs[i].AppendBinary(nil)
				if err != nil {
					t.Fatal(err)
				}
				frame, err := pdu.AppendFrame(nil, smsc, tpdu)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.ToUpper(hex.EncodeToString(frame)); got != want[i] {
					t.Errorf("part %d:\n got %s\nwant %s", i+1, got, want[i])
				}
			}
		})
	}
}
