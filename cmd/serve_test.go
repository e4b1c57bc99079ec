package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smsgw/smsgw/gateway"
)

// startDemo runs `smsgw serve --demo` on dir until the test ends and
// returns once it has printed its credentials (after its listeners are
// up).
func startDemo(t *testing.T, dir string) (stop func() int) {
	t.Helper()
	root := newRootCmd(BuildInfo{Version: "test"})
	pr, pw := io.Pipe()
	root.SetOut(pw)
	root.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, root, []string{"serve", "--demo", "--data", dir, "--http", "127.0.0.1:0", "--smpp", "127.0.0.1:0"})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Send a message:") {
			go io.Copy(io.Discard, pr)
			return func() int { cancel(); return <-code }
		}
	}
	cancel()
	t.Fatalf("the demo stopped before it was up (exit %d)", <-code)
	return nil
}

// TestDemo: the demo serves, `smsgw send` goes through its control
// socket and the message is delivered by the simulated carrier; a
// second run on the same data directory keeps the spool and the
// credentials.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	stop := startDemo(t, dir)
	read := func() gateway.DemoInfo {
		var info gateway.DemoInfo
		b, err := os.ReadFile(filepath.Join(dir, "demo.json"))
		if err == nil {
			err = json.Unmarshal(b, &info)
		}
		if err != nil || info.APIKey == "" || !strings.HasPrefix(info.HTTP, "http://127.0.0.1:") {
			t.Fatalf("demo.json: %v %+v", err, info)
		}
		return info
	}
	first := read()
	code, out, errOut := runCmd(t, "", "send", "--data", dir, "--to", "+15555550199", "--text", "Hello from smsgw", "--json")
	if code != 0 {
		t.Fatalf("send: %d %s", code, errOut)
	}
	var m struct{ ID, Status, Encoding string }
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.ID == "" || m.Encoding != "gsm7" {
		t.Fatalf("send printed %q", out)
	}
	// Scheduled, with a validity counted from the schedule.
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	code, out, errOut = runCmd(t, "", "send", "--data", dir, "--to", "+15555550199", "--text", "Later",
		"--send-at", at.Format(time.RFC3339), "--validity", "90m", "--json")
	var later struct {
		Status     string
		SendAt     time.Time `json:"send_at"`
		ValidUntil time.Time `json:"valid_until"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &later) != nil {
		t.Fatalf("send --send-at: %d %q %s", code, out, errOut)
	}
	if later.Status != "queued" || !later.SendAt.Equal(at) {
		t.Fatalf("send --send-at: %q", out)
	}
	if want := at.Add(90 * time.Minute); !later.ValidUntil.Equal(want) {
		t.Fatalf("valid until %v, want 90m after send_at (%v)", later.ValidUntil, want)
	}
	// A second demo on the same directory is refused, and leaves the
	// running one's files alone (it rewrote smsgw.demo.yaml, and the
	// running demo's next reload failed).
	yaml, _ := os.ReadFile(filepath.Join(dir, "smsgw.demo.yaml"))
	code, _, errOut = runCmd(t, "", "serve", "--demo", "--data", dir, "--http", "127.0.0.1:0", "--smpp", "127.0.0.1:0")
	if again, _ := os.ReadFile(filepath.Join(dir, "smsgw.demo.yaml")); code != ExitFailedStartup ||
		!strings.Contains(errOut, "already runs") || !bytes.Equal(again, yaml) {
		t.Fatalf("a second demo: exit %d %q; demo file changed: %v", code, errOut, !bytes.Equal(again, yaml))
	}
	if c := stop(); c != 0 {
		t.Fatalf("serve exited %d", c)
	}
	stop = startDemo(t, dir)
	defer stop()
	if again := read(); again.APIKey != first.APIKey || again.SMPP.Password != first.SMPP.Password {
		t.Fatalf("credentials changed: %+v then %+v", first, again)
	}
	code, out, _ = runCmd(t, "", "send", "--data", dir, "--to", "+15555550198", "--text", "Again", "--json")
	if code != 0 {
		t.Fatalf("send after restart: %d", code)
	}
}

// TestServeNotifiesSystemd: under systemd (NOTIFY_SOCKET, WATCHDOG_USEC),
// serve says READY=1 once it listens, feeds the watchdog (after spool
// writes), and says STOPPING=1 when it stops.
func TestServeNotifiesSystemd(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	t.Setenv("WATCHDOG_USEC", "300000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	stop := startDemo(t, t.TempDir())
	got := map[string]bool{}
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for !got["READY=1"] || !got["WATCHDOG=1"] {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		for _, l := range strings.Split(string(buf[:n]), "\n") {
			got[l] = true
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	for !got["STOPPING=1"] {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no STOPPING=1 after the stop: %v (%v)", err, got)
		}
		got[string(buf[:n])] = true
	}
}

// TestDemoFailoverDrill is the README's drill in the demo: with
// demo-carrier's enabled set to false in smsgw.demo.yaml and a SIGHUP,
// the next message goes out through the modem, and the demo keeps
// running (a SIGHUP used to end it, as Go does by default).
func TestDemoFailoverDrill(t *testing.T) {
	dir := t.TempDir()
	stop := startDemo(t, dir)
	var info gateway.DemoInfo
	if b, err := os.ReadFile(filepath.Join(dir, "demo.json")); err != nil || json.Unmarshal(b, &info) != nil {
		t.Fatalf("demo.json: %v", err)
	}
	get := func(path string, v any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, info.HTTP+path, nil)
		req.Header.Set("Authorization", "Bearer "+info.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
	}
	// eventually polls cond (an HTTP view of the running demo) for up to
	// 30 s: the reload and the modem's report come in their own time.
	eventually := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after 30 s: %s", what)
			}
		}
	}

	path := filepath.Join(dir, "smsgw.demo.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "type: smpp\n    enabled: true", "type: smpp\n    enabled: false", 1)
	if edited == string(b) {
		t.Fatalf("no enabled: true for the carrier in %s", b)
	}
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually("demo-carrier still enabled", func() bool {
		var st struct {
			Connectors []struct {
				Name    string
				Enabled bool
			}
		}
		get("/api/v1/status", &st)
		for _, c := range st.Connectors {
			if c.Name == "demo-carrier" {
				return !c.Enabled
			}
		}
		return false
	})
	code, out, errOut := runCmd(t, "", "send", "--data", dir, "--to", "+15555550199", "--text", "Through the modem", "--json")
	if code != 0 {
		t.Fatalf("send: %d %s", code, errOut)
	}
	var sent struct{ ID string }
	if err := json.Unmarshal([]byte(out), &sent); err != nil {
		t.Fatalf("send printed %q", out)
	}
	var m struct{ Status, Connector string }
	eventually("message not delivered", func() bool {
		get("/api/v1/messages/"+sent.ID, &m)
		return m.Status == "delivered"
	})
	if m.Connector != "demo-modem" {
		t.Fatalf("delivered through %q, want demo-modem with the carrier disabled", m.Connector)
	}
	if c := stop(); c != 0 {
		t.Fatalf("serve exited %d", c)
	}
}
