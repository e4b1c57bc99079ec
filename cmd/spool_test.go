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

func TestSpoolCommandsOffline(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550123",
		"--text", "hello", "--json")
	if code != ExitOK {
		t.Fatalf("add: exit %d %s", code, errOut)
	}
	var m spool.Message
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.Source != "cli" || m.Segments != 1 {
		t.Fatalf("add printed %q (%v)", out, err)
	}
	// Fail it offline through the library, then retry it from the CLI.
	s, err := spool.Open(filepath.Join(dir, spoolFile), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	leased, _ := s.Lease(context.Background(), 1, spool.PriorityNormal)
	s.Complete(context.Background(), leased[0].ID, 1, spool.Result{Err: spool.Permanent("x", nil)})
	s.Close()
	code, out, errOut = runCmd(t, "", "spool", "retry", "--data", dir, m.ID)
	if code != ExitOK || !strings.HasSuffix(out, ": queued\n") || strings.Contains(out, m.ID) {
		t.Fatalf("retry: exit %d %q %s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", "spool", "list", "--data", dir, "--state", "failed", "--json")
	var page spool.Page
	if code != ExitOK || json.Unmarshal([]byte(out), &page) != nil || len(page.Messages) != 1 || page.Messages[0].ID != m.ID {
		t.Fatalf("list failed: %q", out)
	}
	code, out, _ = runCmd(t, "", "spool", "export", "--data", dir)
	if code != ExitOK || strings.Count(out, "\n") != 2 {
		t.Fatalf("export: %q", out)
	}
}

func TestSpoolCommandErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"spool", "stats", "--data", dir}, ExitFailure, "no spool at"},
		{[]string{"spool", "add", "--data", dir, "--tenant", "t", "--to", "3195550123", "--text", "x"}, ExitUsage, "E.164"},
		{[]string{"spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550123"}, ExitUsage, "required flag"},
		{[]string{"spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550123", "--text", "x", "--priority", "urgent"}, ExitUsage, "unknown priority"},
		{[]string{"spool", "list", "--data", dir, "--state", "lost"}, ExitUsage, "unknown state"},
		{[]string{"spool", "list", "--data", dir, "--since", "yesterday"}, ExitUsage, "--since"},
		{[]string{"spool", "purge", "--data", dir}, ExitUsage, "say what to purge"},
		{[]string{"spool", "purge", "--data", dir, "--older-than", "1d", "--state", "queued"}, ExitFailure, "only takes final states"},
	}
	for _, c := range cases {
		code, _, errOut := runCmd(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d %q, want %d with %q", c.args, code, errOut, c.code, c.msg)
		}
	}
	runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550123", "--text", "x")
	code, _, errOut := runCmd(t, "", "spool", "show", "--data", dir, "01M80RP4R57XXJXDBVAD40P1PE")
	if code != ExitFailure || !strings.Contains(errOut, "not found") {
		t.Errorf("show of an unknown id: %d %q", code, errOut)
	}
}

// TestSpoolInUse: while a process holds the spool (the gateway), the
// commands say so quickly instead of hanging on the file lock.
func TestSpoolInUse(t *testing.T) {
	dir := t.TempDir()
	s, err := spool.Open(filepath.Join(dir, spoolFile), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, args := range [][]string{{"spool", "stats"}, {"spool", "cancel", "01M80RP4R57XXJXDBVAD40P1PE"}, {"spool", "compact"}} {
		start := time.Now()
		code, _, errOut := runCmd(t, "", append(args, "--data", dir)...)
		if code != ExitFailure || !strings.Contains(errOut, "in use by another process") {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v took %v", args, d)
		}
	}
}
