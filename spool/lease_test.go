package spool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

var bg = context.Background()

func TestLeaseExpiryMakesMessageDueAgain(t *testing.T) {
	s, clk := openTest(t, Options{Lease: time.Minute})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	first := mustLease(t, s, 1)
	if len(first) != 1 || first[0].Attempts != 1 || first[0].State != StateSending {
		t.Fatalf("first lease = %+v", first)
	}
	if again := mustLease(t, s, 1); len(again) != 0 {
		t.Fatal("a leased message was leased twice before its lease ended")
	}
	clk.Add(time.Minute)
	again := mustLease(t, s, 1)
	if len(again) != 1 || again[0].ID != id || again[0].Attempts != 2 {
		t.Fatalf("after expiry = %+v", again)
	}
	if !hasDetail(again[0], "no result before the lease ended; possible duplicate") {
		t.Fatalf("timeline does not record the lost attempt: %+v", again[0].Timeline)
	}
	// The first attempt's late result is recorded, not applied.
	err := s.Complete(bg, id, 1, Result{Connector: "modem-1", ProviderIDs: []string{"17"}})
	if !errors.Is(err, ErrStaleLease) {
		t.Fatalf("late result err = %v", err)
	}
	m := mustGet(t, s, id)
	if m.State != StateSending || !hasDetail(m, "late result of attempt 1 ignored: it was sent (17)") {
		t.Fatalf("after late result: state %s, %+v", m.State, m.Timeline)
	}
}

func TestLeaseExpiryWithoutAttemptsLeftFails(t *testing.T) {
	s, clk := openTest(t, Options{Lease: time.Minute, Retry: RetryPolicy{MaxAttempts: 1}})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	mustLease(t, s, 1)
	clk.Add(time.Minute)
	if got := mustLease(t, s, 1); len(got) != 0 {
		t.Fatalf("leased again with no attempts left: %+v", got)
	}
	if m := mustGet(t, s, id); m.State != StateFailed || !strings.Contains(m.Reason, "outcome is unknown") {
		t.Fatalf("state %s reason %q", m.State, m.Reason)
	}
}

func TestOpenRecoversLeases(t *testing.T) {
	s, _ := openTest(t, Options{})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	mustEnqueue(t, s, msg("+13195550002"))
	mustLease(t, s, 1)
	s = reopen(t, s)
	m := mustGet(t, s, id)
	if m.State != StateQueued || m.Attempts != 1 || !hasDetail(m, "recovered at start: attempt 1 was in flight; possible duplicate") {
		t.Fatalf("after reopen: %s attempts %d %+v", m.State, m.Attempts, m.Timeline)
	}
	got := mustLease(t, s, 5)
	if len(got) != 2 || got[0].ID != id || got[0].Attempts != 2 {
		t.Fatalf("recovered message not due first: %+v", got)
	}
	if st, _ := s.Stats(); st.States["sending"] != 2 || st.States["queued"] != 0 {
		t.Fatalf("counts after recovery: %v", st.States)
	}
}

func TestRetrySchedule(t *testing.T) {
	s, clk := openTest(t, Options{Retry: RetryPolicy{Base: 10 * time.Second, Max: time.Minute, MaxAttempts: 5}})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	fail := Retryable("throttled", errors.New("ESME_RTHROTTLED"))
	// Jitter 0.5 is the middle of the range: waits are exact.
	for i, wait := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute} {
		got := mustLease(t, s, 1)
		if len(got) != 1 || got[0].Attempts != i+1 {
			t.Fatalf("attempt %d: lease = %+v", i+1, got)
		}
		if err := s.Complete(bg, id, i+1, Result{Connector: "carrier-a", Err: fail}); err != nil {
			t.Fatal(err)
		}
		m := mustGet(t, s, id)
		if m.State != StateQueued || !m.NextAt.Equal(clk.Now().Add(wait)) {
			t.Fatalf("attempt %d: state %s next %v, want queued at +%v", i+1, m.State, m.NextAt.Sub(clk.Now()), wait)
		}
		clk.Add(wait - time.Millisecond)
		if got := mustLease(t, s, 1); len(got) != 0 {
			t.Fatalf("attempt %d: due before its time", i+1)
		}
		clk.Add(time.Millisecond)
	}
	mustLease(t, s, 1)
	if err := s.Complete(bg, id, 5, Result{Connector: "carrier-a", Err: fail}); err != nil {
		t.Fatal(err)
	}
	m := mustGet(t, s, id)
	if m.State != StateFailed || !strings.Contains(lastEvent(m).Detail, "attempt limit 5 reached") {
		t.Fatalf("after the last attempt: %s %+v", m.State, lastEvent(m))
	}
}

func TestRetryJitterSpreads(t *testing.T) {
	p := RetryPolicy{Base: 10 * time.Second, Max: time.Minute, Jitter: 0.2}
	if lo, hi := p.backoff(1, 0), p.backoff(1, 0.999999); lo != 8*time.Second || hi < 11900*time.Millisecond {
		t.Fatalf("jitter range = %v..%v, want 8s..12s", lo, hi)
	}
	if d := p.backoff(30, 0.5); d != time.Minute {
		t.Fatalf("backoff(30) = %v, want the 1m cap", d)
	}
}

// TestRetryWithoutJitter: a negative Jitter is none (the configuration's
// jitter: 0); zero is the default.
func TestRetryWithoutJitter(t *testing.T) {
	o := Options{Retry: RetryPolicy{Base: 10 * time.Second, Max: time.Minute, Jitter: -1}}.withDefaults()
	if lo, hi := o.Retry.backoff(1, 0), o.Retry.backoff(1, 0.999999); lo != 10*time.Second || hi != 10*time.Second {
		t.Fatalf("without jitter: %v..%v, want 10s", lo, hi)
	}
	if d := (Options{}).withDefaults().Retry.Jitter; d != 0.2 {
		t.Fatalf("default jitter %g", d)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.ReportReq = true
	id := mustEnqueue(t, s, m).ID
	mustLease(t, s, 1)
	err := s.Complete(bg, id, 1, Result{Connector: "carrier-a", Err: Permanent("invalid_dest", errors.New("ESME_RINVDSTADR"))})
	if err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, id)
	if got.State != StateFailed || got.Attempts != 1 || !strings.Contains(got.Reason, "invalid_dest") {
		t.Fatalf("got %s attempts %d reason %q", got.State, got.Attempts, got.Reason)
	}
	if st, _ := s.Stats(); st.Outbox != 1 {
		t.Fatalf("no report queued for the submitter: outbox %d", st.Outbox)
	}
}

func TestValidityExpiry(t *testing.T) {
	s, clk := openTest(t, Options{Retry: RetryPolicy{Base: time.Minute}})
	m := msg("+13195550001")
	m.ValidUntil = clk.Now().Add(90 * time.Second)
	id := mustEnqueue(t, s, m).ID
	mustLease(t, s, 1)
	// The next attempt would be at +60s, inside the validity: retried.
	if err := s.Complete(bg, id, 1, Result{Err: Retryable("timeout", nil)}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	mustLease(t, s, 1)
	// The next one would be at +120s from now: past the validity.
	if err := s.Complete(bg, id, 2, Result{Err: Retryable("timeout", nil)}); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, id)
	if got.State != StateExpired || !strings.Contains(got.Reason, "validity ends before the next attempt") {
		t.Fatalf("got %s %q", got.State, got.Reason)
	}

	// A queued message whose validity passes is expired when it comes up.
	m2 := msg("+13195550002")
	m2.ValidUntil = clk.Now().Add(time.Second)
	m2.SendAt = clk.Now().Add(500 * time.Millisecond)
	id2 := mustEnqueue(t, s, m2).ID
	clk.Add(time.Hour)
	if got := mustLease(t, s, 5); len(got) != 0 {
		t.Fatalf("leased an expired message: %+v", got)
	}
	if m := mustGet(t, s, id2); m.State != StateExpired || !strings.Contains(m.Reason, "validity ended") {
		t.Fatalf("got %s %q", m.State, m.Reason)
	}
}

func TestDeferDoesNotCountAnAttempt(t *testing.T) {
	s, clk := openTest(t, Options{})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	mustLease(t, s, 1)
	err := s.Complete(bg, id, 1, Result{Defer: clk.Now().Add(5 * time.Second), Reason: "no connector is ready"})
	if err != nil {
		t.Fatal(err)
	}
	m := mustGet(t, s, id)
	if m.State != StateQueued || m.Attempts != 0 || !m.NextAt.Equal(clk.Now().Add(5*time.Second)) {
		t.Fatalf("deferred: %s attempts %d next %v", m.State, m.Attempts, m.NextAt)
	}
}

func TestScheduledAndCancel(t *testing.T) {
	s, clk := openTest(t, Options{})
	m := msg("+13195550001")
	m.SendAt = clk.Now().Add(time.Hour)
	id := mustEnqueue(t, s, m).ID
	if got := mustLease(t, s, 5); len(got) != 0 {
		t.Fatal("a scheduled message was sent early")
	}
	c, err := s.Cancel(bg, id, "ui:alice")
	if err != nil || c.State != StateCancelled {
		t.Fatalf("cancel = %v, %v", c, err)
	}
	clk.Add(2 * time.Hour)
	if got := mustLease(t, s, 5); len(got) != 0 {
		t.Fatal("a cancelled message was sent")
	}
	if _, err := s.Cancel(bg, id, "ui:alice"); !errors.Is(err, ErrFinal) {
		t.Fatalf("second cancel err = %v", err)
	}
	id2 := mustEnqueue(t, s, msg("+13195550002")).ID
	mustLease(t, s, 1)
	if _, err := s.Cancel(bg, id2, "cli"); !errors.Is(err, ErrNotCancellable) {
		t.Fatalf("cancel while sending err = %v", err)
	}
	// A retry of a message being sent is refused as ErrFinal's kind, in
	// words that do not call it final.
	if _, err := s.Retry(bg, id2, "cli"); !errors.Is(err, ErrFinal) || strings.Contains(err.Error(), "is in a final state") ||
		!strings.Contains(err.Error(), "is sending") {
		t.Fatalf("retry while sending err = %v", err)
	}
	if _, err := s.Cancel(bg, "01JNOTANID", "cli"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cancel of a bad id err = %v", err)
	}
}

func TestIdempotency(t *testing.T) {
	s, clk := openTest(t, Options{IdempotencyTTL: time.Hour})
	m := msg("+13195550001")
	m.Idempotency = "req-42"
	first, replayed, err := s.Enqueue(bg, m)
	if err != nil || replayed {
		t.Fatal(err, replayed)
	}
	second, replayed, err := s.Enqueue(bg, m)
	if err != nil || !replayed || second.ID != first.ID {
		t.Fatalf("replay = %s %v %v, want %s", second.ID, replayed, err, first.ID)
	}
	other := msg("+13195550002")
	other.Idempotency = "req-42"
	if _, _, err := s.Enqueue(bg, other); !errors.Is(err, ErrIdempotencyConflict) {
		t.Fatalf("reuse with another recipient err = %v", err)
	}
	// The same text as an emergency, or scheduled, is another message.
	urgent := msg("+13195550001")
	urgent.Idempotency, urgent.Priority = "req-42", PriorityEmergency
	if _, _, err := s.Enqueue(bg, urgent); !errors.Is(err, ErrIdempotencyConflict) || !strings.Contains(err.Error(), "normal message") {
		t.Fatalf("reuse as an emergency err = %v", err)
	}
	later := msg("+13195550001")
	later.Idempotency, later.SendAt = "req-42", clk.Now().Add(time.Hour)
	if _, _, err := s.Enqueue(bg, later); !errors.Is(err, ErrIdempotencyConflict) {
		t.Fatalf("reuse scheduled err = %v", err)
	}
	otherTenant := msg("+13195550001")
	otherTenant.Tenant, otherTenant.Idempotency = "council", "req-42"
	if _, replayed, _ := s.Enqueue(bg, otherTenant); replayed {
		t.Fatal("idempotency keys leaked across tenants")
	}
	clk.Add(time.Hour + time.Millisecond)
	third, replayed, err := s.Enqueue(bg, m)
	if err != nil || replayed || third.ID == first.ID {
		t.Fatalf("after the TTL: %v %v", replayed, err)
	}
	if st, _ := s.Stats(); st.States["queued"] != 3 {
		t.Fatalf("queued = %d, want 3", st.States["queued"])
	}
}

func hasDetail(m *Message, want string) bool {
	for _, e := range m.Timeline {
		if strings.Contains(e.Detail, want) {
			return true
		}
	}
	return false
}

func TestRepeatedDeferralsKeepTheTimelineShort(t *testing.T) {
	s, clk := openTest(t, Options{})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	for range 50 {
		got := mustLease(t, s, 1)
		if len(got) != 1 {
			t.Fatal("not due")
		}
		if err := s.Complete(bg, id, got[0].Attempts, Result{Defer: clk.Now().Add(time.Second), Reason: "no connector is ready"}); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Second)
	}
	m := mustGet(t, s, id)
	if len(m.Timeline) != 3 || !strings.Contains(lastEvent(m).Detail, "deferred: no connector is ready (×50") || m.Attempts != 0 {
		t.Fatalf("timeline after 50 deferrals (%d entries): %+v", len(m.Timeline), m.Timeline)
	}
}

// TestPartWithoutIDIsNotSentAgain: a carrier that took part 1 without
// giving an id (a broken submit_sm_resp) has still taken it. The retry
// sends from part 2 (SentParts, which the connectors use), and its id is
// filed for part 2, where its receipt finds it. Before, the spool filed
// it for part 1 while the carrier had sent part 2.
func TestPartWithoutIDIsNotSentAgain(t *testing.T) {
	s, clk := openTest(t, Options{Retry: RetryPolicy{Base: time.Second}})
	m := msg("+13195550001")
	m.Segments = 2
	id := mustEnqueue(t, s, m).ID
	mustLease(t, s, 1)
	if err := s.Complete(bg, id, 1, Result{Connector: "carrier-a", ProviderIDs: []string{""},
		Err: Retryable("timeout", errors.New("no submit_sm_resp"))}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	got := mustLease(t, s, 1)
	if n := got[0].SentParts(); n != 1 {
		t.Fatalf("SentParts %d, want 1: part 1 went out", n)
	}
	if err := s.Complete(bg, id, 2, Result{Connector: "carrier-a", ProviderIDs: []string{"B2"}}); err != nil {
		t.Fatal(err)
	}
	after := mustGet(t, s, id)
	if len(after.Parts) != 2 || after.Parts[0].ProviderID != "" || after.Parts[1].ProviderID != "B2" {
		t.Fatalf("parts %+v", after.Parts)
	}
	if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: "B2", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	if p := mustGet(t, s, id).Parts[1]; p.State != StateDelivered {
		t.Fatalf("part 2 after its receipt: %+v", p)
	}
}

func TestPartialSendRecordsWhichPartsWentOut(t *testing.T) {
	s, clk := openTest(t, Options{Retry: RetryPolicy{Base: time.Second}})
	m := msg("+13195550001")
	m.Segments = 3
	id := mustEnqueue(t, s, m).ID
	mustLease(t, s, 1)
	if err := s.Complete(bg, id, 1, Result{Connector: "modem-1", ProviderIDs: []string{"7/+13195550001"},
		Err: Retryable("cms_38", errors.New("network out of order"))}); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, id)
	if got.State != StateQueued || len(got.Parts) != 1 || got.Parts[0].Seq != 1 || got.Parts[0].ProviderID != "7/+13195550001" {
		t.Fatalf("after a partial send: %s %+v", got.State, got.Parts)
	}
	clk.Add(time.Second)
	mustLease(t, s, 1)
	if err := s.Complete(bg, id, 2, Result{Connector: "modem-1", ProviderIDs: []string{"8/+13195550001", "9/+13195550001"}}); err != nil {
		t.Fatal(err)
	}
	got = mustGet(t, s, id)
	if got.State != StateSent || len(got.Parts) != 3 || got.Parts[1].Seq != 2 || got.Parts[2].ProviderID != "9/+13195550001" {
		t.Fatalf("after the rest: %s %+v", got.State, got.Parts)
	}
	// Each part's receipt is found.
	for _, pid := range []string{"7/+13195550001", "8/+13195550001", "9/+13195550001"} {
		if _, err := s.ApplyReport(bg, Report{Connector: "modem-1", ProviderID: pid, State: StateDelivered}); err != nil {
			t.Fatal(pid, err)
		}
	}
	if got := mustGet(t, s, id); got.State != StateDelivered {
		t.Fatalf("state %s", got.State)
	}
}

// TestRefusedPartWayKeepsTheSentParts: a long message the carrier
// refuses for good at part 2 fails, and says part 1 went out; part 1's
// later DELIVRD is recorded on the part (it was dropped as "late or
// duplicate"), and the message stays failed.
func TestRefusedPartWayKeepsTheSentParts(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.Segments = 3
	id := mustEnqueue(t, s, m).ID
	mustLease(t, s, 1)
	if err := s.Complete(bg, id, 1, Result{Connector: "carrier-a", ProviderIDs: []string{"A1"},
		Err: Permanent("smpp_0x0000000b", errors.New("ESME_RINVDSTADR"))}); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, id)
	if got.State != StateFailed || !strings.Contains(got.Reason, "part(s) 1-1 of 3 had gone out") ||
		!hasDetail(got, "part(s) 1-1 of 3 had gone out") {
		t.Fatalf("%s reason %q timeline %+v", got.State, got.Reason, got.Timeline)
	}
	if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: "A1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	got = mustGet(t, s, id)
	if got.State != StateFailed || got.Parts[0].State != StateDelivered || !hasDetail(got, "DELIVRD (the message had ended failed)") {
		t.Fatalf("%s parts %+v timeline %+v", got.State, got.Parts, got.Timeline)
	}
	// A duplicate of it is still a duplicate.
	if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: "A1", State: StateUndelivered}); err != nil {
		t.Fatal(err)
	}
	if got = mustGet(t, s, id); got.Parts[0].State != StateDelivered || !hasDetail(got, "late or duplicate report ignored") {
		t.Fatalf("parts %+v timeline %+v", got.Parts, got.Timeline)
	}
}

// TestUnusableProviderIDIsNoID: a carrier's 40 KB message id (or one
// with control bytes) is kept as no id: the message is sent and says no
// report can be matched. The 40 KB id failed the record (bbolt's key
// limit) and left the message "sending" until it was sent again.
func TestUnusableProviderIDIsNoID(t *testing.T) {
	for _, pid := range []string{strings.Repeat("a", 40000), strings.Repeat("7", MaxProviderID+1), "12\x0034", "caf\xc3\xa9"} {
		s, _ := openTest(t, Options{})
		mustEnqueue(t, s, msg("+13195550001"))
		l := mustLease(t, s, 1)[0]
		if err := s.Complete(bg, l.ID, l.Attempts, Result{Connector: "carrier-a", ProviderIDs: []string{pid}}); err != nil {
			t.Fatalf("%d octets: %v", len(pid), err)
		}
		m := mustGet(t, s, l.ID)
		if m.State != StateSent || len(m.Parts) != 1 || m.Parts[0].ProviderID != "" || !hasDetail(m, "no usable message id") {
			t.Fatalf("%d octets: %s parts %+v", len(pid), m.State, m.Parts)
		}
		if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: pid, State: StateDelivered}); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrReportParked) {
			t.Fatalf("%d octets: report %v, want not found and not parked", len(pid), err)
		}
	}
	s, _ := openTest(t, Options{})
	if id := sendOne(t, s, msg("+13195550001"), "carrier-a", strings.Repeat("7", MaxProviderID)); mustGet(t, s, id).Parts[0].ProviderID == "" {
		t.Fatal("an id of MaxProviderID octets was dropped")
	}
	// A carrier that pads its ids with CR LF: kept without them, and its
	// receipt, padded or not, finds the message.
	id := sendOne(t, s, msg("+13195550002"), "carrier-a", "4711\r\n")
	if m, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: "4711", State: StateDelivered}); err != nil || m.ID != id || m.Parts[0].ProviderID != "4711" {
		t.Fatalf("receipt for a padded id: %+v %v", m, err)
	}
	id = sendOne(t, s, msg("+13195550003"), "carrier-a", "4712")
	if m, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: " 4712\t", State: StateDelivered}); err != nil || m.ID != id {
		t.Fatalf("a padded receipt: %+v %v", m, err)
	}
}

// TestSentWithoutAnIDSaysNoReportWillCome: a carrier that accepted a part
// without a message id (mandatory in SMPP) leaves the message "sent" for
// good; the timeline says why, where the client reads it (only the log
// said so).
func TestSentWithoutAnIDSaysNoReportWillCome(t *testing.T) {
	s, _ := openTest(t, Options{})
	mustEnqueue(t, s, msg("+13195550001"))
	l := mustLease(t, s, 1)[0]
	if err := s.Complete(bg, l.ID, l.Attempts, Result{Connector: "carrier-a", ProviderIDs: []string{""}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Get(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != StateSent || !hasDetail(m, "no delivery report can be matched") {
		t.Fatalf("%s, timeline %+v", m.State, m.Timeline)
	}
}
