package spool

import (
	"encoding/base64"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonScan reads the JSON of one record; bad is set at the first thing
// it does not read as encoding/json would.
type jsonScan struct {
	b   []byte
	i   int
	bad bool
}

// The keys of each object in the order appendMessage writes them.
var (
	messageKeys = []string{"id", "tenant", "direction", "from", "to", "body", "binary", "udh", "flash",
		"redacted", "priority", "valid_until", "send_at", "received_at", "client_ref", "report", "report_fail_only", "report_accepted", "source", "source_addr",
		"encoding", "segments", "route", "connector", "state", "reason", "attempts", "max_attempts",
		"next_at", "parts", "timeline", "updated_at", "idempotency", "retry_of", "callback"}
	partKeys  = []string{"seq", "provider_id", "state", "error", "updated_at"}
	eventKeys = []string{"at", "state", "detail", "actor"}
)

func (d *jsonScan) peek(c byte) bool { return d.i < len(d.b) && d.b[d.i] == c }

func (d *jsonScan) byte(c byte) bool {
	if !d.peek(c) {
		d.bad = true
		return false
	}
	d.i++
	return true
}

func (d *jsonScan) null() bool {
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// object reads {"key":value,...}, calling field for each key with the
// scanner on its value. The keys must be plain (no escapes) and come in
// the order of keys, each once: encoding/json would merge a repeated
// array into the first, and nothing else writes these records.
func (d *jsonScan) object(keys []string, field func(k string) bool) bool {
	if !d.byte('{') {
		return false
	}
	if d.peek('}') {
		d.i++
		return true
	}
	next := 0
	for {
		var k []byte
		if d.byte('"') {
			start := d.i
			for d.i < len(d.b) && d.b[d.i] != '"' && d.b[d.i] != '\\' {
				d.i++
			}
			k = d.b[start:d.i]
			d.byte('"')
		}
		for next < len(keys) && keys[next] != string(k) {
			next++
		}
		if next == len(keys) || d.bad || !d.byte(':') || !field(keys[next]) {
			d.bad = true
			return false
		}
		next++
		if d.peek(',') {
			d.i++
			continue
		}
		return d.byte('}')
	}
}

// str reads a string, unescaping as encoding/json does.
func (d *jsonScan) str() string {
	if !d.byte('"') {
		return ""
	}
	start := d.i
	for d.i < len(d.b) { // fast path: no escapes
		c := d.b[d.i]
		if c == '"' {
			s := string(d.b[start:d.i])
			d.i++
			if !utf8.ValidString(s) {
				d.bad = true
			}
			return s
		}
		if c == '\\' || c < 0x20 {
			break
		}
		d.i++
	}
	out := append([]byte(nil), d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(out) {
				d.bad = true
			}
			return string(out)
		case c < 0x20:
			d.bad = true
			return ""
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			break
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok || utf16.IsSurrogate(r) {
				d.bad = true // surrogate pairs: encoding/json's rules
				return ""
			}
			out = utf8.AppendRune(out, r)
		default:
			d.bad = true
			return ""
		}
	}
	d.bad = true
	return ""
}

func (d *jsonScan) hex4() (rune, bool) {
	if len(d.b)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}

// int reads an integer without fraction or exponent.
func (d *jsonScan) int() int {
	neg := d.peek('-')
	if neg {
		d.i++
	}
	start := d.i
	n := 0
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		n = n*10 + int(d.b[d.i]-'0')
		d.i++
	}
	digits := d.i - start
	if digits == 0 || digits > 18 || digits > 1 && d.b[start] == '0' ||
		d.peek('.') || d.peek('e') || d.peek('E') {
		d.bad = true
		return 0
	}
	if neg {
		return -n
	}
	return n
}

func (d *jsonScan) bool() bool {
	switch {
	case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
		return true
	case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
		return false
	}
	d.bad = true
	return false
}

// time reads a time as encoding/json does: Time.UnmarshalJSON on the
// literal, quotes included.
func (d *jsonScan) time() time.Time {
	start := d.i
	if !d.byte('"') {
		return time.Time{}
	}
	for d.i < len(d.b) && d.b[d.i] != '"' && d.b[d.i] != '\\' {
		d.i++
	}
	var t time.Time
	if !d.byte('"') || t.UnmarshalJSON(d.b[start:d.i]) != nil {
		d.bad = true
	}
	return t
}

func (d *jsonScan) bytes() []byte {
	if d.null() {
		return nil
	}
	s := d.str()
	if d.bad {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.bad = true
	}
	return b
}

func (d *jsonScan) state() State {
	st, err := ParseState(d.str())
	if err != nil {
		d.bad = true
	}
	return st
}
