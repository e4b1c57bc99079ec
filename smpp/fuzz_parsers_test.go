package smpp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/spool"
)

// receiptStates are the states a parsed receipt can carry: a receipt
// moves a sent message on to a final state, or leaves it sent.
var receiptStates = map[spool.State]bool{
	spool.StateSent: true, spool.StateDelivered: true, spool.StateUndelivered: true,
	spool.StateExpired: true, spool.StateRejected: true, spool.StateCancelled: true,
}

// FuzzParseReceipt feeds parseReceipt a deliver_sm as a carrier could
// send it: esm_class, short_message (the SMPP 3.4 appendix B text) and
// the optional receipted_message_id and message_state TLVs. Properties:
// no panic; a non-receipt without receipted_message_id is not a receipt;
// a receipt has an id and one of the receipt states, keeps the text as
// its detail, takes the TLVs over the text; and the text the package
// writes itself (ReceiptText) parses back to its id and state.
func FuzzParseReceipt(f *testing.F) {
	// SMPP 3.4 appendix B, and the forms carriers write.
	for _, text := range []string{
		"id:1A2B sub:001 dlvrd:000 submit date:2611221000 done date:2611221001 stat:EXPIRED err:027 text:hello",
		"id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:..........",
		"id:0123456789 sub:001 dlvrd:001 submit date:0610191018 done date:0610191018 stat:DELIVRD err:000 text:Hello world",
		"id:6699 sub:001 dlvrd:000 submit date:2611221000 done date:2611221005 stat:UNDELIV err:001 text:",
		"id:c449ab9744f47b6af1879e49e75e4f40 sub:001 dlvrd:0 submit date:0610191018 done date:0610191018 stat:ACCEPTD err:0 text:This is an Acti",
		"ID:abc SUB:001 DLVRD:001 SUBMIT DATE:2611221000 DONE DATE:2611221000 STAT:delivered ERR:000 TEXT:x",
		"id:7 stat:REJECTD err:0x0B",
		"id:8 stat:DELETED",
		"id:9 stat:UNKNOWN err:000 Text:id:10 stat:DELIVRD",
		"stat:DELIVRD err:000",
		"id: stat:DELIVRD",
		"id:ü\u0130 stat:EXPIRED text:çé",
		"",
	} {
		f.Add(uint8(0x04), []byte(text), []byte(nil), false, uint8(0), false)
	}
	f.Add(uint8(0x08), []byte("id:42 stat:DELIVRD"), []byte(nil), false, uint8(0), false)                        // SME ack
	f.Add(uint8(0x00), []byte("id:42 stat:DELIVRD"), []byte(nil), false, uint8(0), false)                        // an MO that looks like one
	f.Add(uint8(0x00), []byte("hello"), []byte("6699\x00"), true, uint8(2), true)                                // TLVs only
	f.Add(uint8(0x04), []byte("id:1 stat:DELIVRD"), []byte("2"), true, uint8(5), true)                           // TLVs win
	f.Add(uint8(0x44), []byte("\x05\x00\x03\x01\x02\x01id:1 stat:EXPIRED"), []byte(nil), false, uint8(0), false) // UDHI set
	f.Add(uint8(0x04), []byte("id:1 stat:DELIVRD"), []byte("\x00"), true, uint8(9), true)                        // empty TLV id
	f.Fuzz(func(t *testing.T, esm uint8, body, tlvID []byte, hasID bool, state uint8, hasState bool) {
		d := delivery{esm: esm, body: body, tlv: map[pdutlv.Tag][]byte{}}
		if hasID {
			d.tlv[pdutlv.TagReceiptedMessageID] = tlvID
		}
		if hasState {
			d.tlv[pdutlv.TagMessageStateOption] = []byte{state}
		}
		r, ok := parseReceipt(d)
		kind := esm & 0x3C
		if kind != 0x04 && kind != 0x08 && kind != 0x20 && !hasID && ok {
			t.Fatalf("esm_class %#02x without receipted_message_id read as a receipt: %+v", esm, r)
		}
		if ok {
			if r.ProviderID == "" {
				t.Fatalf("a receipt without an id: %+v", r)
			}
			if !receiptStates[r.State] {
				t.Fatalf("receipt state %v is not one a receipt can set", r.State)
			}
			// The receipt's text, without its "text:" field (the
			// message's first characters).
			if want := spool.StripReceiptText(string(body)); strings.TrimSuffix(r.Detail, fmt.Sprintf(" (message_state %d decides)", state)) != want {
				t.Fatalf("detail %q, want %q", r.Detail, want)
			}
			if strings.Contains(strings.ToLower(r.Detail), "text:") {
				t.Fatalf("detail %q keeps a text: field", r.Detail)
			}
			if hasID && r.ProviderID != strings.TrimRight(string(tlvID), "\x00") {
				t.Fatalf("id %q, want the receipted_message_id %q", r.ProviderID, tlvID)
			}
			if hasState {
				switch state {
				case 7: // UNKNOWN, counted as undelivered
					if r.State != spool.StateUndelivered || r.Stat != "UNKNOWN" {
						t.Fatalf("message_state 7 read as %v %q", r.State, r.Stat)
					}
				case 2, 3, 4, 5, 8: // DELIVERED, EXPIRED, DELETED, UNDELIVERABLE, REJECTED
					if r.State.SMPPState() != state {
						t.Fatalf("message_state %d read as %v (message_state %d)", state, r.State, r.State.SMPPState())
					}
				default:
					if r.State != spool.StateSent {
						t.Fatalf("message_state %d read as %v, want sent", state, r.State)
					}
				}
			}
		}
		for k := range receiptFields(string(body)) {
			if k != strings.ToLower(k) || strings.ContainsFunc(k, unicode.IsSpace) {
				t.Fatalf("field name %q", k)
			}
		}

		// Round trip: our own receipt text (what smsgw's SMPP server
		// sends) parses back to its id and state. Ids are tokens:
		// printable ASCII without spaces, and no "text:" inside.
		id := string(tlvID)
		if id == "" || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) ||
			strings.Contains(strings.ToLower(id), "text:") {
			return
		}
		all := spool.States()
		m := &spool.Message{ID: id, State: all[int(state)%len(all)], Body: string(body), UpdatedAt: time.Unix(int64(state)<<24, 0)}
		text := ReceiptText(m)
		r, ok = parseReceipt(delivery{esm: 0x04, body: []byte(text)})
		if !ok || r.ProviderID != id {
			t.Fatalf("ReceiptText %q read back as id %q (ok %v), want %q", text, r.ProviderID, ok, id)
		}
		if r.State.Final() != m.State.Final() || m.State.Final() && r.State.Stat() != m.State.Stat() ||
			!m.State.Final() && r.State != spool.StateSent {
			t.Fatalf("ReceiptText %q of a %v message read back as %v", text, m.State, r.State)
		}
		if want := map[bool]string{true: "000", false: "001"}[!m.State.Final() || m.State == spool.StateDelivered]; r.Code != want {
			t.Fatalf("ReceiptText %q: err %q, want %q", text, r.Code, want)
		}
	})
}

// FuzzSMPPTime reads SMPP 3.4 times (section 7.1.1) as an ESME writes
// them in submit_sm's validity_period and schedule_delivery_time.
// Properties: no panic; only "" or 16 characters, 15 digits and +, - or
// R are accepted; a relative time is never before now and is whole
// seconds after it; an absolute time moves by exactly its offset (the
// same fields at offset 00+ are the UTC reading), keeps its tenths, and
// when its fields name a real date reads back to them; and what
// absoluteTime writes (2000 to 2099) reads back as the same instant.
func FuzzSMPPTime(f *testing.F) {
	for _, s := range []string{
		"", "000001020000000R", "261122120000004+", "26112212000000X+", "261122120000000+",
		"261122120000004-", "991231235959948+", "000101000000048-", "990000000000000R",
		"999999999999999R", "000000000000000R", "261122120000000", "2611221200000000+",
		"261122120000000Z", "26-122120000000+", "261301000000000+", "260230000000000+",
		"262425616161999+", " 61122120000000+", "+61122120000000+", "061019101800000R",
	} {
		f.Add(s, int64(0), int64(0))
	}
	f.Add("261122120000000+", int64(-1), int64(1797505200))
	f.Add("000001020000000R", int64(4102444800), int64(999_999_999))
	f.Fuzz(func(t *testing.T, s string, nowUnix, tUnix int64) {
		// now: any second from 1970 to 2200.
		const span = 230 * 365 * 24 * 3600
		now := time.Unix(mod(nowUnix, span), 0).UTC()
		got, err := smppTime(s, now)
		if s == "" {
			if err != nil || !got.IsZero() {
				t.Fatalf(`"" is no time: %v %v`, got, err)
			}
		} else if err == nil {
			if len(s) != 16 || strings.ContainsFunc(s[:15], func(r rune) bool { return r < '0' || r > '9' }) ||
				!strings.ContainsRune("+-R", rune(s[15])) {
				t.Fatalf("%q accepted as %v", s, got)
			}
			switch s[15] {
			case 'R':
				if got.Before(now) {
					t.Fatalf("relative %q is %v, before now %v", s, got, now)
				}
				if d := got.Sub(now); d%time.Second != 0 || d > (99*365+99*30+99)*24*time.Hour+99*time.Hour+99*time.Minute+99*time.Second {
					t.Fatalf("relative %q is %v after now", s, d)
				}
			default:
				utc, err := smppTime(s[:13]+"00+", now)
				if err != nil {
					t.Fatalf("%q accepted, %q not: %v", s, s[:13]+"00+", err)
				}
				off := time.Duration(int(s[13]-'0')*10+int(s[14]-'0')) * 15 * time.Minute
				if s[15] == '-' {
					off = -off
				}
				if !got.Equal(utc.Add(-off)) {
					t.Fatalf("%q is %v; at offset 00 %v: the offset %v is not applied", s, got, utc, off)
				}
				if tenths := int(s[12] - '0'); got.Nanosecond() != tenths*100_000_000 {
					t.Fatalf("%q is %v: tenths %d lost", s, got, tenths)
				}
				// Fields that name a real date read back to themselves.
				if back := utc.Format("060102150405"); realDate(s) && back != s[:12] {
					t.Fatalf("%q is %v, which reads back as %s", s, got, back)
				}
			}
		}

		// Round trip through absoluteTime, which the carrier connector
		// writes validity_period with.
		const century = 100 * 365 * 24 * 3600
		at := time.Unix(946684800+mod(tUnix, century), mod(tUnix>>32, 1e9)).UTC() // 2000-01-01 on
		if at.Year() > 2099 {
			return
		}
		abs := absoluteTime(at)
		back, err := smppTime(abs, now)
		if err != nil || !back.Equal(at.Truncate(time.Second)) {
			t.Fatalf("absoluteTime(%v) = %q reads back as %v, %v", at, abs, back, err)
		}
	})
}

// mod is n modulo m, never negative.
func mod(n, m int64) int64 {
	if r := n % m; r >= 0 {
		return r
	}
	return n%m + m
}

// realDate reports whether an SMPP absolute time's YYMMDDhhmmss are in
// range: a month 1 to 12, a day of that month, 00:00:00 to 23:59:59.
func realDate(s string) bool {
	n := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	y, mo, d, h, mi, sec := 2000+n(0), n(2), n(4), n(6), n(8), n(10)
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return false
	}
	return d <= time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FuzzDataSM feeds an application's data_sm body to dataSMAsSubmit and
// the submit it makes to submitMessage. Properties: no panic; a body
// that is read has a submit's layout (it survives go-smpp's encoder) and
// keeps the data_sm's command id; a message read from it has a
// recipient and a text or binary content.
func FuzzDataSM(f *testing.F) {
	f.Add(dataSMBody(1, uint16(0x0424), []byte("Fire at 12 Elm St"), uint16(0x0017), []byte{0, 0, 0x0e, 0x10}))
	f.Add(dataSMBody(0))
	f.Add(dataSMBody(0, uint16(0x020c), []byte{0, 7}, uint16(0x020e), []byte{2}, uint16(0x020f), []byte{1}, uint16(0x0424), []byte("part")))
	f.Add([]byte("\x00\x01\x01911\x00\x01"))
	f.Fuzz(func(t *testing.T, in []byte) {
		body, err := dataSMAsSubmit(pdu.Header{ID: pdu.DataSMID, Seq: 7}, in)
		if err != nil {
			if body != nil {
				t.Fatal("a body and an error")
			}
			return
		}
		if body.Header().ID != pdu.DataSMID || body.Header().Seq != 7 {
			t.Fatalf("header %+v", body.Header())
		}
		var buf bytes.Buffer
		if err := body.SerializeTo(&buf); err != nil {
			t.Fatalf("the submit does not encode: %v", err)
		}
		m, err := submitMessage(body, time.Now(), "", "")
		if err != nil {
			return
		}
		if m.To == "" || m.Body == "" && m.Binary == nil {
			t.Fatalf("message %+v", m)
		}
	})
}
