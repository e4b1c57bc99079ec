package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/smpp/smscsim"
)

// The crash test runs the gateway in a child process (this test binary,
// re-executed) so that it can be killed with SIGKILL.
func TestMain(m *testing.M) {
	if cfg := os.Getenv("SMSGW_CRASH_CHILD"); cfg != "" {
		os.Exit(crashChild(cfg))
	}
	os.Exit(m.Run())
}

// crashChild runs a gateway over the config file until SIGTERM, and
// prints its HTTP address once it listens.
func crashChild(path string) int {
	cfg, err := configs.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	cfg.Listen.HTTP, cfg.Listen.SMPP = "127.0.0.1:0", ""
	g, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 4
	}
	fmt.Println(g.HTTPAddr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := g.Run(ctx); err != nil {
		return 1
	}
	return 0
}

// TestCrashUnderLoad: `serve` killed with SIGKILL while applications
// submit, then started again: every message acknowledged (HTTP 202) is
// delivered to the carrier. Duplicates (a part that went out before the
// kill but whose result was not recorded) are counted and reported.
func TestCrashUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("GATEWAY_CRASH_ROUNDS")); err == nil {
		rounds = n
	}
	sim, err := smscsim.New(smscsim.Options{Accounts: []smscsim.Account{{SystemID: "smsgw", Password: "carrierpw"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	port := sim.Addr()[strings.LastIndex(sim.Addr(), ":")+1:]
	y := fmt.Sprintf(`data_dir: %s
listen: {http: 127.0.0.1:1, control: %s/smsgw.sock}
tenants:
  - id: t
    default_region: US
    senders: ["+13195550100"]
    default_sender: "+13195550100"
    api_keys: [{id: k, key: %q}]
connectors:
  - {name: carrier-a, type: smpp, enabled: true, host: 127.0.0.1, port: %s, system_id: smsgw, password: carrierpw, window: 20,
     reconnect: {initial: 20ms, max: 100ms}}
routes:
  - {match: {tenant: t}, connectors: [carrier-a]}
`, dir, dir, testKey, port)
	cfgPath := filepath.Join(dir, "smsgw.yaml")
	if err := os.WriteFile(cfgPath, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SMSGW_CRASH_CHILD="+cfgPath)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n') // the child prints its address once it listens
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the gateway did not start:", err)
		}
		return cmd, "http://" + strings.TrimSpace(line)
	}
	var (
		mu    sync.Mutex
		acked = map[string]string{} // recipient → message id
	)
	for round := range rounds {
		cmd, url := start()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var wg sync.WaitGroup
		stopLoad := make(chan struct{})
		enough := make(chan struct{}) // this round has had 300 acknowledged
		var once sync.Once
		n := 0
		for w := range 8 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stopLoad:
						return
					case <-ctx.Done():
						return
					default:
					}
					to := fmt.Sprintf("+1%d%d95550%03d", 2+round, 2+w, i) // a valid NANP number per round, worker and i
					b, _ := json.Marshal(map[string]string{"to": to, "text": "Crash test " + to})
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/v1/messages", bytes.NewReader(b))
					req.Header.Set("Authorization", "Bearer "+testKey)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						return // the gateway died: this one was never acknowledged
					}
					var m struct{ ID string }
					json.NewDecoder(resp.Body).Decode(&m)
					resp.Body.Close()
					if resp.StatusCode == http.StatusAccepted {
						mu.Lock()
						acked[to] = m.ID
						n++
						if n >= 300 {
							once.Do(func() { close(enough) })
						}
						mu.Unlock()
					}
				}
			})
		}
		select {
		case <-enough:
		case <-ctx.Done():
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		close(stopLoad)
		wg.Wait()
		cancel()
	}
	// A last start delivers what the kills left behind; then a clean stop.
	cmd, _ := start()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	mu.Lock()
	want := len(acked)
	mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got := map[string]int{}
	for total := want; ; {
		subs, err := sim.WaitSubmits(ctx, total)
		if err != nil {
			break
		}
		got = map[string]int{}
		for _, s := range subs {
			got["+"+s.Dest.Addr]++
		}
		missing := 0
		for to := range acked {
			if got[to] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		total = len(subs) + missing
	}
	var lost []string
	dups := 0
	for to, id := range acked {
		if got[to] == 0 {
			lost = append(lost, to+" ("+id+")")
		}
		if got[to] > 1 {
			dups += got[to] - 1
		}
	}
	t.Logf("%d rounds: %d messages acknowledged, %d delivered to the carrier, %d duplicates", rounds, want, want-len(lost), dups)
	if len(lost) > 0 {
		t.Fatalf("%d acknowledged messages never reached the carrier: %v", len(lost), lost[:min(10, len(lost))])
	}
}
