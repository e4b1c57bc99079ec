package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smsgw/smsgw/spool"
)

// TestDamagedSpoolSaysWhatToDo: on a spool file with a damaged page,
// `spool check` exits 1 with the steps to take, naming the real paths;
// `spool salvage` copies what it can read into a new file that check
// passes. Before, check (and serve, at every restart) crashed with a
// stack trace.
func TestDamagedSpoolSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	for i := range 40 {
		if code, _, errOut := runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "psap-north",
			"--to", fmt.Sprintf("+1319555%04d", i), "--text", "Shelter open at Lincoln High."); code != ExitOK {
			t.Fatal(errOut)
		}
	}
	path := filepath.Join(dir, spoolFile)
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Damage pages in turn until one stops Open (a page load reads).
	damaged := false
	for id := 2; id*4096 < len(clean) && !damaged; id++ {
		b := append([]byte(nil), clean...)
		for i := range 16 {
			b[id*4096+i] ^= 0xA5
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := spool.Open(path, spool.Options{ReadOnly: true})
		if err == nil {
			s.Close()
			continue
		}
		if !errors.Is(err, spool.ErrDamaged) {
			t.Fatalf("page %d: %v", id, err)
		}
		damaged = true
	}
	if !damaged {
		t.Fatal("no damaged page stopped Open")
	}
	code, _, errOut := runCmd(t, "", "spool", "check", "--data", dir)
	if code != ExitFailure || !strings.Contains(errOut, "the spool file is damaged") ||
		!strings.Contains(errOut, "smsgw spool salvage --data "+dir+" "+path+".salvaged") {
		t.Fatalf("check: exit %d\n%s", code, errOut)
	}
	code, out, errOut := runCmd(t, "", "spool", "salvage", "--data", dir, path+".salvaged")
	if code != ExitOK || !strings.HasPrefix(out, "salvaged into "+path+".salvaged: ") {
		t.Fatalf("salvage: exit %d %q %s", code, out, errOut)
	}
	if err := os.Rename(path+".salvaged", path); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCmd(t, "", "spool", "check", "--data", dir); code != ExitOK || out != "spool consistent\n" {
		t.Fatalf("check after the salvage: exit %d %q %s", code, out, errOut)
	}
}
