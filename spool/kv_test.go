package spool

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestKVPutGetDelete(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	if v, err := s.KVGet("ns", "k"); err != nil || v != nil {
		t.Fatalf("empty get: %q, %v", v, err)
	}
	buf := []byte("one")
	if err := s.KVPut(ctx, "ns", "k", buf); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'X' // the store kept its own copy
	if v, _ := s.KVGet("ns", "k"); string(v) != "one" {
		t.Fatalf("get = %q", v)
	}
	if v, _ := s.KVGet("other", "k"); v != nil {
		t.Fatalf("namespaces leak: %q", v)
	}
	if err := s.KVPut(ctx, "ns", "empty", []byte{}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.KVGet("ns", "empty"); v == nil || len(v) != 0 {
		t.Fatalf("an empty value is not a deletion: %v", v)
	}
	if err := s.KVPut(ctx, "ns", "k", nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.KVGet("ns", "k"); v != nil {
		t.Fatalf("after delete: %q", v)
	}
}

func TestKVRefuses(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	long := string(make([]byte, 201))
	for name, err := range map[string]error{
		"no ns":      s.KVPut(ctx, "", "k", []byte("v")),
		"no key":     s.KVPut(ctx, "ns", "", []byte("v")),
		"NUL":        s.KVPut(ctx, "n\x00s", "k", []byte("v")),
		"long key":   s.KVPut(ctx, "ns", "k"+long, []byte("v")),
		"big value":  s.KVPut(ctx, "ns", "k", make([]byte, 64<<10+1)),
		"no actor":   s.KVPutAudited(ctx, "ns", "k", []byte("v"), AuditEntry{Action: "x"}),
		"get no key": func() error { _, err := s.KVGet("ns", ""); return err }(),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestKVListPrefixAfterLimit(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	for _, k := range []string{"a/1", "a/2", "a/3", "b/1", "a"} {
		if err := s.KVPut(ctx, "ns", k, []byte("v"+k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.KVPut(ctx, "ns2", "a/9", []byte("x")); err != nil {
		t.Fatal(err)
	}
	keys := func(kvs []KV, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, kv := range kvs {
			out += kv.Key + "=" + string(kv.Value) + " "
		}
		return out
	}
	for _, c := range []struct {
		prefix, after string
		limit         int
		want          string
	}{
		{"", "", 0, "a=va a/1=va/1 a/2=va/2 a/3=va/3 b/1=vb/1 "},
		{"a/", "", 0, "a/1=va/1 a/2=va/2 a/3=va/3 "},
		{"a/", "", 2, "a/1=va/1 a/2=va/2 "},
		{"a/", "a/2", 2, "a/3=va/3 "},
		{"a/", "a/25", 0, "a/3=va/3 "},
		{"a/", "0", 1, "a/1=va/1 "},
		{"b/", "a/2", 0, "b/1=vb/1 "},
		{"c", "", 0, ""},
	} {
		if got := keys(s.KVList("ns", c.prefix, c.after, c.limit)); got != c.want {
			t.Errorf("KVList(%q, %q, %d) = %q, want %q", c.prefix, c.after, c.limit, got, c.want)
		}
	}
}

func TestKVDurableAndAudited(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	e := AuditEntry{Actor: "ui:ana", Action: "suppress", Tenant: "psap-north", Addr: "+13195550123"}
	if err := s.KVPutAudited(ctx, "optout", "psap-north/+13195550123", []byte("*"), e); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if v, _ := s.KVGet("optout", "psap-north/+13195550123"); string(v) != "*" {
		t.Fatalf("after reopen: %q", v)
	}
	log, err := s.AuditLog(0, 1)
	if err != nil || len(log) != 1 || log[0].Action != "suppress" || log[0].Addr != "+13195550123" {
		t.Fatalf("audit = %+v, %v", log, err)
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestKVReadOnly(t *testing.T) {
	s, _ := openTest(t, Options{})
	if err := s.KVPut(context.Background(), "ns", "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if v, _ := ro.KVGet("ns", "k"); string(v) != "v" {
		t.Fatalf("read-only get = %q", v)
	}
	if err := ro.KVPut(context.Background(), "ns", "k", nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only put: %v", err)
	}
}

func TestKVConcurrentPuts(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	errs := make(chan error, 50)
	for i := range 50 {
		go func() { errs <- s.KVPut(ctx, "ns", fmt.Sprintf("k%03d", i), []byte{byte(i)}) }()
	}
	for range 50 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	kvs, err := s.KVList("ns", "k", "", 0)
	if err != nil || len(kvs) != 50 {
		t.Fatalf("listed %d, %v", len(kvs), err)
	}
}
