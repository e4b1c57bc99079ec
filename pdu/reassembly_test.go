package pdu_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func part(from string, ref uint16, ref16 bool, total, seq int, text string, at time.Duration) pdu.Part {
	return pdu.Part{Source: "modem-1", From: from, Concat: pdu.Concat{Ref: ref, Ref16: ref16, Total: total, Seq: seq},
		Encoding: pdu.GSM7, Text: text, Received: t0.Add(at)}
}

func TestReassemblerInterleaved(t *testing.T) {
	var r pdu.Reassembler
	in := []pdu.Part{
		part("+111", 5, false, 3, 3, "C", 0),
		part("+222", 5, false, 2, 2, "y", 1*time.Second),  // same ref, other sender
		part("+111", 5, true, 2, 1, "16-", 2*time.Second), // same sender and ref, 16-bit: another message
		part("+111", 5, false, 3, 1, "A", 3*time.Second),
		part("+111", 5, false, 3, 1, "A", 4*time.Second), // duplicate
		part("+222", 5, false, 2, 1, "x", 5*time.Second),
		part("+111", 5, true, 2, 2, "bit", 6*time.Second),
		part("+111", 5, false, 3, 2, "B", 7*time.Second),
	}
	var got []string
	for _, p := range in {
		done, err := r.Add(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range done {
			if m.Partial {
				t.Fatalf("unexpected partial %+v", m)
			}
			got = append(got, m.From+":"+m.Text)
		}
	}
	want := []string{"+222:xy", "+111:16-bit", "+111:ABC"}
	if !slices.Equal(got, want) {
		t.Errorf("completed %q, want %q", got, want)
	}
	if r.Pending() != 0 {
		t.Errorf("%d pending", r.Pending())
	}
}

func TestReassemblerTimeoutReleasesPartial(t *testing.T) {
	r := pdu.Reassembler{Timeout: 10 * time.Minute}
	for _, p := range []pdu.Part{part("+111", 9, false, 4, 1, "A", 0), part("+111", 9, false, 4, 3, "C", time.Minute)} {
		if done, _ := r.Add(p); len(done) != 0 {
			t.Fatalf("released early: %+v", done)
		}
	}
	if next, ok := r.NextExpiry(); !ok || !next.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("next expiry %v %v", next, ok)
	}
	if out := r.Expire(t0.Add(10*time.Minute - time.Nanosecond)); len(out) != 0 {
		t.Fatalf("expired before the timeout: %+v", out)
	}
	out := r.Expire(t0.Add(10 * time.Minute))
	if len(out) != 1 {
		t.Fatalf("expired %d, want 1", len(out))
	}
	m := out[0]
	if !m.Partial || !slices.Equal(m.Missing, []int{2, 4}) || m.Text != "A[part 2 of 4 missing]C[part 4 of 4 missing]" {
		t.Errorf("partial %+v, want text AC missing [2 4]", m)
	}
}

func TestReassemblerRefReuseReleasesOld(t *testing.T) {
	var r pdu.Reassembler
	_, _ = r.Add(part("+111", 1, false, 2, 1, "old", 0))
	done, _ := r.Add(part("+111", 1, false, 2, 1, "new", time.Hour))
	if len(done) != 1 || !done[0].Partial || !done[0].Replaced || done[0].Text != "old[part 2 of 2 missing]" {
		t.Fatalf("old message not released as partial: %+v", done)
	}
	done, _ = r.Add(part("+111", 1, false, 2, 2, "!", time.Hour))
	if len(done) != 1 || done[0].Text != "new!" {
		t.Fatalf("new message: %+v", done)
	}
}

func TestReassemblerBounded(t *testing.T) {
	r := pdu.Reassembler{MaxPending: 2}
	_, _ = r.Add(part("+1", 1, false, 2, 1, "a", 0))
	_, _ = r.Add(part("+2", 1, false, 2, 1, "b", time.Second))
	done, _ := r.Add(part("+3", 1, false, 2, 1, "c", 2*time.Second))
	if len(done) != 1 || done[0].From != "+1" || !done[0].Partial {
		t.Fatalf("the oldest was not released: %+v", done)
	}
}

// TestReassemblerExportRestore survives a "restart": the state goes
// through JSON, as the spool will store it.
func TestReassemblerExportRestore(t *testing.T) {
	var r pdu.Reassembler
	_, _ = r.Add(part("+111", 7, false, 3, 2, "B", 0))
	_, _ = r.Add(part("+111", 7, false, 3, 1, "A", time.Second))
	_, _ = r.Add(pdu.Part{Source: "modem-1", From: "+333", Concat: pdu.Concat{Ref: 2, Total: 2, Seq: 1}, Encoding: pdu.UCS2, Data: []byte{0xD8, 0x3D}, Received: t0})
	raw, err := json.Marshal(r.Export())
	if err != nil {
		t.Fatal(err)
	}
	var st pdu.ReassemblyState
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	var r2 pdu.Reassembler
	if done, err := r2.Restore(st); err != nil || len(done) != 0 {
		t.Fatalf("restore: %v %+v", err, done)
	}
	if r2.Pending() != 2 {
		t.Fatalf("restored %d pending, want 2", r2.Pending())
	}
	done, _ := r2.Add(part("+111", 7, false, 3, 3, "C", time.Minute))
	if len(done) != 1 || done[0].Text != "ABC" {
		t.Fatalf("after restore: %+v", done)
	}
	// The surrogate pair split across UCS-2 parts is healed on joining.
	done, _ = r2.Add(pdu.Part{Source: "modem-1", From: "+333", Concat: pdu.Concat{Ref: 2, Total: 2, Seq: 2}, Encoding: pdu.UCS2, Data: []byte{0xDE, 0x00}, Received: t0})
	if len(done) != 1 || done[0].Text != "😀" {
		t.Fatalf("split surrogate: %+v", done)
	}
}

func TestDeliverPart(t *testing.T) {
	_, m, err := pdu.Decode(mustHex(t, "0591721891F1400781721881F800003160526104848059050003C30101916536FB1DCABEEB2074D85E064941B19CAB060319A5C522289C96D3D3ED32286C0FA7D96131BBEC024941B19CAB0603DDD36C36A88C87A7E565D0DB0D82C55EB0DB4B068BCD5C20"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := pdu.DeliverPart("modem-1", m.(*pdu.Deliver), t0)
	if err != nil {
		t.Fatal(err)
	}
	var r pdu.Reassembler
	done, err := r.Add(p)
	if err != nil || len(done) != 1 || done[0].From != "2781188" || done[0].Ref != 0xC3 {
		t.Fatalf("1-of-1 part: %v %+v", err, done)
	}
	if _, err := r.Add(part("+1", 1, false, 2, 3, "x", 0)); err == nil {
		t.Error("part 3 of 2 accepted")
	}
}

// TestPartAgainAfterJoin: a part sent again after its message was whole
// (a carrier that lost our deliver_sm_resp) is released at the timeout
// marked Repeats, not as a caller's new partial text; a new message that
// reuses the reference and begins alike is joined as usual (dropping the
// repeated part lost the new message's first part).
func TestPartAgainAfterJoin(t *testing.T) {
	r := pdu.Reassembler{Timeout: 2 * time.Minute}
	add := func(p pdu.Part) []pdu.Reassembled {
		t.Helper()
		done, err := r.Add(p)
		if err != nil {
			t.Fatal(err)
		}
		return done
	}
	add(part("+111", 9, false, 2, 1, "I am at ", 0))
	if done := add(part("+111", 9, false, 2, 2, "home", time.Second)); len(done) != 1 || done[0].Repeats {
		t.Fatalf("first message: %+v", done)
	}
	add(part("+111", 9, false, 2, 2, "home", time.Minute))
	done := r.Expire(t0.Add(4 * time.Minute))
	if len(done) != 1 || !done[0].Partial || !done[0].Repeats || done[0].Text != "[part 1 of 2 missing]home" {
		t.Fatalf("part 2 again, released: %+v", done)
	}
	add(part("+111", 9, false, 2, 1, "I am at ", 5*time.Minute))
	if done := add(part("+111", 9, false, 2, 2, "the school", 5*time.Minute+time.Second)); len(done) != 1 || done[0].Text != "I am at the school" || done[0].Repeats {
		t.Fatalf("a new message with the same reference and first part: %+v", done)
	}
	// Partial, with a part no whole message had: not a repeat.
	add(part("+111", 9, false, 2, 1, "I am at ", 6*time.Minute))
	if done := r.Expire(t0.Add(9 * time.Minute)); len(done) != 1 || !done[0].Repeats {
		t.Fatalf("part 1 again: %+v", done)
	}
	add(part("+111", 9, false, 2, 1, "Fire at ", 10*time.Minute))
	if done := r.Expire(t0.Add(13 * time.Minute)); len(done) != 1 || done[0].Repeats {
		t.Fatalf("a new first part: %+v", done)
	}
}
