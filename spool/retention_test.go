package spool

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	s, clk := openTest(t, Options{})
	old := sendOne(t, s, msg("+13195550001"), "c", "1")
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	waiting := msg("+13195550002") // never final: never purged
	waiting.SendAt, waiting.ValidUntil = clk.Now().Add(30*24*time.Hour), clk.Now().Add(31*24*time.Hour)
	oldQueued := mustEnqueue(t, s, waiting).ID
	clk.Add(10 * 24 * time.Hour)
	middle := sendOne(t, s, msg("+13195550003"), "c", "2")
	s.ApplyReport(bg, Report{Connector: "c", ProviderID: "2", State: StateUndelivered})
	clk.Add(5 * 24 * time.Hour)
	recent := sendOne(t, s, msg("+13195550004"), "c", "3")
	s.ApplyReport(bg, Report{Connector: "c", ProviderID: "3", State: StateDelivered})

	r := Retention{RedactAfter: 3 * 24 * time.Hour, DeleteAfter: 14 * 24 * time.Hour, Actor: "cli"}
	dry := r
	dry.DryRun = true
	plan, err := s.Purge(bg, dry)
	if err != nil || plan.Deleted != 1 || plan.Redacted != 1 {
		t.Fatalf("dry run = %+v, %v", plan, err)
	}
	if _, err := s.Get(old); err != nil {
		t.Fatal("the dry run deleted")
	}
	res, err := s.Purge(bg, r)
	if err != nil || res != plan {
		t.Fatalf("purge = %+v (dry run said %+v), %v", res, plan, err)
	}
	if _, err := s.Get(old); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old final message kept: %v", err)
	}
	if p, _ := s.List(Filter{To: "+13195550001"}, "", 10); len(p.Messages) != 0 {
		t.Fatal("the recipient index still names a purged message")
	}
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the receipt index still names a purged message: %v", err)
	}
	if m := mustGet(t, s, oldQueued); m.State != StateQueued || m.Body == "" {
		t.Fatal("a message still waiting was purged or redacted")
	}
	if m := mustGet(t, s, middle); !m.Redacted || m.Body != "" || m.To != "+13195550003" {
		t.Fatalf("middle not redacted: %+v", m)
	}
	if m := mustGet(t, s, recent); m.Redacted || m.Body == "" {
		t.Fatal("a recent message was redacted")
	}
	if again, _ := s.Purge(bg, r); again.Redacted != 0 || again.Deleted != 0 {
		t.Fatalf("second purge did work again: %+v", again)
	}
	if st, _ := s.Stats(); st.States["delivered"] != 1 || st.States["undelivered"] != 1 || st.States["queued"] != 1 {
		t.Fatalf("counts = %v", st.States)
	}
	log, _ := s.AuditLog(0, 1)
	if log[0].Action != "purged" || log[0].Actor != "cli" {
		t.Fatalf("purge not audited: %+v", log[0])
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func TestAuditRetentionKeepsTheChainVerifiable(t *testing.T) {
	s, clk := openTest(t, Options{})
	for range 3 {
		s.Audit(bg, AuditEntry{Action: "login", Actor: "ui:alice"})
	}
	clk.Add(400 * 24 * time.Hour)
	s.Audit(bg, AuditEntry{Action: "login", Actor: "ui:bob"})
	const never = 1000 * 24 * time.Hour
	if _, err := s.VerifyAuditRecent(never); err != nil { // a checkpoint at entry 4
		t.Fatal(err)
	}
	res, err := s.Purge(bg, Retention{AuditAfter: 365 * 24 * time.Hour})
	if err != nil || res.Audit != 3 {
		t.Fatalf("purge = %+v, %v", res, err)
	}
	recent, err := s.VerifyAuditRecent(never)
	if err != nil || recent.First != 4 || recent.Last != 5 || recent.Entries != 2 || recent.Checked != 1 {
		t.Fatalf("recent verify after trim = %+v, %v; want entries 4 to 5, one checked", recent, err)
	}
	sum, err := s.VerifyAudit()
	if err != nil || sum.First != 4 || sum.Last != 5 {
		t.Fatalf("verify after trim = %+v, %v", sum, err)
	}
}

func TestPurgeRefusesPendingStates(t *testing.T) {
	s, _ := openTest(t, Options{})
	if _, err := s.Purge(bg, Retention{DeleteAfter: time.Hour, States: []State{StateQueued}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
}

func TestCompactShrinksAndKeepsEverything(t *testing.T) {
	s, clk := openTest(t, Options{})
	var keep string
	for i := range 500 {
		m := msg("+13195550001")
		m.Body = strings.Repeat("x", 2000)
		id := mustEnqueue(t, s, m).ID
		if i == 499 {
			keep = id
			break
		}
		mustLease(t, s, 1)
		s.Complete(bg, id, 1, Result{Err: Permanent("x", nil)})
	}
	clk.Add(48 * time.Hour)
	if _, err := s.Purge(bg, Retention{DeleteAfter: time.Hour}); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	if _, _, err := Compact(path, 100*time.Millisecond); !errors.Is(err, ErrInUse) {
		t.Fatalf("compact of an open spool: %v", err)
	}
	s.Close()
	before, after, err := Compact(path, 0)
	if err != nil || after >= before/2 {
		t.Fatalf("compact %d -> %d, %v", before, after, err)
	}
	if fi, _ := os.Stat(path); fi.Size() != after {
		t.Fatalf("file is %d bytes, compact said %d", fi.Size(), after)
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if m, err := s2.Get(keep); err != nil || m.State != StateQueued {
		t.Fatalf("after compact: %v %v", m, err)
	}
	if _, err := s2.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

// TestRetentionPerTenant: a tenant with its own retention is purged by
// its own run and left out of the gateway-wide one.
func TestRetentionPerTenant(t *testing.T) {
	s, clock := openTest(t, Options{})
	a, b := msg("+13195550001"), msg("+13195550002")
	a.Tenant, b.Tenant = "short", "long"
	ida := sendOne(t, s, a, "c", "1")
	idb := sendOne(t, s, b, "c", "2")
	for _, id := range []string{"1", "2"} {
		if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: id, State: StateDelivered}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(48 * time.Hour)
	if _, err := s.Purge(bg, Retention{DeleteAfter: 24 * time.Hour, ExceptTenants: []string{"short"}, States: []State{StateDelivered}, Tenant: "long"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(idb); !errors.Is(err, ErrNotFound) {
		t.Fatal("the long tenant's message is still there")
	}
	if _, err := s.Get(ida); err != nil {
		t.Fatal("the short tenant's message went with the other tenant's purge")
	}
	if _, err := s.Purge(bg, Retention{DeleteAfter: 24 * time.Hour, ExceptTenants: []string{"short"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ida); err != nil {
		t.Fatal("the gateway-wide purge took a tenant with its own retention")
	}
}
