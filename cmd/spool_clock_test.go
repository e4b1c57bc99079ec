package cmd

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// A box whose clock had been set a year ahead, then put right: spool
// clock says so, spool clock reset puts the spool back on the system
// clock, and a queued message is due now, not in a year.
func TestSpoolClockReset(t *testing.T) {
	dir := t.TempDir()
	s := openAhead(t, dir, 365*24*time.Hour)
	m, _, err := s.Enqueue(context.Background(), &spool.Message{Tenant: "psap-north", From: "+13195550100",
		To: "+13195550123", Body: "queued while the clock was wrong", Source: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	code, out, errOut := runCmd(t, "", "spool", "clock", "--data", dir)
	if code != 0 || !strings.Contains(out, "the system clock is 8760h0m") {
		t.Fatalf("spool clock: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "", "spool", "clock", "reset", "--data", dir)
	if code != 0 || !strings.Contains(out, "moved back 1 queued message(s) and 0 outbox item(s)") {
		t.Fatalf("spool clock reset: %d %q %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", "spool", "clock", "--data", dir)
	if code != 0 || !strings.Contains(out, "follows the system clock") {
		t.Fatalf("spool clock after the reset: %d %q", code, out)
	}
	code, out, _ = runCmd(t, "", "spool", "clock", "reset", "--data", dir)
	if code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("a second reset: %d %q", code, out)
	}
	// --json, as on the other spool commands: it printed the text.
	for _, args := range [][]string{{"clock"}, {"clock", "reset"}, {"check"}, {"compact"}} {
		code, out, errOut = runCmd(t, "", append(append([]string{"spool"}, args...), "--data", dir, "--json")...)
		var v map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v) == 0 {
			t.Fatalf("%v --json: %d %q %q", args, code, out, errOut)
		}
	}

	s, err = spool.Open(filepath.Join(dir, spoolFile), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Lease(context.Background(), 5, spool.PriorityNormal)
	if err != nil || len(got) != 1 || got[0].ID != m.ID {
		t.Fatalf("after the reset the message is not due: %d leased, %v", len(got), err)
	}
}

// TestSpoolAddValidityFromTheSpoolsTime: with the system clock three days
// behind the spool's (a cold boot without a clock), spool add counts the
// validity from the spool's time: from the system's, a 48-hour message
// was over before it was accepted, and expired at the gateway's start.
func TestSpoolAddValidityFromTheSpoolsTime(t *testing.T) {
	dir := t.TempDir()
	ahead := 72 * time.Hour
	openAhead(t, dir, ahead).Close() // the spool's time is now 72 h ahead of the system's
	code, out, errOut := runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "psap-north", "--to", "+13195550123",
		"--text", "evacuate", "--priority", "emergency", "--json")
	if code != 0 {
		t.Fatalf("add: %d %q", code, errOut)
	}
	var m spool.Message
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if want := time.Now().Add(ahead + 48*time.Hour); m.ValidUntil.Before(want.Add(-time.Minute)) {
		t.Fatalf("valid until %v, accepted %v: want 48 h from the spool's time (about %v)", m.ValidUntil, m.CreatedAt(), want)
	}
}

// openAhead opens a new spool in dir whose clock runs ahead of the
// system's by ahead, as one written while the system clock was wrong.
func openAhead(t *testing.T, dir string, ahead time.Duration) *spool.Store {
	t.Helper()
	base := time.Now()
	s, err := spool.Open(filepath.Join(dir, spoolFile), spool.Options{
		Now:       func() time.Time { return time.Now().Add(ahead) },
		Monotonic: func() time.Duration { return time.Since(base) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
