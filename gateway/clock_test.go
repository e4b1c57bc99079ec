package gateway

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

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
	base := time.Now()
	s, err := spool.Open(filepath.Join(r.dir, "spool.db"), spool.Options{
		Now:       func() time.Time { return time.Now().Add(ahead) },
		Monotonic: func() time.Duration { return time.Since(base) },
	})
	if err != nil {
		t.Fatal(err)
	}
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
