package spool

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestReservedID: an id from NewID is used by the Enqueue that brings
// it, once; anything else is refused.
func TestReservedID(t *testing.T) {
	s, _ := openTest(t, Options{})
	id := s.NewID()
	m := msg("+13195550001")
	m.ID = id
	got, _, err := s.Enqueue(bg, m)
	if err != nil || got.ID != id {
		t.Fatalf("enqueue with a reserved id: %v %v", got, err)
	}
	if _, _, err := s.Enqueue(bg, m); !errors.Is(err, ErrInvalid) {
		t.Fatalf("the same id twice: %v", err)
	}
	m.ID = "not-an-id"
	if _, _, err := s.Enqueue(bg, m); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a made-up id: %v", err)
	}
}

// TestRetryFailed: a failed message sent again is a new message that
// names the old one.
func TestRetryFailed(t *testing.T) {
	s, _ := openTest(t, Options{})
	m, _, err := s.Enqueue(bg, msg("+13195550001"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lease(bg, 1, PriorityNormal); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(bg, m.ID, 1, Result{Connector: "c", Err: Permanent("bad", errors.New("refused"))}); err != nil {
		t.Fatal(err)
	}
	again, err := s.Retry(bg, m.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID == m.ID || again.RetryOf != m.ID || again.State != StateQueued {
		t.Fatalf("retry %+v", again)
	}
	// Asked again (a double click, a second technician): the same new
	// message, not another copy to the recipient.
	twice, err := s.Retry(bg, m.ID, "ui:other")
	if err != nil || twice.ID != again.ID {
		t.Fatalf("second retry: %v, %v; want %s again", twice, err, again.ID)
	}
	if st, _ := s.Stats(); st.States[StateQueued.String()] != 1 {
		t.Fatalf("states %v; want one message queued", st.States)
	}
	if n := strings.Count(fmt.Sprint(mustGet(t, s, m.ID).Timeline), "retried as"); n != 1 {
		t.Fatalf("%d \"retried as\" notes", n)
	}
}

// TestOldestWaitingCountsDeferrals: a message deferred again and again
// (no usable route) has been waiting since it was accepted: Stats says
// so, though its next attempt is always a few seconds away. A message
// scheduled for later is not waiting yet.
func TestOldestWaitingCountsDeferrals(t *testing.T) {
	s, clk := openTest(t, Options{})
	m := mustEnqueue(t, s, msg("+13195550001"))
	later := msg("+13195550002")
	later.Priority, later.SendAt = PriorityEmergency, clk.Now().Add(time.Hour)
	mustEnqueue(t, s, later)
	for range 4 {
		clk.Add(10 * time.Second)
		leased := mustLease(t, s, 1)
		if len(leased) != 1 || leased[0].ID != m.ID {
			t.Fatalf("leased %+v", leased)
		}
		if err := s.Complete(bg, m.ID, leased[0].Attempts, Result{Defer: clk.Now().Add(5 * time.Second), Reason: "no route"}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.OldestDue["normal"]; got != 40_000 {
		t.Fatalf("normal waiting %d ms; want the 40 s since acceptance", got)
	}
	if got, ok := st.OldestDue["emergency"]; ok {
		t.Fatalf("a message scheduled for later counted as waiting %d ms", got)
	}
}
