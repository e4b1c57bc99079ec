package spool

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// auditedSpool returns the path of a closed spool with 5 audit entries.
func auditedSpool(t *testing.T) string {
	t.Helper()
	s, _ := openTest(t, Options{})
	for _, to := range []string{"+13195550001", "+13195550002", "+13195550003"} {
		mustEnqueue(t, s, msg(to))
	}
	if err := s.Audit(bg, AuditEntry{Action: "login", Actor: "ui:alice", Addr: "10.0.0.7"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(bg, AuditEntry{Action: "config", Actor: "cli", Detail: "reload"}); err != nil {
		t.Fatal(err)
	}
	sum, err := s.VerifyAudit()
	if err != nil || sum.Entries != 5 || sum.First != 1 || sum.Last != 5 {
		t.Fatalf("verify = %+v, %v", sum, err)
	}
	path := s.Path()
	s.Close()
	return path
}

// tamper changes the audit bucket of a closed spool directly.
func tamper(t *testing.T, path string, fn func(b *bolt.Bucket) error) *Store {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bAudit)) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAuditChainDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		fn      func(b *bolt.Bucket) error
		wantSeq uint64
	}{
		{"edit", func(b *bolt.Bucket) error {
			return rewrite(b, 2, false, func(e *AuditEntry) { e.Actor = "http:someone-else" })
		}, 2},
		{"edit and rehash", func(b *bolt.Bucket) error {
			return rewrite(b, 3, true, func(e *AuditEntry) { e.Detail = "nothing to see" })
		}, 4},
		{"delete", func(b *bolt.Bucket) error { return b.Delete(u64(3)) }, 4},
		{"delete last", func(b *bolt.Bucket) error { return b.Delete(u64(5)) }, 5},
		{"reorder", func(b *bolt.Bucket) error {
			v2, v3 := append([]byte(nil), b.Get(u64(2))...), append([]byte(nil), b.Get(u64(3))...)
			if err := b.Put(u64(2), v3); err != nil {
				return err
			}
			if err := b.Put(u64(3), v2); err != nil {
				return err
			}
			// Rehash both under their new places.
			if err := rewrite(b, 2, true, func(*AuditEntry) {}); err != nil {
				return err
			}
			return rewrite(b, 3, true, func(*AuditEntry) {})
		}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := tamper(t, auditedSpool(t), c.fn)
			_, err := s.VerifyAudit()
			var ae *AuditError
			if !errors.As(err, &ae) || !errors.Is(err, ErrAuditBroken) {
				t.Fatalf("tampering not detected: %v", err)
			}
			if ae.Seq != c.wantSeq {
				t.Fatalf("broken at %d (%s), want %d", ae.Seq, ae.Reason, c.wantSeq)
			}
		})
	}
}

// rewrite changes the content of audit entry seq; with rehash its own
// hash is made to match again (as a careful forger would).
func rewrite(b *bolt.Bucket, seq uint64, rehash bool, fn func(*AuditEntry)) error {
	v := append([]byte(nil), b.Get(u64(seq))...)
	e, _, err := decodeAudit(seq, v)
	if err != nil {
		return err
	}
	fn(&e)
	content, err := auditContent(e)
	if err != nil {
		return err
	}
	rec := append(append([]byte(nil), v[:64]...), content...)
	if rehash {
		var prev [32]byte
		copy(prev[:], v[32:64])
		sum := chainHash(prev, seq, content)
		copy(rec, sum[:])
	}
	return b.Put(u64(seq), rec)
}

func TestAuditNeverHoldsBodies(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.Body = "the caller's address is 12 Elm St"
	mustEnqueue(t, s, m)
	log, err := s.AuditLog(0, 10)
	if err != nil || len(log) != 1 {
		t.Fatal(log, err)
	}
	b, _ := json.Marshal(log)
	if json.Valid(b) && containsStr(string(b), "Elm St") {
		t.Fatalf("audit entry holds the body: %s", b)
	}
	e := log[0]
	if e.Action != "accepted" || e.Actor != "http:cad-1" || e.Addr != "127.0.0.1" || e.Detail != "normal, text, 1 segment(s)" {
		t.Fatalf("entry = %+v", e)
	}
}

func TestAuditLogPages(t *testing.T) {
	s, _ := openTest(t, Options{})
	for range 5 {
		if err := s.Audit(bg, AuditEntry{Action: "login", Actor: "ui:alice"}); err != nil {
			t.Fatal(err)
		}
	}
	first, _ := s.AuditLog(0, 2)
	next, _ := s.AuditLog(first[1].Seq, 10)
	if first[0].Seq != 5 || first[1].Seq != 4 || len(next) != 3 || next[0].Seq != 3 || next[2].Seq != 1 {
		t.Fatalf("pages: %v then %v", first, next)
	}
	if err := s.Audit(bg, AuditEntry{Action: "login"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an entry without actor: err = %v", err)
	}
}

// VerifyAuditRecent recomputes only what was added since the last
// verification, walks everything again once whole has passed, and finds
// an edit of a new entry, or of the entry it resumes from, at once.
func TestVerifyAuditRecent(t *testing.T) {
	s, clk := openTest(t, Options{})
	add := func(n int) {
		t.Helper()
		for range n {
			if err := s.Audit(bg, AuditEntry{Action: "login", Actor: "ui:alice"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	verify := func(what string, wantEntries, wantChecked uint64) AuditSummary {
		t.Helper()
		sum, err := s.VerifyAuditRecent(time.Hour)
		if err != nil || sum.Entries != wantEntries || sum.Checked != wantChecked {
			t.Fatalf("%s: %+v, %v; want %d entries, %d checked", what, sum, err, wantEntries, wantChecked)
		}
		whole, err := s.VerifyAudit()
		if err != nil || whole.Head != sum.Head || whole.Last != sum.Last || whole.First != sum.First {
			t.Fatalf("%s: the whole walk says %+v, %v; the recent one %+v", what, whole, err, sum)
		}
		return sum
	}
	edit := func(seq uint64, rehash bool) {
		t.Helper()
		if err := s.db.Update(func(tx *bolt.Tx) error {
			return rewrite(tx.Bucket(bAudit), seq, rehash, func(e *AuditEntry) { e.Actor = "ui:mallory" })
		}); err != nil {
			t.Fatal(err)
		}
	}

	add(10)
	first := verify("first call: the whole chain", 10, 10)
	add(3)
	if sum := verify("three more", 13, 3); !sum.WholeAt.Equal(first.WholeAt) {
		t.Errorf("WholeAt moved to %v without a whole walk (was %v)", sum.WholeAt, first.WholeAt)
	}
	verify("nothing new", 13, 0)

	// An edit inside what was verified waits for the next whole walk,
	// which comes when whole has passed.
	edit(4, false)
	if sum, err := s.VerifyAuditRecent(time.Hour); err != nil || sum.Checked != 0 {
		t.Fatalf("old entry edited, within the hour: %+v, %v; want it not looked at yet", sum, err)
	}
	clk.Add(time.Hour)
	_, err := s.VerifyAuditRecent(time.Hour)
	var ae *AuditError
	if !errors.As(err, &ae) || ae.Seq != 4 {
		t.Fatalf("after an hour: %v; want the edit of entry 4 found", err)
	}
	edit(4, true) // the forger's next try: rehashed, so entry 5's prev breaks
	if _, err := s.VerifyAuditRecent(time.Hour); !errors.As(err, &ae) || ae.Seq != 5 {
		t.Fatalf("after a failed verification the next one walks everything: %v; want entry 5", err)
	}
}

// A new entry edited, or the entry the check resumes from rehashed, is
// found by the next recent verification.
func TestVerifyAuditRecentFindsNewEdits(t *testing.T) {
	for _, c := range []struct {
		name    string
		seq     uint64
		rehash  bool
		wantSeq uint64
	}{
		{"new entry edited", 7, false, 7},
		{"checkpoint entry rehashed", 5, true, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := openTest(t, Options{})
			for i := range 7 {
				if i == 5 {
					if _, err := s.VerifyAuditRecent(time.Hour); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Audit(bg, AuditEntry{Action: "login", Actor: "ui:alice"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.db.Update(func(tx *bolt.Tx) error {
				return rewrite(tx.Bucket(bAudit), c.seq, c.rehash, func(e *AuditEntry) { e.Detail = "x" })
			}); err != nil {
				t.Fatal(err)
			}
			_, err := s.VerifyAuditRecent(time.Hour)
			var ae *AuditError
			if !errors.As(err, &ae) || ae.Seq != c.wantSeq {
				t.Fatalf("%v; want the break found at entry %d", err, c.wantSeq)
			}
		})
	}
}

// BenchmarkVerifyAudit: the admin UI's audit page with 100,000 entries,
// a whole walk against a recent check after one new entry.
//
//	go test -run '^$' -bench VerifyAudit ./spool/
func BenchmarkVerifyAudit(b *testing.B) {
	s, _ := openTest(b, Options{})
	for range 100 {
		if err := s.update(bg, func(w *wtx) error {
			for range 1000 {
				if err := w.audit(AuditEntry{Action: "accepted", Actor: "http:cad-1", Tenant: "psap-north",
					MsgID: "01JDQ3V9F1T4Y2Z7X8W6R5Q4P3", Detail: "text/gsm7, 1 segment(s)"}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.VerifyAudit(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("recent", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := s.Audit(bg, AuditEntry{Action: "login", Actor: "ui:alice"}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if sum, err := s.VerifyAuditRecent(time.Hour); err != nil || sum.Checked != 1 {
				b.Fatalf("%+v, %v", sum, err)
			}
		}
	})
}
