package spool

import "testing"

func TestConnectorStateSurvivesReopen(t *testing.T) {
	s, _ := openTest(t, Options{})
	if v, err := s.LoadState("modem-1/reassembly"); err != nil || v != nil {
		t.Fatalf("empty state = %q, %v", v, err)
	}
	if err := s.SaveState(bg, "modem-1/reassembly", []byte(`{"parts":[]}`)); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if v, _ := s.LoadState("modem-1/reassembly"); string(v) != `{"parts":[]}` {
		t.Fatalf("after reopen: %q", v)
	}
	if err := s.SaveState(bg, "modem-1/reassembly", nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.LoadState("modem-1/reassembly"); v != nil {
		t.Fatalf("after delete: %q", v)
	}
}
