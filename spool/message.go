package spool

import (
	"fmt"
	"strings"
	"time"
)

// Priority is a message's lane. Emergency messages are taken before any
// high or normal message that is due, and high before normal.
type Priority uint8

// The priorities; the zero value is normal.
const (
	PriorityNormal Priority = iota
	PriorityHigh
	PriorityEmergency
)

var priorityNames = [...]string{"normal", "high", "emergency"}

// Priorities lists the priorities from the most urgent.
func Priorities() []Priority { return []Priority{PriorityEmergency, PriorityHigh, PriorityNormal} }

// String returns "normal", "high" or "emergency".
func (p Priority) String() string {
	if int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return fmt.Sprintf("priority(%d)", uint8(p))
}

// lane is the first byte of a queue key: 0 is served first.
func (p Priority) lane() byte { return byte(PriorityEmergency - p) }

// MarshalText encodes the priority as its name.
func (p Priority) MarshalText() ([]byte, error) {
	if int(p) >= len(priorityNames) {
		return nil, fmt.Errorf("spool: invalid priority %d", uint8(p))
	}
	return []byte(priorityNames[p]), nil
}

// UnmarshalText parses a priority name.
func (p *Priority) UnmarshalText(b []byte) error {
	v, err := ParsePriority(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePriority parses "normal", "high" or "emergency" ("" is normal).
func ParsePriority(s string) (Priority, error) {
	if s == "" {
		return PriorityNormal, nil
	}
	for i, n := range priorityNames {
		if n == s {
			return Priority(i), nil
		}
	}
	return 0, fmt.Errorf("spool: unknown priority %q (want normal, high or emergency)", s)
}

// Direction says whether a message goes to a handset (MT) or came from one
// (MO).
type Direction string

// The directions.
const (
	MT Direction = "mt"
	MO Direction = "mo"
)

// Message is one SMS as the spool keeps it: what was asked, where it is,
// and everything that happened to it. Times are UTC with millisecond
// precision.
type Message struct {
	ID        string    `json:"id"` // ULID, time-ordered
	Tenant    string    `json:"tenant"`
	Direction Direction `json:"direction"`
	From      string    `json:"from,omitempty"` // E.164, short code or alphanumeric
	To        string    `json:"to"`             // E.164
	Body      string    `json:"body,omitempty"` // UTF-8 text
	Binary    []byte    `json:"binary,omitempty"`
	UDH       []byte    `json:"udh,omitempty"`      // caller-supplied UDH: for binary, or a text sent in one part after it
	Class0    bool      `json:"flash,omitempty"`    // display immediately (class 0)
	Redacted  bool      `json:"redacted,omitempty"` // body removed by retention
	Priority  Priority  `json:"priority"`

	ValidUntil time.Time `json:"valid_until"`
	SendAt     time.Time `json:"send_at,omitzero"`
	// ReceivedAt is when an inbound message's first part reached the
	// gateway, when that was before it was stored (a long message
	// waits for its parts); zero: when it was stored (its id's time).
	ReceivedAt time.Time `json:"received_at,omitzero"`
	ClientRef  string    `json:"client_ref,omitempty"`
	ReportReq  bool      `json:"report,omitempty"` // the submitter asked for a delivery report
	// ReportFailOnly narrows ReportReq to failures (SMPP registered_delivery
	// 2): no report is owed for a delivered message.
	ReportFailOnly bool `json:"report_fail_only,omitempty"`
	// ReportAccepted adds a report when the carrier or modem has taken
	// the whole message (state sent): Kannel's dlr-mask 8, "SMSC
	// accepted", which its clients use to learn the SMSC's message id.
	ReportAccepted bool   `json:"report_accepted,omitempty"`
	Source         string `json:"source,omitempty"`      // http:<key>, smpp:<system_id>, cli, ui:<user>
	SourceAddr     string `json:"source_addr,omitempty"` // the submitter's network address
	Encoding       string `json:"encoding,omitempty"`
	Segments       int    `json:"segments,omitempty"`

	Route       string    `json:"route,omitempty"`
	Connector   string    `json:"connector,omitempty"`
	State       State     `json:"state"`
	Reason      string    `json:"reason,omitempty"` // why the last failure or the final state
	Attempts    int       `json:"attempts"`
	MaxAttempts int       `json:"max_attempts,omitempty"`
	NextAt      time.Time `json:"next_at,omitzero"`      // queued: next attempt; sending: lease deadline
	Parts       []Part    `json:"parts,omitempty"`       // per segment, once sent
	Timeline    []Event   `json:"timeline"`              // every transition, oldest first
	UpdatedAt   time.Time `json:"updated_at,omitzero"`   // last change
	Idempotency string    `json:"idempotency,omitempty"` // the key it was submitted with
	RetryOf     string    `json:"retry_of,omitempty"`    // the failed message this one sends again
	// Callback is a per-message report URL (Kannel's dlr-url) that takes
	// the place of the tenant's webhook for this message's reports.
	Callback string `json:"callback,omitempty"`
}

// Part is one segment of a sent message as the connector reported it.
type Part struct {
	Seq        int       `json:"seq"` // 1-based
	ProviderID string    `json:"provider_id,omitempty"`
	State      State     `json:"state"`
	Error      string    `json:"error,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// attemptStart is when attempt n was leased (its "sending" entry), or
// when the message was accepted if the timeline no longer has it.
func (m *Message) attemptStart(n int) time.Time {
	want := fmt.Sprintf("attempt %d", n)
	for i := len(m.Timeline) - 1; i >= 0; i-- {
		if e := m.Timeline[i]; e.State == StateSending && e.Detail == want {
			return e.At
		}
	}
	return m.CreatedAt()
}

// SentParts is how many leading parts earlier attempts handed over
// (recorded and not failed, an empty provider id included: the carrier
// took the part, it only gave no id). A connector's retry sends from the
// next part, and the spool files that attempt's ids from there: both
// count the same way, so an id is never filed against another part.
func (m *Message) SentParts() int {
	n := 0
	for _, p := range m.Parts {
		if p.Seq != n+1 || p.State == StateFailed {
			break
		}
		n++
	}
	return n
}

// Event is one entry of a message's timeline.
type Event struct {
	At     time.Time `json:"at"`
	State  State     `json:"state"`
	Detail string    `json:"detail,omitempty"`
	Actor  string    `json:"actor,omitempty"` // who caused it: a connector, a user, "spool"
}

// CreatedAt is the time the message was accepted (from its ULID).
func (m *Message) CreatedAt() time.Time {
	id, err := parseID(m.ID)
	if err != nil {
		return time.Time{}
	}
	return idTime(id)
}

// Clone returns a deep copy.
func (m *Message) Clone() *Message {
	c := *m
	c.Binary = append([]byte(nil), m.Binary...)
	c.UDH = append([]byte(nil), m.UDH...)
	c.Parts = append([]Part(nil), m.Parts...)
	c.Timeline = append([]Event(nil), m.Timeline...)
	return &c
}

// record appends a timeline event and moves the state.
func (m *Message) record(at time.Time, st State, actor, detail string) {
	m.Timeline = append(m.Timeline, Event{At: at, State: st, Detail: detail, Actor: actor})
	m.State = st
	m.UpdatedAt = at
}

// note appends a timeline event without changing the state (a late or
// duplicate report, a stale result).
func (m *Message) note(at time.Time, actor, detail string) {
	m.Timeline = append(m.Timeline, Event{At: at, State: m.State, Detail: detail, Actor: actor})
	m.UpdatedAt = at
}

// deferred puts a leased message back without an attempt. The lease's
// "sending" entry is dropped, and a deferral for the same reason as the
// one before updates that entry instead of adding one, so that a message
// waiting hours for a connector keeps a short timeline.
func (m *Message) deferred(at time.Time, reason string) {
	if n := len(m.Timeline); n > 0 && m.Timeline[n-1].State == StateSending {
		m.Timeline = m.Timeline[:n-1]
	}
	detail := "deferred: " + reason
	if n := len(m.Timeline); n > 0 && m.Timeline[n-1].State == StateQueued &&
		strings.HasPrefix(m.Timeline[n-1].Detail, detail) {
		last := &m.Timeline[n-1]
		times := 1
		if i := strings.LastIndex(last.Detail, " (×"); i >= 0 {
			fmt.Sscanf(last.Detail[i:], " (×%d", &times)
		}
		last.Detail = fmt.Sprintf("%s (×%d, last %s)", detail, times+1, at.Format(time.RFC3339))
		m.State, m.UpdatedAt = StateQueued, at
		return
	}
	m.record(at, StateQueued, "spool", detail)
}

// contentCategory describes a message's content for the audit trail,
// which never holds a body.
func (m *Message) contentCategory() string {
	kind := "text"
	if m.Binary != nil {
		kind = "binary"
	}
	if m.Encoding != "" {
		kind += "/" + m.Encoding
	}
	return fmt.Sprintf("%s, %d segment(s)", kind, max(m.Segments, 1))
}
