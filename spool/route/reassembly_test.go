package route

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

// memState is a StateStore in memory.
type memState struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memState) LoadState(key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key], nil
}

func (s *memState) SaveState(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// TestExpiryKeepsPartsUntilStored: a message whose last part never
// comes is released as partial when its time runs out; when storing it
// fails, its parts stay (in memory and on disk) and the next round
// stores it; only then is it gone from the saved state.
func TestExpiryKeepsPartsUntilStored(t *testing.T) {
	st := &memState{m: map[string][]byte{}}
	x := NewReassembly("modem-1/reassembly", st, time.Minute)
	t0 := time.Unix(1_700_000_000, 0)
	part := pdu.Part{Source: "modem-1", From: "+13195550131", Concat: pdu.Concat{Ref: 7, Total: 2, Seq: 1},
		Encoding: pdu.GSM7, Text: "Fire at 5th ", Received: t0}
	if err := x.Add(context.Background(), part, t0, nil); err != nil {
		t.Fatalf("first part: %v", err) // store is nil: must not be called
	}
	saved := func() bool {
		x2 := NewReassembly("modem-1/reassembly", st, time.Minute)
		if err := x2.Restore(); err != nil {
			t.Fatal(err)
		}
		_, ok := x2.NextExpiry()
		return ok
	}
	if err := x.expireInto(context.Background(), t0.Add(30*time.Second), nil); err != nil {
		t.Fatalf("before its time: %v", err) // store is nil: must not be called
	}
	broken := errors.New("disk full")
	err := x.expireInto(context.Background(), t0.Add(2*time.Minute), func(context.Context, []pdu.Reassembled) error { return broken })
	if !errors.Is(err, broken) {
		t.Fatalf("a failed store: %v", err)
	}
	if _, ok := x.NextExpiry(); !ok || !saved() {
		t.Fatal("the parts were dropped after a failed store")
	}
	var got []pdu.Reassembled
	err = x.expireInto(context.Background(), t0.Add(2*time.Minute), func(_ context.Context, d []pdu.Reassembled) error {
		got = d
		return nil
	})
	if err != nil || len(got) != 1 || !got[0].Partial || got[0].Text != "Fire at 5th [part 2 of 2 missing]" {
		t.Fatalf("stored %+v, %v", got, err)
	}
	// Stored as received when its first part came (it was the time the
	// wait ended), with the missing part named.
	mo := Inbound(got[0], "psap", "+13195550100", "modem-1", "modem:modem-1")
	if !mo.ReceivedAt.Equal(t0) || mo.Reason != "parts [2] never arrived" || mo.Body != "Fire at 5th [part 2 of 2 missing]" || mo.Segments != 2 {
		t.Fatalf("inbound message %+v", mo)
	}
	got[0].Replaced = true
	if mo := Inbound(got[0], "psap", "+13195550100", "modem-1", "modem:modem-1"); mo.Reason != "parts [2] never arrived before a new message reused its reference" {
		t.Fatalf("a replaced one's reason %q", mo.Reason)
	}
	got[0].Replaced, got[0].Repeats = false, true
	if mo := Inbound(got[0], "psap", "+13195550100", "modem-1", "modem:modem-1"); !strings.Contains(mo.Reason, "repeat a message received before") {
		t.Fatalf("a repeat's reason %q", mo.Reason)
	}
	if _, ok := x.NextExpiry(); ok || saved() {
		t.Fatal("the message is still pending after it was stored")
	}
}

// TestAddKeepsPartsUntilStored: when storing the message a part
// completes fails, the part is not taken: the parts before it stay (in
// memory and on disk), and when the part comes again (the carrier
// redelivers it, the modem reads it from the SIM again) the whole
// message is stored. Before, the state was saved before the store, and
// the message was lost.
func TestAddKeepsPartsUntilStored(t *testing.T) {
	st := &memState{m: map[string][]byte{}}
	x := NewReassembly("smpp/carrier/reassembly", st, time.Minute)
	t0 := time.Unix(1_700_000_000, 0)
	part := func(seq int, text string) pdu.Part {
		return pdu.Part{Source: "carrier|911", From: "+13195550131", Concat: pdu.Concat{Ref: 9, Total: 2, Seq: seq},
			Encoding: pdu.GSM7, Text: text, Received: t0}
	}
	ctx := context.Background()
	if err := x.Add(ctx, part(1, "Smoke on the "), t0, nil); err != nil {
		t.Fatal(err)
	}
	savedFirst := string(st.m["smpp/carrier/reassembly"])
	broken := errors.New("disk full")
	if err := x.Add(ctx, part(2, "third floor"), t0, func(context.Context, []pdu.Reassembled) error { return broken }); !errors.Is(err, broken) {
		t.Fatalf("a failed store: %v", err)
	}
	if got := string(st.m["smpp/carrier/reassembly"]); got != savedFirst {
		t.Fatalf("the saved state changed after a failed store: %s", got)
	}
	var got []pdu.Reassembled
	err := x.Add(ctx, part(2, "third floor"), t0, func(_ context.Context, d []pdu.Reassembled) error {
		got = append(got, d...)
		return nil
	})
	if err != nil || len(got) != 1 || got[0].Partial || got[0].Text != "Smoke on the third floor" {
		t.Fatalf("stored %+v, %v", got, err)
	}
	if _, ok := x.NextExpiry(); ok {
		t.Fatal("the message is still pending after it was stored")
	}
}

// TestRunExpiryWaitsAfterAFailedStore: parts whose store keeps failing
// are tried about once a second, not in a loop (it tried every 10 ms,
// logging each time). Only an upper bound is asserted: a slow machine
// makes fewer tries, never more.
func TestRunExpiryWaitsAfterAFailedStore(t *testing.T) {
	x := NewReassembly("modem-1/reassembly", &memState{m: map[string][]byte{}}, time.Millisecond)
	past := time.Now().Add(-time.Minute)
	part := pdu.Part{Source: "modem-1", From: "+13195550131", Concat: pdu.Concat{Ref: 7, Total: 2, Seq: 1},
		Encoding: pdu.GSM7, Text: "Fire at 5th ", Received: past}
	if err := x.Add(context.Background(), part, past, func(context.Context, []pdu.Reassembled) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var tries atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	x.RunExpiry(ctx, func(context.Context, []pdu.Reassembled) error {
		tries.Add(1)
		return errors.New("spool refused it")
	}, slog.New(slog.DiscardHandler))
	if n := tries.Load(); n < 1 || n > 3 {
		t.Fatalf("%d tries in 1.5 s; want one a second", n)
	}
}
