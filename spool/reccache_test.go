package spool

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
)

// decodeStored reads the stored record of id without the cache.
func decodeStored(t *testing.T, s *Store, id string) *Message {
	t.Helper()
	var m *Message
	err := s.db.View(func(tx *bolt.Tx) error {
		uid, err := parseID(id)
		if err != nil {
			return err
		}
		m, err = getMessage(tx, uid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Every change of a message goes through the cache; what it returns
// must be what decoding the file gives, at every step.
func TestRecordCacheMatchesFile(t *testing.T) {
	s, clk := openTest(t, Options{})
	check := func(step, id string) {
		t.Helper()
		got, err := s.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if want := decodeStored(t, s, id); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: cached %+v\nfile %+v", step, got, want)
		}
	}
	m, _, err := s.Enqueue(bg, &Message{Tenant: "t", To: "+13195550101", Body: "hi", Binary: []byte{},
		Source: "http:k", ReportReq: true, ClientRef: "r1", ValidUntil: clk.Now().Add(time.Hour + 123456789)})
	if err != nil {
		t.Fatal(err)
	}
	check("enqueue", m.ID)
	ms, err := s.Lease(bg, 1, PriorityNormal)
	if err != nil || len(ms) != 1 {
		t.Fatal(len(ms), err)
	}
	check("lease", m.ID)
	ms[0].Body = "changed by the caller" // must not reach the cache
	check("lease, caller's copy changed", m.ID)
	clk.Add(time.Second)
	if err := s.Complete(bg, m.ID, 1, Result{Connector: "c", ProviderIDs: []string{"a1"}}); err != nil {
		t.Fatal(err)
	}
	check("complete", m.ID)
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "a1", State: StateDelivered,
		At: clk.Now().Add(1234567)}); err != nil {
		t.Fatal(err)
	}
	check("report", m.ID)
	items, err := s.LeaseOutbox(bg, 10)
	if err != nil || len(items) != 1 {
		t.Fatal(len(items), err)
	}
	if err := s.AckOutbox(bg, items[0].ID, items[0].Attempts, nil); err != nil {
		t.Fatal(err)
	}
	check("outbox ack", m.ID)
	if got := decodeStored(t, s, m.ID); got.State != StateDelivered || got.Body != "hi" {
		t.Fatalf("stored %s %q", got.State, got.Body)
	}
}

// A change in a transaction that rolls back leaves the cache holding
// bytes that are not in the file: the next read decodes the file.
func TestRecordCacheRollback(t *testing.T) {
	s, _ := openTest(t, Options{})
	m, _, err := s.Enqueue(bg, &Message{Tenant: "t", To: "+13195550101", Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := parseID(m.ID)
	boom := errors.New("boom")
	err = s.update(bg, func(w *wtx) error {
		m, before, err := w.load(uid)
		if err != nil {
			return err
		}
		m.Body = "rolled back"
		if err := w.save(uid, before, m); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	got, err := s.Get(m.ID)
	if err != nil || got.Body != "hi" {
		t.Fatalf("after rollback: %q, %v", got.Body, err)
	}
	ms, err := s.Lease(bg, 1, PriorityNormal)
	if err != nil || len(ms) != 1 || ms[0].Body != "hi" {
		t.Fatalf("lease after rollback: %v %v", ms, err)
	}
}

// The cache keeps at most its size, and a hit in the old generation
// survives the next turn.
func TestRecCacheBounded(t *testing.T) {
	c := newRecCache(4, func(v int) int { return v })
	ids := make([]ulid.ULID, 10)
	for i := range ids {
		ids[i][15] = byte(i)
		c.put(ids[i], []byte{byte(i)}, i)
		if n := len(c.cur) + len(c.old); n > 4 {
			t.Fatalf("%d entries", n)
		}
	}
	if _, ok := c.get(ids[0], []byte{0}); ok {
		t.Fatal("evicted entry returned")
	}
	if v, ok := c.get(ids[7], []byte{7}); !ok || v != 7 {
		t.Fatal("old generation entry missed", v, ok)
	}
	if _, ok := c.get(ids[9], []byte{42}); ok {
		t.Fatal("entry returned for other bytes")
	}
	c.drop(ids[9])
	if _, ok := c.get(ids[9], []byte{9}); ok {
		t.Fatal("dropped entry returned")
	}
	if !c.worthKeeping(0) || c.worthKeeping(1) {
		t.Fatal("a cache of 4 keeps records only with nobody ahead")
	}
	off := newRecCache(-1, func(v int) int { return v })
	if off != nil || off.worthKeeping(0) {
		t.Fatal("negative size made a cache")
	}
}
