package spool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestEnqueueIsDurable(t *testing.T) {
	s, clk := openTest(t, Options{})
	m := mustEnqueue(t, s, msg("+13195550123"))
	if m.State != StateQueued || len(m.ID) != 26 {
		t.Fatalf("stored = %+v", m)
	}
	s = reopen(t, s)
	got := mustGet(t, s, m.ID)
	if got.To != "+13195550123" || got.Body != "Help is on the way." || got.State != StateQueued {
		t.Fatalf("after reopen: %+v", got)
	}
	if len(got.Timeline) != 2 || got.Timeline[0].State != StateAccepted || got.Timeline[1].State != StateQueued {
		t.Fatalf("timeline = %+v", got.Timeline)
	}
	if !got.Timeline[0].At.Equal(clk.Now()) || !got.ValidUntil.Equal(clk.Now().Add(48*time.Hour)) {
		t.Fatalf("times: %v, valid until %v", got.Timeline[0].At, got.ValidUntil)
	}
	if !got.CreatedAt().Equal(clk.Now()) {
		t.Fatalf("CreatedAt = %v", got.CreatedAt())
	}
}

func TestEnqueueRefusesInvalid(t *testing.T) {
	s, _ := openTest(t, Options{})
	cases := map[string]*Message{
		"to":     {Tenant: "t", Body: "x"},
		"tenant": {To: "+1", Body: "x"},
		"body":   {Tenant: "t", To: "+1"},
		"from":   {Tenant: "t", To: "+1", Body: "x", From: strings.Repeat("9", 40)},
		"NUL":    {Tenant: "t\x00x", To: "+1", Body: "x"},
		"UTF-8":  {Tenant: "t", To: "+1", Body: "\xff"},
	}
	for want, m := range cases {
		_, _, err := s.Enqueue(context.Background(), m)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), strings.ToLower(want)) && !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	if st, _ := s.Stats(); st.States["queued"] != 0 {
		t.Fatalf("invalid messages were stored: %v", st.States)
	}
}

// TestScheduledValidity: without a validity, a scheduled message's
// default validity counts from its send time; a validity that ends
// before the send time is refused rather than accepted to expire.
func TestScheduledValidity(t *testing.T) {
	s, clk := openTest(t, Options{DefaultValidity: 48 * time.Hour})
	m := msg("+13195550100")
	m.SendAt = clk.Now().Add(7 * 24 * time.Hour)
	got := mustEnqueue(t, s, m)
	if want := m.SendAt.Add(48 * time.Hour).UTC(); !got.ValidUntil.Equal(want) {
		t.Errorf("valid until %s, want %s (48 h after the send time)", got.ValidUntil, want)
	}
	if got := mustEnqueue(t, s, msg("+13195550101")); !got.ValidUntil.Equal(clk.Now().Add(48 * time.Hour).UTC()) {
		t.Errorf("unscheduled: valid until %s, want 48 h from now", got.ValidUntil)
	}
	m = msg("+13195550102")
	m.SendAt, m.ValidUntil = clk.Now().Add(2*time.Hour), clk.Now().Add(time.Hour)
	if _, _, err := s.Enqueue(context.Background(), m); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "send_at") {
		t.Fatalf("validity before the send time: %v", err)
	}
}

func TestPriorityOrderUnderBacklog(t *testing.T) {
	s, clk := openTest(t, Options{})
	var normal []string
	for i := range 300 {
		normal = append(normal, mustEnqueue(t, s, msg(fmt.Sprintf("+1319555%04d", i))).ID)
	}
	clk.Add(time.Second) // the urgent ones arrive last
	high := msg("+13195559998")
	high.Priority = PriorityHigh
	hid := mustEnqueue(t, s, high).ID
	em := msg("+13195559999")
	em.Priority = PriorityEmergency
	eid := mustEnqueue(t, s, em).ID

	got := mustLease(t, s, 3)
	if got[0].ID != eid || got[1].ID != hid || got[2].ID != normal[0] {
		t.Fatalf("lease order = %s %s %s, want emergency %s, high %s, first normal %s",
			got[0].ID, got[1].ID, got[2].ID, eid, hid, normal[0])
	}
	// The rest of the normal lane comes in arrival order.
	rest := mustLease(t, s, 1000)
	if len(rest) != 299 {
		t.Fatalf("leased %d, want 299", len(rest))
	}
	for i, m := range rest {
		if m.ID != normal[i+1] {
			t.Fatalf("normal %d = %s, want %s", i, m.ID, normal[i+1])
		}
	}
	// An emergency-only lease ignores due normal messages.
	st, _ := s.Stats()
	if st.Queued["normal"] != 300 || st.States["sending"] != 302 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestEmergencyOnlyLease(t *testing.T) {
	s, _ := openTest(t, Options{})
	mustEnqueue(t, s, msg("+13195550001"))
	got, err := s.Lease(context.Background(), 10, PriorityEmergency)
	if err != nil || len(got) != 0 {
		t.Fatalf("emergency-only lease took %d normal (err %v)", len(got), err)
	}
	em := msg("+13195550002")
	em.Priority = PriorityEmergency
	mustEnqueue(t, s, em)
	got, _ = s.Lease(context.Background(), 10, PriorityEmergency)
	if len(got) != 1 || got[0].Priority != PriorityEmergency {
		t.Fatalf("got %v", got)
	}
}
