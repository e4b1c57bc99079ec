package spool

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// jsonRecord is the stored form as encoding/json writes it (the
// reference appendMessage must match byte for byte).
func jsonRecord(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteByte(recordVersion)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func checkSameEncoding(t *testing.T, m *Message, a *auditBody) {
	t.Helper()
	got, err := encodeMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := jsonRecord(t, m); !bytes.Equal(got, want) {
		t.Fatalf("message encoded as\n%s\nencoding/json:\n%s", got, want)
	}
	var fast, slow Message
	if !parseMessage(got[1:], &fast) {
		t.Fatalf("parseMessage refused what appendMessage wrote:\n%s", got)
	}
	if err := json.Unmarshal(got[1:], &slow); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("parseMessage read\n%+v\nencoding/json\n%+v", fast, slow)
	}
	back, err := decodeMessage(got)
	if err != nil {
		t.Fatal(err)
	}
	// Invalid UTF-8 comes back as U+FFFD, so compare with encoding/json
	// again rather than with the first record.
	if again, _ := encodeMessage(back); !bytes.Equal(again, jsonRecord(t, back)) {
		t.Fatalf("decoded record encoded as\n%s\nencoding/json:\n%s", again, jsonRecord(t, back))
	}
	gotA, _ := appendAudit(nil, a)
	if want, err := json.Marshal(a); err == nil && !bytes.Equal(gotA, want) {
		t.Fatalf("audit encoded as\n%s\njson.Marshal:\n%s", gotA, want)
	}
}

// FuzzRecordCodec: the hand encoder writes what encoding/json writes,
// for any strings (escapes, invalid UTF-8, U+2028, HTML characters),
// bytes, numbers and times, and what it writes decodes to a record that
// encodes the same again.
func FuzzRecordCodec(f *testing.F) {
	f.Add("+13195550001", "Help <is> on the way & \"soon\"\n\t\x01\u2028\u2029é😀", []byte{0, 1, 2}, "id\xff\xfe", 3, int64(1_800_000_000_123_456_789), uint8(2))
	f.Add("", "", []byte(nil), "", 0, int64(0), uint8(0))
	f.Add("x", "\\/\b\f\r\x7f", []byte{}, "<>&", -7, int64(-62135596800_000_000_0), uint8(9))
	f.Fuzz(func(t *testing.T, to, body string, bin []byte, detail string, n int, unixNano int64, st uint8) {
		at := time.Unix(0, unixNano).UTC()
		state := State(st%uint8(stateEnd-1) + 1)
		m := &Message{ID: "01JD00000000000000000000AA", Tenant: "t", Direction: MT, From: detail, To: to,
			Body: body, Binary: bin, UDH: bin, Class0: n%2 == 0, Redacted: n%3 == 0, Priority: Priority(st % 3),
			ValidUntil: at, SendAt: at.Add(time.Duration(n)), ReceivedAt: at.Add(-time.Duration(n)), ClientRef: body, ReportReq: n%5 == 0,
			ReportFailOnly: n%11 == 0, ReportAccepted: n%13 == 0,
			Source: detail, SourceAddr: to, Encoding: "gsm7", Segments: n, Route: detail, Connector: to,
			State: state, Reason: body, Attempts: n, MaxAttempts: -n, NextAt: at,
			Parts:     []Part{{Seq: n, ProviderID: detail, State: state, Error: body, UpdatedAt: at}, {Seq: 2, State: StateSent}},
			Timeline:  []Event{{At: at, State: state, Detail: body, Actor: detail}, {State: StateQueued}},
			UpdatedAt: at, Idempotency: to, RetryOf: detail, Callback: body}
		if n%7 == 0 {
			m.Parts, m.Timeline = nil, nil
		}
		if n%11 == 0 {
			m.Timeline = []Event{}
		}
		if at.Year() < 0 || at.Year() > 9999 {
			return // encoding/json refuses these times; encodeMessage returns its error
		}
		checkSameEncoding(t, m, &auditBody{At: at, Action: body, Actor: detail, Addr: to, Tenant: to, MsgID: detail, Detail: body})
		it := &OutboxItem{ID: to, Kind: OutboxKind(detail), MessageID: body, Tenant: to, Target: body,
			State: state, Attempts: n, NextAt: at, LastError: body, Created: at.Add(time.Duration(n)), Urgent: n%2 == 0}
		if n%13 == 0 {
			it.LastError, it.NextAt = "", time.Time{}
		}
		got, err := encodeItem(it)
		if err != nil {
			t.Fatal(err)
		}
		if want := jsonRecord(t, it); !bytes.Equal(got, want) {
			t.Fatalf("item encoded as\n%s\nencoding/json:\n%s", got, want)
		}
	})
}

// What the hand encoder cannot write as encoding/json does goes to
// encoding/json: a zone offset of a day or more, a year past 9999, an
// invalid state. A zone offset with seconds is written as encoding/json
// writes it (the seconds dropped).
func TestRecordCodecFallback(t *testing.T) {
	lmt := time.FixedZone("far", 25*3600)
	m := msg("+13195550001")
	m.State = StateQueued
	m.ValidUntil = time.Date(2026, 1, 1, 0, 0, 0, 0, lmt)
	if _, ok := appendMessage(nil, m); ok {
		t.Fatal("offset of 25 hours written by hand")
	}
	if _, err := encodeMessage(m); err == nil {
		t.Fatal("no error for a time encoding/json refuses")
	}
	for _, off := range []int{3600, -(4*3600 + 56*60 + 2), -(23*3600 + 59*60)} {
		m.ValidUntil = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("X", off))
		checkSameEncoding(t, m, &auditBody{At: m.ValidUntil})
	}
	m.ValidUntil = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := appendMessage(nil, m); ok {
		t.Fatal("year 10000 written by hand")
	}
	m.ValidUntil = time.Time{}
	m.State = 0
	if _, err := encodeMessage(m); err == nil {
		t.Fatal("no error for an invalid state")
	}
	if _, err := encodeItem(&OutboxItem{}); err == nil {
		t.Fatal("no error for an item with no state")
	}
}

// BenchmarkEncodeMessage: a sent message with its timeline (what each
// change of state writes), by hand and by encoding/json.
//
//	go test -run '^$' -bench EncodeMessage ./spool/
func BenchmarkEncodeMessage(b *testing.B) {
	m := benchRecord()
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeMessage(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeRecord(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchRecord is a message as it is when its receipt arrives.
func benchRecord() *Message {
	at := time.Date(2026, 12, 5, 23, 0, 0, 123_000_000, time.UTC)
	return &Message{ID: "01JEG7ZB9N4M0Q3R5T7V9X1Z3B", Tenant: "psap-north", Direction: MT, From: "+13195550100",
		To: "+13195550123", Body: "Help is on the way. Help is on the way. Help is on the way.", ValidUntil: at.Add(48 * time.Hour),
		ReportReq: true, Source: "http:cad-1", SourceAddr: "127.0.0.1:40312", Encoding: "gsm7", Segments: 1,
		Route: "default", Connector: "carrier", State: StateSent, Attempts: 1,
		Parts: []Part{{Seq: 1, ProviderID: "1a2b3c4d", State: StateSent, UpdatedAt: at}},
		Timeline: []Event{{At: at, State: StateAccepted, Actor: "http:cad-1"}, {At: at, State: StateQueued, Actor: "spool"},
			{At: at, State: StateSending, Detail: "attempt 1", Actor: "spool"},
			{At: at, State: StateSent, Detail: "sent via carrier, 1 part(s): 1a2b3c4d", Actor: "connector:carrier"}},
		UpdatedAt: at}
}

// FuzzParseMessage: whatever parseMessage accepts, encoding/json reads
// the same way; anything else it leaves to encoding/json.
func FuzzParseMessage(f *testing.F) {
	rec, _ := encodeMessage(benchRecord())
	f.Add(rec[1:])
	m := benchRecord()
	m.Body, m.Binary, m.Timeline, m.Parts = "a\"b\\c\n\u2028\x01<é>", []byte{1, 2, 3}, nil, []Part{}
	rec, _ = encodeMessage(m)
	f.Add(rec[1:])
	f.Add([]byte(`{"state":"sent","parts":[{"seq":1},{"seq":2,"state":"sent"}],"parts":[{"error":"x"}]}`))
	f.Add([]byte(`{"state":"queued","body":"\ud83d\ude00","attempts":-0,"segments":1e2}`))
	f.Add([]byte(`{"state":"queued","valid_until":"2026-01-01T00:00:00+01:00","binary":"","udh":null,"timeline":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast Message
		if !parseMessage(b, &fast) {
			return
		}
		var slow Message
		if err := json.Unmarshal(b, &slow); err != nil {
			t.Fatalf("parseMessage accepted what encoding/json refuses (%v): %q", err, b)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q:\nparseMessage %+v\nencoding/json %+v", b, fast, slow)
		}
	})
}

// BenchmarkDecodeMessage: the record of benchRecord, by hand and by
// encoding/json.
//
//	go test -run '^$' -bench DecodeMessage ./spool/
func BenchmarkDecodeMessage(b *testing.B) {
	rec, _ := encodeMessage(benchRecord())
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeMessage(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m Message
			if err := decodeRecord(rec, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
