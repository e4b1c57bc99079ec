package gateway

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/configs/testcert"
	"github.com/smsgw/smsgw/smpp/smscsim"
	"github.com/smsgw/smsgw/spool"
)

// A board without a clock battery restarts with its clock hours behind
// the real time, which its spool had recorded before the stop. What was
// queued before the stop goes at once, not when the clock catches up; a
// new message's validity is read against the spool's time (an ingress
// reading the system clock would store a validity that has already
// ended); webhooks are signed with the spool's time, which the
// application's clock agrees with; the status says so.
func TestClockBehindAfterRestart(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, sim: smscsim.Options{IDFormat: smscsim.IDHexLower, ReceiptIDFormat: smscsim.IDDecimal}})
	cfg := r.g.cfg.Load()
	r.stop()

	// The real time is three hours after this machine's clock: the
	// spool recorded it before the stop, the application has it.
	ahead := 3 * time.Hour
	r.hookNow.Store(func() time.Time { return time.Now().Add(ahead) })
	s := openAhead(t, r.dir, ahead)
	old, _, err := s.Enqueue(t.Context(), &spool.Message{Tenant: "psap-north", From: "+13195550100", To: "+13195550123",
		Body: "Queued before the power cut", Source: "http:cad-1", ReportReq: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r.start(cfg)
	r.waitReady("carrier-a")
	if ev := r.waitHook(old.ID); ev.Message.Status != "delivered" {
		t.Fatalf("the message queued before the stop: %+v", ev.Message)
	}
	code, body := r.post(testKey, map[string]any{"to": "+13195550124", "text": "Call us back", "validity": "10m"})
	if code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, body)
	}
	if ev := r.waitHook(body["id"].(string)); ev.Message.Status != "delivered" {
		t.Fatalf("a message with 10 minutes' validity, after the restart: %+v", ev.Message)
	}
	code, st := r.do(http.MethodGet, "/api/v1/status", testKey, nil)
	clk, _ := st["clock"].(map[string]any)
	if behind, _ := clk["behind_s"].(float64); code != http.StatusOK || behind < ahead.Seconds()-60 {
		t.Fatalf("status: %d clock %v", code, st["clock"])
	}
}

// A carrier bound over TLS checks the carrier's certificate against the
// spool's time: a certificate valid only from an hour after this
// machine's clock (the spool is three hours ahead: the real time) binds.
func TestCarrierTLSUsesTheSpoolsClock(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, sim: smscsim.Options{IDFormat: smscsim.IDHexLower, ReceiptIDFormat: smscsim.IDDecimal}})
	cfg := r.g.cfg.Load()
	r.stop()
	if err := openAhead(t, r.dir, 3*time.Hour).Close(); err != nil {
		t.Fatal(err)
	}

	// A TLS front for the simulated carrier, with a certificate that is
	// not yet valid by this machine's clock.
	cert := testcert.New(t, time.Now().Add(time.Hour), time.Now().Add(48*time.Hour))
	ca := filepath.Join(r.dir, "smsc-ca.pem")
	if err := os.WriteFile(ca, cert.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert.TLS}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", r.sim.Addr())
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				io.Copy(c, up)
			}()
		}
	}()

	next := *cfg
	next.Connectors = slices.Clone(cfg.Connectors)
	sm := *next.Connectors[0].SMPP
	sm.Port = ln.Addr().(*net.TCPAddr).Port
	sm.TLS = configs.ClientTLS{Enabled: true, CAFile: ca}
	next.Connectors[0].SMPP = &sm
	r.start(&next)
	r.waitReady("carrier-a")
}

// openAhead opens the gateway's spool in dir on a clock ahead of this
// machine's by ahead: what a spool holds after running on the real time
// when the machine restarts with its clock behind.
func openAhead(t *testing.T, dir string, ahead time.Duration) *spool.Store {
	t.Helper()
	base := time.Now()
	s, err := spool.Open(filepath.Join(dir, "spool.db"), spool.Options{
		Now:       func() time.Time { return time.Now().Add(ahead) },
		Monotonic: func() time.Duration { return time.Since(base) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
