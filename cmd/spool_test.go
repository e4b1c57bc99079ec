package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

func TestSpoolCommandsOffline(t *testing.T) {
	dir := t.TempDir()
	m, s := addFailed(t, dir)
	s.Close()
	// Sending a failed message again asks the tenant's rules, which are
	// in the configuration: without it, the retry is refused.
	code, out, errOut := runCmd(t, "", "spool", "retry", "--data", dir, "--config", filepath.Join(dir, "none.yaml"), m.ID)
	if code == ExitOK || !strings.Contains(errOut, "tenant's rules") {
		t.Fatalf("retry without a configuration: exit %d %q %s; want it refused", code, out, errOut)
	}
	config := writeFile(t, "smsgw.yaml", `data_dir: `+dir+`
tenants:
  - id: t
    default_region: US
    senders: ["+13195550100"]
    default_sender: "+13195550100"
`)
	code, out, errOut = runCmd(t, "", "spool", "retry", "--data", dir, "--config", config, m.ID)
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
	// A cancelled message cannot be retried: the state says so, with no
	// configuration needed to find it out.
	code, out, _ = runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550124", "--text", "x",
		"--send-at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "--json")
	var later spool.Message
	if code != ExitOK || json.Unmarshal([]byte(out), &later) != nil {
		t.Fatalf("add: %q", out)
	}
	if code, out, errOut := runCmd(t, "", "spool", "cancel", "--data", dir, later.ID); code != ExitOK {
		t.Fatalf("cancel: %d %q %s", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "", "spool", "retry", "--data", dir, "--config", filepath.Join(dir, "none.yaml"), later.ID)
	if code == ExitOK || !strings.Contains(errOut, "is cancelled; only a queued message") || strings.Contains(errOut, "configuration") {
		t.Fatalf("retry of a cancelled message: exit %d %q", code, errOut)
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

// TestSpoolCommandsWhileRunning: with the gateway running, the spool
// commands go through its control socket and do what they do offline:
// stats, list, show, add, cancel, retry, export, a backup that opens as a
// spool, the audit trail; refusals keep their meaning; compact says the
// gateway must stop.
func TestSpoolCommandsWhileRunning(t *testing.T) {
	dir := t.TempDir()
	stop := startDemo(t, dir)
	defer stop()
	code, out, errOut := runCmd(t, "", "send", "--data", dir, "--to", "+15555550199", "--text", "Hello", "--json")
	var sent spool.Message
	if code != ExitOK || json.Unmarshal([]byte(out), &sent) != nil {
		t.Fatalf("send: %d %q %s", code, out, errOut)
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCmd(t, "", append(args, "--data", dir)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
		return out
	}
	var st spool.Stats
	if err := json.Unmarshal([]byte(must("spool", "stats", "--json")), &st); err != nil || st.AuditSeq == 0 {
		t.Fatalf("stats: %v %+v", err, st)
	}
	if out := must("spool", "show", sent.ID); !strings.Contains(out, sent.ID) || !strings.Contains(out, "+15555550199") {
		t.Fatalf("show: %q", out)
	}
	// A control socket given by --control or $SMSGW_CONTROL is found
	// though --data names another directory (listen.control elsewhere).
	elsewhere := t.TempDir()
	sock := filepath.Join(dir, "smsgw.sock")
	if code, out, errOut := runCmd(t, "", "spool", "show", "--data", elsewhere, "--control", sock, sent.ID); code != ExitOK || !strings.Contains(out, sent.ID) {
		t.Fatalf("show --control: exit %d %q %s", code, out, errOut)
	}
	t.Setenv("SMSGW_CONTROL", sock) // the same gateway: the rest of the test is unchanged by it
	if code, out, errOut := runCmd(t, "", "spool", "show", "--data", elsewhere, sent.ID); code != ExitOK || !strings.Contains(out, sent.ID) {
		t.Fatalf("show with SMSGW_CONTROL: exit %d %q %s", code, out, errOut)
	}
	// A message added for tomorrow can be cancelled; cancelling it again
	// is refused as offline.
	var added spool.Message
	out = must("spool", "add", "--tenant", "demo", "--to", "+15555550123", "--text", "later",
		"--send-at", time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339), "--json")
	if err := json.Unmarshal([]byte(out), &added); err != nil || added.Source != "cli" {
		t.Fatalf("add: %q", out)
	}
	if want := added.SendAt.Add(48 * time.Hour); !added.ValidUntil.Equal(want) {
		t.Fatalf("valid until %v, want --valid's 48h from --send-at (%v)", added.ValidUntil, want)
	}
	if out := must("spool", "cancel", added.ID); !strings.HasSuffix(out, ": cancelled\n") {
		t.Fatalf("cancel: %q", out)
	}
	code, _, errOut = runCmd(t, "", "spool", "cancel", "--data", dir, added.ID)
	if code != ExitFailure || !strings.Contains(errOut, "final") {
		t.Fatalf("second cancel: exit %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "", "spool", "show", "--data", dir, "01M80RP4R57XXJXDBVAD40P1PE")
	if code != ExitFailure || !strings.Contains(errOut, "not found") {
		t.Fatalf("show of an unknown id: %d %q", code, errOut)
	}
	// One for tomorrow, retried: it goes now.
	out = must("spool", "add", "--tenant", "demo", "--to", "+15555550124", "--text", "now, please",
		"--send-at", time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339), "--json")
	var later spool.Message
	if err := json.Unmarshal([]byte(out), &later); err != nil {
		t.Fatalf("add: %q", out)
	}
	if out := must("spool", "retry", later.ID); !strings.Contains(out, later.ID) {
		t.Fatalf("retry of the scheduled message: %q", out)
	}
	var page spool.Page
	if err := json.Unmarshal([]byte(must("spool", "list", "--json")), &page); err != nil || len(page.Messages) != 3 {
		t.Fatalf("list: %v, %d messages", err, len(page.Messages))
	}
	if err := json.Unmarshal([]byte(must("spool", "list", "--state", "cancelled", "--json")), &page); err != nil ||
		len(page.Messages) != 1 || page.Messages[0].ID != added.ID {
		t.Fatalf("list of the cancelled: %v %+v", err, page.Messages)
	}
	if out := must("spool", "export"); strings.Count(out, "\n") != 3 {
		t.Fatalf("export: %q", out)
	}
	if out := must("audit", "verify"); !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %q", out)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	var backedUp struct {
		File  string
		Bytes int64
	}
	if out := must("spool", "backup", "--json", backup); json.Unmarshal([]byte(out), &backedUp) != nil ||
		backedUp.File != backup || backedUp.Bytes <= 0 {
		t.Fatalf("backup --json: %q", out)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Size() != backedUp.Bytes {
		t.Fatalf("backup file %v %v, --json said %d bytes", fi, err, backedUp.Bytes)
	}
	code, _, errOut = runCmd(t, "", "spool", "backup", "--data", dir, backup)
	if code != ExitUsage || !strings.Contains(errOut, "--force") {
		t.Fatalf("backup over a file: exit %d %q", code, errOut)
	}
	// The spool's own file is never a target: a backup --force or an
	// export over it under the running gateway lost every message.
	live := filepath.Join(dir, "spool.db")
	for _, args := range [][]string{{"backup", "--force", live}, {"export", "--force", "-o", live}} {
		code, _, errOut = runCmd(t, "", append(append([]string{"spool"}, args...), "--data", dir)...)
		if code != ExitUsage || !strings.Contains(errOut, "spool's own file") {
			t.Fatalf("%v: exit %d %q", args, code, errOut)
		}
	}
	// An export goes through a temporary file: an existing file is kept
	// unless --force, and a new one is for the owner only.
	kept := filepath.Join(t.TempDir(), "kept.jsonl")
	if err := os.WriteFile(kept, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, "", "spool", "export", "--data", dir, "-o", kept)
	if b, _ := os.ReadFile(kept); code != ExitUsage || string(b) != "precious\n" {
		t.Fatalf("export over a file: exit %d %q, file %q", code, errOut, b)
	}
	exported := filepath.Join(t.TempDir(), "out.jsonl")
	must("spool", "export", "-o", exported)
	if fi, err := os.Stat(exported); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(exported); strings.Count(string(b), "\n") != 3 {
		t.Fatalf("export to a file: %q", b)
	}
	b, err := spool.Open(backup, spool.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(added.ID); err != nil {
		t.Fatalf("the backup lacks the message: %v", err)
	}
	b.Close()
	salvaged := filepath.Join(t.TempDir(), "salvaged.db")
	for _, args := range [][]string{{"compact"}, {"clock", "reset"}, {"salvage", salvaged}} {
		code, _, errOut = runCmd(t, "", append(append([]string{"spool"}, args...), "--data", dir)...)
		if code != ExitFailure || !strings.Contains(errOut, "in use") || !strings.Contains(errOut, "works only on a stopped gateway") ||
			strings.Contains(errOut, "damaged") || strings.Contains(errOut, "did not answer") {
			t.Fatalf("%v while running: exit %d %q", args, code, errOut)
		}
	}
	if code, out, _ := runCmd(t, "", "spool", "clock", "--data", dir); code != 0 || !strings.Contains(out, "follows the system clock") {
		t.Fatalf("spool clock through the running gateway: %d %q", code, out)
	}
}

// Offline, a retry of a failed message to a recipient who opted out since
// is refused, as the running gateway refuses it.
func TestSpoolRetryOfflineAsksTheRules(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	m, s := addFailed(t, dir)
	p, err := policy.New(s, []policy.Tenant{{ID: "t", DefaultRegion: "US"}}, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Suppress(ctx, "t", "+13195550123", "", "test", "replied STOP"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	config := writeFile(t, "smsgw.yaml", "data_dir: "+dir+"\ntenants:\n  - id: t\n    default_region: US\n    senders: [\"+13195550100\"]\n    default_sender: \"+13195550100\"\n")
	code, out, errOut := runCmd(t, "", "spool", "retry", "--data", dir, "--config", config, m.ID)
	if code == ExitOK || !strings.Contains(errOut, "opted out") {
		t.Fatalf("retry to an opted-out recipient: exit %d %q %s; want it refused", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", "spool", "list", "--data", dir, "--json")
	var page spool.Page
	if code != ExitOK || json.Unmarshal([]byte(out), &page) != nil || len(page.Messages) != 1 {
		t.Fatalf("after the refused retry: %q; want the one failed message and no new one", out)
	}
}

// addFailed adds a message with the CLI, then fails it through the
// library (as a carrier's refusal would); the spool is left open.
func addFailed(t *testing.T, dir string) (spool.Message, *spool.Store) {
	t.Helper()
	code, out, errOut := runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550123",
		"--text", "hello", "--json")
	if code != ExitOK {
		t.Fatalf("add: exit %d %s", code, errOut)
	}
	var m spool.Message
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.Source != "cli" || m.Segments != 1 {
		t.Fatalf("add printed %q (%v)", out, err)
	}
	s, err := spool.Open(filepath.Join(dir, spoolFile), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	leased, _ := s.Lease(ctx, 1, spool.PriorityNormal)
	s.Complete(ctx, leased[0].ID, 1, spool.Result{Err: spool.Permanent("x", nil)})
	return m, s
}

// TestPurgeFlagsWithTheSameValue: --older-than and --redact-older-than
// (or --audit-older-than) given the same age both apply; one of them was
// dropped (the flags were a map keyed by their values).
func TestPurgeFlagsWithTheSameValue(t *testing.T) {
	dir := t.TempDir()
	_, s := addFailed(t, dir)
	s.Close()
	openAhead(t, dir, 48*time.Hour).Close() // two days later, by the spool's clock
	code, out, errOut := runCmd(t, "", "spool", "purge", "--data", dir, "--older-than", "1d", "--redact-older-than", "1d", "--dry-run")
	if code != ExitOK || !strings.Contains(out, ": 1 deleted, ") {
		t.Fatalf("purge: exit %d %q %q", code, out, errOut)
	}
}

// TestControlPathRelative: --data . or a relative --control name a
// socket (send --data rel refused it as "neither an http(s) URL nor a
// socket path"); a URL stays a URL.
func TestControlPathRelative(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("SMSGW_CONTROL", "")
	for _, c := range []struct{ flag, data, want string }{
		{"", ".", filepath.Join(dir, controlSocket)},
		{"", "rel", filepath.Join(dir, "rel", controlSocket)},
		{"s.sock", "", filepath.Join(dir, "s.sock")},
		{"http://127.0.0.1:8080", "", "http://127.0.0.1:8080"},
	} {
		if got := controlPath(c.flag, c.data); got != c.want {
			t.Errorf("controlPath(%q, %q) = %q, want %q", c.flag, c.data, got, c.want)
		}
	}
}

// TestSpoolAddToANewSpoolWarns: spool add where there is no spool makes
// one, and says that only a gateway with that data_dir sends it (it said
// "queued" alone).
func TestSpoolAddToANewSpoolWarns(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550123", "--text", "x")
	if code != ExitOK || !strings.HasPrefix(out, "queued ") || !strings.Contains(errOut, "there was no spool at") {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	_, _, errOut = runCmd(t, "", "spool", "add", "--data", dir, "--tenant", "t", "--to", "+13195550123", "--text", "y")
	if errOut != "" {
		t.Fatalf("a second add warned: %q", errOut)
	}
	// Nothing matches: an empty list, not null.
	if code, out, _ := runCmd(t, "", "spool", "list", "--data", dir, "--state", "cancelled", "--json"); code != ExitOK ||
		!strings.Contains(out, `"messages": []`) {
		t.Fatalf("empty list: %d %q", code, out)
	}
}

// TestSendToAStoppedGateway: send with no gateway running says so, and
// how to queue offline (it printed only "dial unix …: no such file").
func TestSendToAStoppedGateway(t *testing.T) {
	code, _, errOut := runCmd(t, "", "send", "--data", t.TempDir(), "--key", "k", "--to", "+13195550123", "--text", "x")
	if code != ExitFailure || !strings.Contains(errOut, "no gateway answers at") || !strings.Contains(errOut, "spool add") {
		t.Fatalf("exit %d %q", code, errOut)
	}
}
