package spool

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sendOne enqueues, leases and completes a message with the given ids.
func sendOne(t *testing.T, s *Store, m *Message, connector string, ids ...string) string {
	t.Helper()
	m.Segments = len(ids)
	id := mustEnqueue(t, s, m).ID
	got := mustLease(t, s, 1)
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("lease = %+v", got)
	}
	if err := s.Complete(bg, id, 1, Result{Connector: connector, ProviderIDs: ids}); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestReceiptCorrelationAcrossIDFormats(t *testing.T) {
	cases := []struct{ submitted, reported string }{
		{"1A2B", "6699"},           // hex in submit_sm_resp, decimal in the receipt text
		{"6699", "1a2b"},           // and the other way round
		{"00001a2b", "1A2B"},       // leading zeros, case
		{"1A2B", "0x1a2b"},         // 0x prefix
		{"12345", "0000012345"},    // decimal with leading zeros
		{"abc-DEF-9", "ABC-def-9"}, // opaque ids: case only
		{"ffffffffffffffffffffffff", "79228162514264337593543950335"}, // beyond 64 bits
	}
	for _, c := range cases {
		t.Run(c.submitted+"~"+c.reported, func(t *testing.T) {
			s, _ := openTest(t, Options{})
			id := sendOne(t, s, msg("+13195550001"), "carrier-a", c.submitted)
			m, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: c.reported, State: StateDelivered})
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != id || m.State != StateDelivered {
				t.Fatalf("report matched %s (%s), want %s delivered", m.ID, m.State, id)
			}
		})
	}
}

func TestReceiptNamespacedPerConnector(t *testing.T) {
	s, _ := openTest(t, Options{})
	sendOne(t, s, msg("+13195550001"), "carrier-a", "77")
	_, err := s.ApplyReport(bg, Report{Connector: "carrier-b", ProviderID: "77", State: StateDelivered})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("a receipt from carrier-b matched carrier-a's message: %v", err)
	}
}

func TestReceiptPrefersExactSpelling(t *testing.T) {
	// "10" read as hex is 16: a message filed as decimal "16" and one
	// filed as "10" both match a receipt for "10"; the exact one wins.
	s, _ := openTest(t, Options{})
	a := sendOne(t, s, msg("+13195550001"), "c", "16")
	b := sendOne(t, s, msg("+13195550002"), "c", "10")
	m, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "10", State: StateDelivered})
	if err != nil || m.ID != b {
		t.Fatalf("receipt for 10 matched %v (a=%s b=%s), err %v", m, a, b, err)
	}
}

// TestReceiptSameNumberTwoSpellings: hex "a" and all-digit "10" (which
// read as decimal is ten, as "a" is) are filed for two messages; each
// receipt spelled as filed finds its own message, whichever came first.
func TestReceiptSameNumberTwoSpellings(t *testing.T) {
	s, _ := openTest(t, Options{})
	a := sendOne(t, s, msg("+13195550001"), "c", "a")
	b := sendOne(t, s, msg("+13195550002"), "c", "10")
	for _, r := range []struct{ pid, want string }{{"a", a}, {"10", b}} {
		m, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: r.pid, State: StateDelivered})
		if err != nil || m.ID != r.want || m.State != StateDelivered {
			t.Fatalf("receipt for %q matched %v, want %s; err %v", r.pid, m, r.want, err)
		}
	}
}

// TestSchema1Migrated: a spool written by schema 1 (one ext entry per
// key) opens, is rewritten to schema 2, and its receipts still match.
func TestSchema1Migrated(t *testing.T) {
	s, _ := openTest(t, Options{})
	id := sendOne(t, s, msg("+13195550001"), "c", "1A2B")
	path, opts := s.Path(), s.opts
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { // back to schema 1's layout
		b := tx.Bucket(bExt)
		var keys [][]byte
		b.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil })
		for _, k := range keys {
			v := bytes.Clone(b.Get(k))
			old := k[:bytes.IndexByte(k[bytes.IndexByte(k, 0)+1:], 0)+bytes.IndexByte(k, 0)+2]
			if err := b.Delete(k); err != nil {
				return err
			}
			if err := b.Put(old, v); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(kSchema, u64(1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "6699", State: StateDelivered})
	if err != nil || m.ID != id || m.State != StateDelivered {
		t.Fatalf("after migration the receipt matched %v, err %v", m, err)
	}
}

func TestMultipartRollUpAndLateReports(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.ReportReq = true
	id := sendOne(t, s, m, "carrier-a", "a1", "a2", "a3")
	report := func(pid string, st State) *Message {
		t.Helper()
		got, err := s.ApplyReport(bg, Report{Connector: "carrier-a", ProviderID: pid, State: st})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := report("a1", StateDelivered); got.State != StateSent {
		t.Fatalf("after 1 of 3: %s", got.State)
	}
	if got := report("a3", StateUndelivered); got.State != StateSent {
		t.Fatalf("after 2 of 3: %s", got.State)
	}
	got := report("a2", StateDelivered)
	if got.State != StateUndelivered {
		t.Fatalf("roll-up = %s, want undelivered (one segment failed)", got.State)
	}
	parts := []State{got.Parts[0].State, got.Parts[1].State, got.Parts[2].State}
	if !slices.Equal(parts, []State{StateDelivered, StateDelivered, StateUndelivered}) {
		t.Fatalf("parts = %v", parts)
	}
	// A late or duplicate report never moves a final state.
	if got := report("a3", StateDelivered); got.State != StateUndelivered {
		t.Fatalf("late report moved a final state to %s", got.State)
	}
	final := mustGet(t, s, id)
	if final.State != StateUndelivered || !hasDetail(final, "late or duplicate report ignored") {
		t.Fatalf("state %s, timeline %+v", final.State, final.Timeline)
	}
	if st, _ := s.Stats(); st.Outbox != 1 {
		t.Fatalf("outbox = %d, want one report owed", st.Outbox)
	}
}

func TestStateTable(t *testing.T) {
	want := map[State]struct {
		smpp  uint8
		stat  string
		final bool
	}{
		StateAccepted: {6, "ACCEPTD", false}, StateQueued: {1, "ENROUTE", false},
		StateSending: {1, "ENROUTE", false}, StateSent: {1, "ENROUTE", false},
		StateDelivered: {2, "DELIVRD", true}, StateUndelivered: {5, "UNDELIV", true},
		StateFailed: {5, "UNDELIV", true}, StateExpired: {3, "EXPIRED", true},
		StateRejected: {8, "REJECTD", true}, StateCancelled: {4, "DELETED", true},
		StateReceived: {2, "DELIVRD", true},
	}
	for _, st := range States() {
		w, ok := want[st]
		if !ok {
			t.Fatalf("state %s has no expectation", st)
		}
		if st.SMPPState() != w.smpp || st.Stat() != w.stat || st.Final() != w.final {
			t.Errorf("%s: smpp %d stat %s final %v, want %+v", st, st.SMPPState(), st.Stat(), st.Final(), w)
		}
		back, err := ParseState(st.String())
		if err != nil || back != st {
			t.Errorf("ParseState(%s) = %v, %v", st, back, err)
		}
	}
	for word, st := range map[string]State{"DELIVRD": StateDelivered, "undeliv": StateUndelivered,
		"EXPIRED": StateExpired, "REJECTD": StateRejected, "DELETED": StateCancelled, "ENROUTE": StateSent,
		"UNKNOWN": StateUndelivered} {
		if got, ok := StateFromStat(word); !ok || got != st {
			t.Errorf("StateFromStat(%s) = %s %v", word, got, ok)
		}
	}
	if _, ok := StateFromStat("BOGUS"); ok {
		t.Error("StateFromStat accepted a word outside SMPP 3.4 appendix B")
	}
	if s := State(0).String(); !strings.HasPrefix(s, "state(") {
		t.Errorf("invalid state prints %q", s)
	}
	_ = fmt.Sprint(StateDelivered)
}

// TestReceiptOvertakesResult: a receipt that arrives before the send
// result is parked, durably, and applied when the result files its id.
func TestReceiptOvertakesResult(t *testing.T) {
	s, _ := openTest(t, Options{})
	m, _, err := s.Enqueue(bg, msg("+13195550001"))
	if err != nil {
		t.Fatal(err)
	}
	leased, err := s.Lease(bg, 1, PriorityNormal)
	if err != nil || len(leased) != 1 {
		t.Fatal(leased, err)
	}
	// The carrier answers "2A" and reports it in decimal before we record it.
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "42", State: StateDelivered}); !errors.Is(err, ErrReportParked) {
		t.Fatalf("early receipt: %v", err)
	}
	if err := s.Complete(bg, m.ID, 1, Result{Connector: "c", ProviderIDs: []string{"2A"}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, m.ID); got.State != StateDelivered {
		t.Fatalf("state %s after the parked receipt; timeline %+v", got.State, got.Timeline)
	}
	// Claimed once: the same id again is a late report, not a second claim.
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "2a", State: StateUndelivered}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, m.ID); got.State != StateDelivered {
		t.Fatalf("state %s", got.State)
	}
}

// TestReceiptForReusedID: a carrier whose id counter restarted reports
// on a new message with an id an old, finished message had, before the
// new message's send result is recorded: the new message gets it.
func TestReceiptForReusedID(t *testing.T) {
	s, _ := openTest(t, Options{})
	old := sendOne(t, s, msg("+13195550001"), "c", "1")
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	m, _, err := s.Enqueue(bg, msg("+13195550002"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lease(bg, 1, PriorityNormal); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateUndelivered}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(bg, m.ID, 1, Result{Connector: "c", ProviderIDs: []string{"1"}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, m.ID); got.State != StateUndelivered {
		t.Fatalf("new message %s", got.State)
	}
	if got := mustGet(t, s, old); got.State != StateDelivered {
		t.Fatalf("old message %s", got.State)
	}
}

// TestStrayReceiptIsNotClaimedLater: a receipt for an id no message has
// (another box's message on a shared system_id) is parked, and is not
// applied to the message the carrier gives that id later: that message
// was not even leased when the receipt came. It was marked delivered.
func TestStrayReceiptIsNotClaimedLater(t *testing.T) {
	s, clk := openTest(t, Options{})
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1002", State: StateDelivered}); !errors.Is(err, ErrReportParked) {
		t.Fatalf("stray receipt: %v", err)
	}
	clk.Add(time.Second)
	id := sendOne(t, s, msg("+13195550001"), "c", "1002")
	if got := mustGet(t, s, id); got.State != StateSent {
		t.Fatalf("state %s: a receipt that came before the message was sent was applied to it; timeline %+v", got.State, got.Timeline)
	}
	// Its own receipt still finds it.
	if m, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1002", State: StateUndelivered}); err != nil || m.ID != id || m.State != StateUndelivered {
		t.Fatalf("its own receipt: %v %v", m, err)
	}
}

// TestStrayReceiptBeforeTheLease: a message accepted before a stray
// receipt came, and leased after it, does not take it: what counts is
// when its attempt started, not when it was accepted.
func TestStrayReceiptBeforeTheLease(t *testing.T) {
	s, clk := openTest(t, Options{})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	clk.Add(time.Second)
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1003", State: StateDelivered}); !errors.Is(err, ErrReportParked) {
		t.Fatalf("stray receipt: %v", err)
	}
	clk.Add(time.Second)
	mustLease(t, s, 1)
	if err := s.Complete(bg, id, 1, Result{Connector: "c", ProviderIDs: []string{"1003"}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, id); got.State != StateSent {
		t.Fatalf("state %s: a receipt that came before the attempt was applied to it", got.State)
	}
}

// TestUnknownReportIsFinal: a receipt the carrier marks UNKNOWN ends the
// message as undelivered, and the timeline and reason say UNKNOWN.
func TestUnknownReportIsFinal(t *testing.T) {
	s, _ := openTest(t, Options{})
	id := sendOne(t, s, msg("+13195550001"), "c", "77")
	m, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "77", State: StateUndelivered, Stat: "UNKNOWN"})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != id || m.State != StateUndelivered || !strings.Contains(m.Reason, "UNKNOWN (counted as undelivered)") {
		t.Fatalf("%s %s reason %q", m.ID, m.State, m.Reason)
	}
}
