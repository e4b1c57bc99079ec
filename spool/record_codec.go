package spool

import (
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf8"
)

// The records written at every change of state (messages, outbox
// items, audit entries) are encoded by hand here rather than by encoding/json's
// reflection, which took a quarter of the commit loop's time. The bytes
// are exactly encoding/json's (FuzzRecordCodec checks it against
// json.Encoder with SetEscapeHTML(false) for messages and json.Marshal
// for audit entries), so records stay readable by any version of the
// code, and audit hashes are over the same bytes as before. What this
// encoder cannot write as encoding/json would (a year outside 0 to
// 9999, a zone offset of a day or more) makes appendMessage report false, and encoding/json writes
// that record (and reports the error, if there is one).

// encodeMessage is the stored form of a message: the version byte, then
// the JSON.
func encodeMessage(m *Message) ([]byte, error) {
	size := 448 + len(m.Body) + len(m.Binary)*4/3 + 128*len(m.Timeline) + 96*len(m.Parts)
	b := append(make([]byte, 0, size), recordVersion)
	if b, ok := appendMessage(b, m); ok {
		return b, nil
	}
	return encodeRecord(m)
}

// appendMessage appends m as encoding/json encodes it, or reports false.
func appendMessage(b []byte, m *Message) ([]byte, bool) {
	pri, ok := priorityName(m.Priority)
	if !ok || !m.State.valid() {
		return b, false
	}
	e := jsonObj{b: b, ok: true, html: false}
	e.str("id", m.ID)
	e.str("tenant", m.Tenant)
	e.str("direction", string(m.Direction))
	e.strOmit("from", m.From)
	e.str("to", m.To)
	e.strOmit("body", m.Body)
	e.bytesOmit("binary", m.Binary)
	e.bytesOmit("udh", m.UDH)
	e.boolOmit("flash", m.Class0)
	e.boolOmit("redacted", m.Redacted)
	e.str("priority", pri)
	e.time("valid_until", m.ValidUntil)
	e.timeOmit("send_at", m.SendAt)
	e.timeOmit("received_at", m.ReceivedAt)
	e.strOmit("client_ref", m.ClientRef)
	e.boolOmit("report", m.ReportReq)
	e.boolOmit("report_fail_only", m.ReportFailOnly)
	e.boolOmit("report_accepted", m.ReportAccepted)
	e.strOmit("source", m.Source)
	e.strOmit("source_addr", m.SourceAddr)
	e.strOmit("encoding", m.Encoding)
	e.intOmit("segments", m.Segments)
	e.strOmit("route", m.Route)
	e.strOmit("connector", m.Connector)
	e.str("state", states[m.State].name)
	e.strOmit("reason", m.Reason)
	e.int("attempts", m.Attempts)
	e.intOmit("max_attempts", m.MaxAttempts)
	e.timeOmit("next_at", m.NextAt)
	if len(m.Parts) > 0 {
		e.key("parts")
		appendArray(&e, m.Parts, (*jsonObj).appendPart)
	}
	e.key("timeline")
	appendArray(&e, m.Timeline, (*jsonObj).appendEvent)
	e.timeOmit("updated_at", m.UpdatedAt)
	e.strOmit("idempotency", m.Idempotency)
	e.strOmit("retry_of", m.RetryOf)
	e.strOmit("callback", m.Callback)
	return e.end()
}

// appendArray writes items as a JSON array, nil as null.
func appendArray[T any](e *jsonObj, items []T, each func(*jsonObj, T)) {
	if items == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i, it := range items {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		each(e, it)
	}
	e.b = append(e.b, ']')
}

func (e *jsonObj) appendPart(p Part) {
	sub := jsonObj{b: e.b, ok: e.ok}
	if !p.State.valid() {
		e.ok = false
		return
	}
	sub.int("seq", p.Seq)
	sub.strOmit("provider_id", p.ProviderID)
	sub.str("state", states[p.State].name)
	sub.strOmit("error", p.Error)
	sub.time("updated_at", p.UpdatedAt)
	e.b, e.ok = sub.end()
}

func (e *jsonObj) appendEvent(ev Event) {
	sub := jsonObj{b: e.b, ok: e.ok}
	if !ev.State.valid() {
		e.ok = false
		return
	}
	sub.time("at", ev.At)
	sub.str("state", states[ev.State].name)
	sub.strOmit("detail", ev.Detail)
	sub.strOmit("actor", ev.Actor)
	e.b, e.ok = sub.end()
}

// encodeItem is the stored form of an outbox item, as encodeMessage's.
func encodeItem(it *OutboxItem) ([]byte, error) {
	b := append(make([]byte, 0, 320+len(it.Target)+len(it.LastError)), recordVersion)
	if b, ok := appendItem(b, it); ok {
		return b, nil
	}
	return encodeRecord(it)
}

// appendItem appends it as encoding/json encodes it, or reports false.
func appendItem(b []byte, it *OutboxItem) ([]byte, bool) {
	if !it.State.valid() {
		return b, false
	}
	e := jsonObj{b: b, ok: true}
	e.str("id", it.ID)
	e.str("kind", string(it.Kind))
	e.str("msg_id", it.MessageID)
	e.str("tenant", it.Tenant)
	e.str("target", it.Target)
	e.str("state", states[it.State].name)
	e.int("attempts", it.Attempts)
	e.time("next_at", it.NextAt)
	e.strOmit("last_error", it.LastError)
	e.time("created", it.Created)
	e.boolOmit("urgent", it.Urgent)
	e.strOmit("after", it.After)
	return e.end()
}

// appendAudit appends an audit entry's content as json.Marshal encodes
// auditBody (HTML characters escaped), or reports false.
func appendAudit(b []byte, a *auditBody) ([]byte, bool) {
	e := jsonObj{b: b, ok: true, html: true}
	e.time("at", a.At)
	e.str("action", a.Action)
	e.str("actor", a.Actor)
	e.strOmit("addr", a.Addr)
	e.strOmit("tenant", a.Tenant)
	e.strOmit("msg_id", a.MsgID)
	e.strOmit("detail", a.Detail)
	return e.end()
}

func priorityName(p Priority) (string, bool) {
	if int(p) >= len(priorityNames) {
		return "", false
	}
	return priorityNames[p], true
}

// jsonObj writes one JSON object, field by field, in encoding/json's
// form. ok turns false on a value encoding/json would write otherwise.
type jsonObj struct {
	b     []byte
	ok    bool
	html  bool // escape <, > and & as json.Marshal does
	count int
}

func (e *jsonObj) key(k string) {
	if e.count == 0 {
		e.b = append(e.b, '{')
	} else {
		e.b = append(e.b, ',')
	}
	e.count++
	e.b = append(e.b, '"')
	e.b = append(e.b, k...) // keys are plain ASCII
	e.b = append(e.b, '"', ':')
}

func (e *jsonObj) end() ([]byte, bool) {
	if e.count == 0 {
		e.b = append(e.b, '{')
	}
	return append(e.b, '}'), e.ok
}

func (e *jsonObj) str(k, v string) {
	e.key(k)
	e.b = appendJSONString(e.b, v, e.html)
}

func (e *jsonObj) strOmit(k, v string) {
	if v != "" {
		e.str(k, v)
	}
}

func (e *jsonObj) bytesOmit(k string, v []byte) {
	if len(v) == 0 {
		return
	}
	e.key(k)
	e.b = append(e.b, '"')
	e.b = base64.StdEncoding.AppendEncode(e.b, v)
	e.b = append(e.b, '"')
}

func (e *jsonObj) boolOmit(k string, v bool) {
	if v {
		e.key(k)
		e.b = append(e.b, "true"...)
	}
}

func (e *jsonObj) int(k string, v int) {
	e.key(k)
	e.b = strconv.AppendInt(e.b, int64(v), 10)
}

func (e *jsonObj) intOmit(k string, v int) {
	if v != 0 {
		e.int(k, v)
	}
}

func (e *jsonObj) time(k string, t time.Time) {
	e.key(k)
	if y := t.Year(); y < 0 || y > 9999 {
		e.ok = false // MarshalJSON refuses it
		return
	}
	if t.Location() != time.UTC {
		if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
			e.ok = false // MarshalJSON refuses it
			return
		}
	}
	e.b = append(e.b, '"')
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
}

func (e *jsonObj) timeOmit(k string, t time.Time) {
	if !t.IsZero() {
		e.time(k, t)
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's appendString: quotes, with
// backslash escapes, control characters as \u00XX, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped, and <, >, & too when html.
func appendJSONString(b []byte, s string, html bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!html || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
