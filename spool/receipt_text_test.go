package spool

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestStripReceiptText(t *testing.T) {
	for in, want := range map[string]string{
		"id:7 sub:001 dlvrd:001 submit date:2612061104 done date:2612061104 stat:DELIVRD err:000 text:Shelter at Lincoln H": "id:7 sub:001 dlvrd:001 submit date:2612061104 done date:2612061104 stat:DELIVRD err:000",
		"id:7 stat:UNDELIV err:001 Text:":    "id:7 stat:UNDELIV err:001",
		"id:7 stat:DELIVRD err:000 TEXT:ß€x": "id:7 stat:DELIVRD err:000",
		"text:only the message":              "",
		"id:7 stat:DELIVRD err:000":          "id:7 stat:DELIVRD err:000",
		"\xff\xfe id:1 tExT:\xff":            "\xff\xfe id:1",
		"":                                   "",
	} {
		if got := StripReceiptText(in); got != want {
			t.Errorf("StripReceiptText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A carrier's receipt echoes the first characters of the message. None
// of it may reach the reason, the timeline, the audit trail or a parked
// report: they never hold a message's content.
func TestReceiptTextIsNotStored(t *testing.T) {
	const secret = "Shelter at Lincoln H"
	receipt := "id:%s sub:001 dlvrd:001 submit date:2612061104 done date:2612061104 stat:DELIVRD err:000 text:" + secret
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.ReportReq = true
	id := sendOne(t, s, m, "c", "1", "2")
	// Part 1's receipt arrives, part 2's before its id is filed (parked).
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered,
		Detail: strings.Replace(receipt, "%s", "1", 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "9", State: StateDelivered,
		Detail: strings.Replace(receipt, "%s", "9", 1)}); err == nil {
		t.Fatal("a report for an unknown id was applied")
	}
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "2", State: StateDelivered,
		Detail: strings.Replace(receipt, "%s", "2", 1)}); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, id)
	if got.State != StateDelivered || !strings.Contains(got.Reason, "stat:DELIVRD err:000") {
		t.Fatalf("message %s, reason %q: want delivered with the receipt's fields", got.State, got.Reason)
	}
	var stored []string
	stored = append(stored, got.Reason)
	for _, e := range got.Timeline {
		stored = append(stored, e.Detail)
	}
	log, err := s.AuditLog(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range log {
		stored = append(stored, e.Detail)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).ForEach(func(k, v []byte) error {
			stored = append(stored, string(k)+" "+string(v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range stored {
		if strings.Contains(v, "Shelter") {
			t.Errorf("the message's text is stored outside its body: %q", v)
		}
	}
}

// Messages that an earlier version stored with a receipt's text in the
// reason and timeline lose it when retention redacts them.
func TestRedactionRemovesReceiptText(t *testing.T) {
	s, clk := openTest(t, Options{})
	id := sendOne(t, s, msg("+13195550001"), "c", "1")
	if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	uid, _ := parseID(id)
	err := s.update(bg, func(w *wtx) error { // as an earlier version left it
		m, before, err := w.load(uid)
		if err != nil {
			return err
		}
		m.Reason += " text:Shelter at Lincoln H"
		m.note(w.now, "carrier:c", "part 1 (1): DELIVRD text:Shelter at Lincoln H")
		return w.save(uid, before, m)
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(4 * 24 * time.Hour)
	if res, err := s.Purge(bg, Retention{RedactAfter: 3 * 24 * time.Hour, Actor: "cli"}); err != nil || res.Redacted != 1 {
		t.Fatalf("purge = %+v, %v", res, err)
	}
	m := mustGet(t, s, id)
	if !m.Redacted || strings.Contains(m.Reason, "Shelter") || !strings.Contains(m.Reason, "DELIVRD") {
		t.Fatalf("redacted message's reason %q", m.Reason)
	}
	for _, e := range m.Timeline {
		if strings.Contains(e.Detail, "Shelter") {
			t.Fatalf("redacted message's timeline keeps the text: %q", e.Detail)
		}
	}
}
