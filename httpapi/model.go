package httpapi

import (
	"strings"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// TimeFormat is how every time in the API is written: RFC 3339, UTC,
// millisecond precision.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Time is a time.Time that marshals as TimeFormat in UTC. Its zero value
// is left out of JSON (omitzero).
type Time struct{ time.Time }

// MarshalJSON writes t as TimeFormat in UTC.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(TimeFormat) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 time.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	t.Time = v
	return err
}

func at(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// Message is the API's one JSON representation of a message, in answers,
// lists and webhook events. Fields a context does not have are left out:
// a list leaves out timeline and parts, an event the submitter's details.
type Message struct {
	ID        string `json:"id"`
	Direction string `json:"direction"` // mt (to a handset) or mo (from one)
	Status    string `json:"status"`    // the state: queued, sent, delivered…
	To        string `json:"to"`
	From      string `json:"from,omitempty"`
	Text      string `json:"text,omitempty"`
	Binary    []byte `json:"binary,omitempty"` // base64 in JSON
	UDH       []byte `json:"udh,omitempty"`    // base64 in JSON
	Flash     bool   `json:"flash,omitempty"`
	Redacted  bool   `json:"redacted,omitempty"` // the body was removed by retention
	Priority  string `json:"priority,omitempty"`
	Encoding  string `json:"encoding,omitempty"` // gsm7, ucs2, 8bit…
	Segments  int    `json:"segments,omitempty"`
	ClientRef string `json:"client_ref,omitempty"`
	Report    bool   `json:"report,omitempty"` // a delivery report was asked for
	Reason    string `json:"reason,omitempty"` // why the last failure or the final state
	Attempts  int    `json:"attempts,omitempty"`
	Connector string `json:"connector,omitempty"`

	Created     Time `json:"created"`
	Received    Time `json:"received,omitzero"` // inbound messages: when it arrived
	Updated     Time `json:"updated,omitzero"`
	ValidUntil  Time `json:"valid_until,omitzero"`
	SendAt      Time `json:"send_at,omitzero"`
	NextAttempt Time `json:"next_attempt,omitzero"`

	// Source and SourceAddr are shown only to the key that submitted the
	// message (http:<key id> and its network address).
	Source     string `json:"source,omitempty"`
	SourceAddr string `json:"source_addr,omitempty"`

	Timeline []Event `json:"timeline,omitempty"` // GET /messages/{id} only
	Parts    []Part  `json:"parts,omitempty"`    // GET /messages/{id} only, once sent
}

// Event is one entry of a message's timeline.
type Event struct {
	At     Time   `json:"at"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	Actor  string `json:"actor,omitempty"`
	// Note marks an entry that records something (a report handed to
	// the webhook, a deferral again) without a change of status: the
	// status is the one of the entry before.
	Note bool `json:"note,omitempty"`
}

// Part is one segment of a sent message.
type Part struct {
	Seq        int    `json:"seq"`
	ProviderID string `json:"provider_id,omitempty"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	Updated    Time   `json:"updated,omitzero"`
}

// Page is one page of GET /messages or GET /inbound, newest first.
// NextCursor is empty on the last page.
type Page struct {
	Messages   []Message `json:"messages"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// SubmitRequest is the body of POST /api/v1/messages.
type SubmitRequest struct {
	To     string `json:"to"`
	Text   string `json:"text,omitempty"`
	Binary []byte `json:"binary,omitempty"` // base64 in JSON; instead of text
	UDH    []byte `json:"udh,omitempty"`    // base64 in JSON; with binary
	From   string `json:"from,omitempty"`   // default: the tenant's default sender
	// Priority is normal (default), high or emergency.
	Priority string `json:"priority,omitempty"`
	// Validity is a duration from now ("90m", "48h") or an RFC 3339 time.
	Validity  string `json:"validity,omitempty"`
	SendAt    string `json:"send_at,omitempty"` // RFC 3339
	ClientRef string `json:"client_ref,omitempty"`
	// Report asks for a delivery report (webhook); default true.
	Report *bool `json:"report,omitempty"`
	Flash  bool  `json:"flash,omitempty"`
}

// view says how much of a message to show.
type view struct {
	full  bool   // timeline and parts
	owner string // the source that may see Source/SourceAddr ("http:<key>")
}

// toJSON converts a spool message to its API representation.
func toJSON(m *spool.Message, v view) Message {
	out := Message{
		ID: m.ID, Direction: string(m.Direction), Status: m.State.String(),
		To: m.To, From: m.From, Text: m.Body, Binary: m.Binary, UDH: m.UDH,
		Flash: m.Class0, Redacted: m.Redacted, Encoding: m.Encoding, Segments: m.Segments,
		ClientRef: m.ClientRef, Report: m.ReportReq, Reason: m.Reason, Attempts: m.Attempts,
		Connector: m.Connector,
		Created:   at(m.CreatedAt()), Updated: at(m.UpdatedAt),
	}
	if m.Direction == spool.MO {
		out.Received = out.Created
		if !m.ReceivedAt.IsZero() {
			out.Received = at(m.ReceivedAt)
		}
	} else {
		out.Priority = m.Priority.String()
		out.ValidUntil, out.SendAt = at(m.ValidUntil), at(m.SendAt)
		if m.State == spool.StateQueued {
			out.NextAttempt = at(m.NextAt)
		}
	}
	if v.owner != "" && m.Source == v.owner {
		out.Source, out.SourceAddr = m.Source, m.SourceAddr
	}
	if v.full {
		for i, e := range m.Timeline {
			out.Timeline = append(out.Timeline, Event{At: at(e.At), Status: e.State.String(), Detail: e.Detail, Actor: e.Actor,
				Note: i > 0 && e.State == m.Timeline[i-1].State})
		}
		for _, p := range m.Parts {
			out.Parts = append(out.Parts, Part{Seq: p.Seq, ProviderID: p.ProviderID, Status: p.State.String(),
				Error: p.Error, Updated: at(p.UpdatedAt)})
		}
	}
	return out
}
