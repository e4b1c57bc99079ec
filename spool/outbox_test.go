package spool

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
)

func TestReportOwedUpstreamIsRetriedUntilTaken(t *testing.T) {
	s, clk := openTest(t, Options{Retry: RetryPolicy{Base: 10 * time.Second}})
	m := msg("+13195550001")
	m.ReportReq, m.Source = true, "smpp:cad"
	id := sendOne(t, s, m, "carrier-a", "99")
	if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: "99", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	items, err := s.LeaseOutbox(bg, 10)
	if err != nil || len(items) != 1 {
		t.Fatalf("outbox = %v, %v", items, err)
	}
	it := items[0]
	if it.Kind != OutboxReport || it.MessageID != id || it.Target != "smpp:cad" || it.State != StateDelivered || it.Attempts != 1 {
		t.Fatalf("item = %+v", it)
	}
	if again, _ := s.LeaseOutbox(bg, 10); len(again) != 0 {
		t.Fatal("a leased outbox item was handed out twice")
	}
	// The application is not bound: retry later.
	if err := s.AckOutbox(bg, it.ID, 1, Retryable("not_bound", errors.New("no receiver bound for cad"))); err != nil {
		t.Fatal(err)
	}
	clk.Add(9 * time.Second)
	if got, _ := s.LeaseOutbox(bg, 10); len(got) != 0 {
		t.Fatal("retried before the backoff")
	}
	clk.Add(time.Second)
	got, _ := s.LeaseOutbox(bg, 10)
	if len(got) != 1 || got[0].Attempts != 2 || got[0].LastError == "" {
		t.Fatalf("retry = %+v", got)
	}
	if err := s.AckOutbox(bg, it.ID, 1, nil); !errors.Is(err, ErrStaleLease) {
		t.Fatalf("an ack for an old attempt: %v", err)
	}
	if err := s.AckOutbox(bg, it.ID, 2, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(); st.Outbox != 0 {
		t.Fatalf("outbox = %d after delivery", st.Outbox)
	}
	if !hasDetail(mustGet(t, s, id), "report (delivered) handed to smpp:cad") {
		t.Fatalf("timeline: %+v", mustGet(t, s, id).Timeline)
	}
}

// TestOutboxDueNow: the items owed to a target that wait for a retry
// become due at once (the application bound again); items for other
// targets keep their retry, and an item being delivered stays leased.
func TestOutboxDueNow(t *testing.T) {
	s, clk := openTest(t, Options{Retry: RetryPolicy{Base: 10 * time.Minute}})
	for i, target := range []string{"smpp:cad", "smpp:cad", "webhook", "smpp:cad"} {
		mo := &Message{Tenant: "psap-north", From: fmt.Sprintf("+1319555012%d", i), To: "+13195550100", Body: "help", Connector: "modem-1"}
		if _, err := s.Receive(bg, mo, target); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.LeaseOutbox(bg, 10)
	if err != nil || len(items) != 4 {
		t.Fatalf("outbox = %v, %v", items, err)
	}
	// Three wait for their retry; the last smpp:cad one is still being delivered.
	for _, it := range items[:3] {
		if err := s.AckOutbox(bg, it.ID, it.Attempts, Retryable("not_bound", errors.New("no receiver"))); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(time.Second)
	n, err := s.OutboxDueNow(bg, func(it *OutboxItem) bool { return it.Target == "smpp:cad" })
	if err != nil || n != 2 {
		t.Fatalf("OutboxDueNow = %d, %v; want the 2 waiting for smpp:cad", n, err)
	}
	got := mustLeaseOutbox(t, s)
	if len(got) != 2 || got[0].Target != "smpp:cad" || got[1].Target != "smpp:cad" || got[0].Attempts != 2 {
		t.Fatalf("due now: %+v", got)
	}
	if n, _ := s.OutboxDueNow(bg, func(it *OutboxItem) bool { return it.Target == "smpp:cad" }); n != 0 {
		t.Fatalf("OutboxDueNow moved %d leased items", n)
	}
	for _, it := range append(got, items[3]) {
		if err := s.AckOutbox(bg, it.ID, it.Attempts, nil); err != nil {
			t.Fatal(err) // the one in delivery kept its lease
		}
	}
	if next, _ := s.NextOutboxDue(); !next.After(clk.Now().Add(9 * time.Minute)) {
		t.Fatalf("the webhook item's retry moved: next due %v", next)
	}
}

// leaseOneOutbox leases the outbox and wants exactly one item, a report
// of state want; why names the step for the failure.
func leaseOneOutbox(t *testing.T, s *Store, want State, why string) *OutboxItem {
	t.Helper()
	items := mustLeaseOutbox(t, s)
	if len(items) != 1 || items[0].State != want {
		t.Fatalf("%s: leased %+v; want the report of %s alone", why, items, want)
	}
	return items[0]
}

func mustLeaseOutbox(t *testing.T, s *Store) []*OutboxItem {
	t.Helper()
	items, err := s.LeaseOutbox(bg, 10)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestReportAbandonedAfterPermanentError(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.ReportReq = true
	id := sendOne(t, s, m, "c", "1")
	s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered})
	items, _ := s.LeaseOutbox(bg, 1)
	if err := s.AckOutbox(bg, items[0].ID, 1, Permanent("webhook_410", errors.New("gone"))); err != nil {
		t.Fatal(err)
	}
	log, _ := s.AuditLog(0, 1)
	if log[0].Action != "report_abandoned" || log[0].MsgID != id {
		t.Fatalf("abandon not audited: %+v", log[0])
	}
	if st, _ := s.Stats(); st.Outbox != 0 {
		t.Fatal("abandoned item still queued")
	}
}

func TestInboundIsStoredAndOwed(t *testing.T) {
	s, _ := openTest(t, Options{})
	mo := &Message{Tenant: "psap-north", From: "+13195550123", To: "+13195550100", Body: "STOP", Connector: "modem-1"}
	stored, err := s.Receive(bg, mo, "webhook")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Direction != MO || stored.State != StateReceived {
		t.Fatalf("stored = %+v", stored)
	}
	s = reopen(t, s)
	page, _ := s.List(Filter{Direction: MO}, "", 10)
	if len(page.Messages) != 1 || page.Messages[0].Body != "STOP" {
		t.Fatalf("inbound list = %+v", page.Messages)
	}
	items, _ := s.LeaseOutbox(bg, 10)
	if len(items) != 1 || items[0].Kind != OutboxInbound || items[0].MessageID != stored.ID || items[0].Target != "webhook" {
		t.Fatalf("outbox = %+v", items)
	}
	if got := mustLease(t, s, 10); len(got) != 0 {
		t.Fatal("an inbound message was leased for sending")
	}
}

// fakeDeliverer fails the first delivery of each item, then takes it.
type fakeDeliverer struct {
	mu    sync.Mutex
	seen  map[string]int
	taken chan *OutboxItem
}

func (d *fakeDeliverer) Deliver(_ context.Context, it *OutboxItem, m *Message) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen[it.ID]++
	if d.seen[it.ID] == 1 {
		return Retryable("not_bound", errors.New("receiver not bound"))
	}
	if m.ID != it.MessageID {
		return Permanent("mismatch", errors.New("wrong message"))
	}
	d.taken <- it
	return nil
}

func TestOutboxDispatcherDeliversWithRetry(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "spool.db"), Options{Retry: RetryPolicy{Base: time.Millisecond, Max: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mo := &Message{Tenant: "psap-north", From: "+13195550123", To: "+13195550100", Body: "I need help", Connector: "modem-1"}
	stored, err := s.Receive(bg, mo, "smpp:cad")
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDeliverer{seen: map[string]int{}, taken: make(chan *OutboxItem, 1)}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { (&OutboxDispatcher{Store: s, Deliverer: d}).Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case it := <-d.taken:
		if it.MessageID != stored.ID || it.Attempts != 2 {
			t.Fatalf("delivered %+v", it)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the inbound message never reached the upstream application")
	}
	cancel()
	<-done
	if st, _ := s.Stats(); st.Outbox != 0 {
		t.Fatalf("outbox = %d after delivery", st.Outbox)
	}
	if !hasDetail(mustGet(t, s, stored.ID), "inbound message handed to smpp:cad") {
		t.Fatalf("timeline: %+v", mustGet(t, s, stored.ID).Timeline)
	}
}

// TestReportFailOnly: a message that asked for failure reports only
// (SMPP registered_delivery 2) owes none when delivered, one when it
// failed; the flag survives the record codec.
func TestReportFailOnly(t *testing.T) {
	s, _ := openTest(t, Options{})
	for i, final := range []State{StateDelivered, StateUndelivered} {
		m := msg("+13195550001")
		m.ReportReq, m.ReportFailOnly, m.Source = true, true, "smpp:cad"
		pid := fmt.Sprint(70 + i)
		id := sendOne(t, s, m, "carrier-a", pid)
		if !mustGet(t, s, id).ReportFailOnly {
			t.Fatal("report_fail_only lost on disk")
		}
		if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: pid, State: final}); err != nil {
			t.Fatal(err)
		}
		items, err := s.LeaseOutbox(bg, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if final != StateDelivered {
			want = 1
		}
		if len(items) != want {
			t.Fatalf("%s: %d reports owed, want %d", final, len(items), want)
		}
		for _, it := range items {
			s.AckOutbox(bg, it.ID, it.Attempts, nil)
		}
	}
}

// A caller's inbound text and an emergency message's report are urgent:
// they are leased before a backlog of ordinary reports that came due
// before them. An urgent key left behind by a version without the urgent
// queue (it deleted the item) is dropped, not delivered.
func TestUrgentOutboxItemsFirst(t *testing.T) {
	s, clk := openTest(t, Options{})
	for i := range 20 {
		m := msg(fmt.Sprintf("+131955501%02d", i))
		m.ReportReq, m.Source = true, "http:cad-1"
		sendOne(t, s, m, "carrier-a", fmt.Sprint(100+i))
		if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: fmt.Sprint(100 + i), State: StateDelivered}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(time.Second)
	urgent := msg("+13195550199")
	urgent.ReportReq, urgent.Source, urgent.Priority = true, "http:cad-1", PriorityEmergency
	uid := sendOne(t, s, urgent, "carrier-a", "999")
	if _, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: "999", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	mo, err := s.Receive(bg, &Message{Tenant: "psap-north", From: "+13195550177", To: "+13195550100",
		Body: "trapped on the roof", Connector: "modem-1"}, "webhook")
	if err != nil {
		t.Fatal(err)
	}
	// A stale urgent key: its item is gone.
	var ghost ulid.ULID
	ghost[0] = 1
	if err := s.update(bg, func(w *wtx) error { return w.bucket(bOutQU).Put(timeKey(clk.Now().Add(-time.Hour), ghost), nil) }); err != nil {
		t.Fatal(err)
	}
	items, err := s.LeaseOutbox(bg, 3)
	if err != nil || len(items) != 3 {
		t.Fatalf("leased %d, %v", len(items), err)
	}
	if items[0].MessageID != uid || !items[0].Urgent || items[1].MessageID != mo.ID || !items[1].Urgent || items[2].Urgent {
		t.Fatalf("leased %s %s %s; want the emergency report, the inbound text, then an ordinary report",
			items[0].MessageID, items[1].MessageID, items[2].MessageID)
	}
	if err := s.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bOutQU).Stats().KeyN; n != 2 {
			return fmt.Errorf("%d urgent keys, want the 2 leased items' (the stale one dropped)", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, it := range items[:2] {
		if err := s.AckOutbox(bg, it.ID, it.Attempts, nil); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := s.Stats(); st.Outbox != 20 {
		t.Fatalf("outbox %d after two acks, want the 20 ordinary reports", st.Outbox)
	}
}

// A message's outbox items go out one at a time, in order: the report of
// "sent" (Kannel's dlr-mask 8) before the final one, even when both are
// due at once.
func TestOutboxItemsOfAMessageInOrder(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.ReportReq, m.ReportAccepted = true, true
	sendOne(t, s, m, "c", "1")
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	first := mustLeaseOutbox(t, s)
	if len(first) != 1 || first[0].State != StateSent {
		t.Fatalf("leased %+v; want the report of sent alone", first)
	}
	if again := mustLeaseOutbox(t, s); len(again) != 0 {
		t.Fatalf("leased %+v while the message's first report is out", again)
	}
	if err := s.AckOutbox(bg, first[0].ID, first[0].Attempts, nil); err != nil {
		t.Fatal(err)
	}
	second := mustLeaseOutbox(t, s)
	if len(second) != 1 || second[0].State != StateDelivered {
		t.Fatalf("leased %+v; want the final report", second)
	}
}

// The final report never overtakes the report of "sent": not while that
// one waits for a retry, and not after a restart while it was out.
func TestOutboxReportOfSentRetriedBeforeTheFinal(t *testing.T) {
	s, clk := openTest(t, Options{Retry: RetryPolicy{Base: 10 * time.Second}})
	m := msg("+13195550001")
	m.ReportReq, m.ReportAccepted = true, true
	sendOne(t, s, m, "c", "1")
	sent := leaseOneOutbox(t, s, StateSent, "first")
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	// The application's endpoint failed: "sent" waits 10 s for a retry.
	if err := s.AckOutbox(bg, sent.ID, 1, Retryable("http_503", errors.New("503"))); err != nil {
		t.Fatal(err)
	}
	if got := mustLeaseOutbox(t, s); len(got) != 0 {
		t.Fatalf("leased %+v while the report of sent waits for its retry", got)
	}
	if next, _ := s.NextOutboxDue(); !next.Equal(clk.Now().Add(10 * time.Second)) {
		t.Fatalf("next due %v; want the retry's time (the final report waits behind it, not spinning)", next)
	}
	clk.Add(10 * time.Second)
	if retry := leaseOneOutbox(t, s, StateSent, "its retry"); retry.Attempts != 2 {
		t.Fatalf("the retry is attempt %d, want 2", retry.Attempts)
	}
	// Restart while it is out: the lease survives as a due time.
	s = reopen(t, s)
	clk.Add(s.opts.Lease)
	again := leaseOneOutbox(t, s, StateSent, "after a restart")
	if err := s.AckOutbox(bg, again.ID, again.Attempts, nil); err != nil {
		t.Fatal(err)
	}
	leaseOneOutbox(t, s, StateDelivered, "after it was taken")
}

// An abandoned report of "sent" lets the final one go.
func TestOutboxFinalReportAfterAbandonedSent(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.ReportReq, m.ReportAccepted = true, true
	sendOne(t, s, m, "c", "1")
	sent := leaseOneOutbox(t, s, StateSent, "first")
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	if err := s.AckOutbox(bg, sent.ID, 1, Permanent("http_410", errors.New("410"))); err != nil {
		t.Fatal(err)
	}
	leaseOneOutbox(t, s, StateDelivered, "after the first was abandoned")
}

// An inbound message owed to two applications goes to both at once: one
// that is out for delivery does not hold the other.
func TestOutboxInboundTargetsIndependent(t *testing.T) {
	s, _ := openTest(t, Options{})
	if _, err := s.Receive(bg, &Message{Tenant: "t", From: "+13195550001", To: "+13195550100", Body: "help", Connector: "m"},
		"smpp:cad", "http:key"); err != nil {
		t.Fatal(err)
	}
	if got := mustLeaseOutbox(t, s); len(got) != 2 {
		t.Fatalf("leased %d items; want both targets' at once", len(got))
	}
}

// TestReceiveFitsOversizedInbound: an inbound text past the spool's limit
// (216 GSM parts of "é": 66,096 bytes of UTF-8) or a sender past its
// limit is stored cut, with the reason saying so, not refused: refused,
// it would stay on the modem and be read, and refused, again and again.
func TestReceiveFitsOversizedInbound(t *testing.T) {
	s, _ := openTest(t, Options{})
	text := strings.Repeat("é", 153*216)
	got, err := s.Receive(bg, &Message{Tenant: "psap-north", From: strings.Repeat("9", 40), To: "+13195550100",
		Body: text, Connector: "modem-1", Reason: "parts [3] never arrived"})
	if err != nil {
		t.Fatal(err)
	}
	m := mustGet(t, s, got.ID)
	if len(m.Body) > maxBody || !utf8.ValidString(m.Body) || !strings.HasPrefix(text, m.Body) || len(m.Body) < maxBody-1 {
		t.Fatalf("body of %d bytes (valid %v); want the text cut at %d", len(m.Body), utf8.ValidString(m.Body), maxBody)
	}
	if m.From != strings.Repeat("9", maxAddr) {
		t.Fatalf("from %q", m.From)
	}
	for _, want := range []string{"parts [3] never arrived", "text of 66096 bytes stored as 65536", "a sender of 40 bytes"} {
		if !strings.Contains(m.Reason, want) {
			t.Errorf("reason %q lacks %q", m.Reason, want)
		}
	}
	if _, err := s.Receive(bg, &Message{From: "+13195550123", To: "+13195550100", Body: "x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no tenant: %v", err)
	}
}
