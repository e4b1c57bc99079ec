package pdu

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Part is one part of an inbound (mobile originated) message, as the
// reassembler keeps it. Source names where it arrived (a modem or a
// connector), so that two receivers never mix their parts.
type Part struct {
	Source   string    `json:"source"`
	From     string    `json:"from"` // originator, as Address.String
	Concat   Concat    `json:"concat"`
	Encoding Encoding  `json:"encoding"`
	Text     string    `json:"text,omitempty"` // GSM7: decoded text
	Data     []byte    `json:"data,omitempty"` // UCS2 and 8-bit: the raw octets
	SCTS     time.Time `json:"scts"`
	Received time.Time `json:"received"`
}

// DeliverPart makes a Part of an SMS-DELIVER. A message that is not
// concatenated becomes part 1 of 1.
func DeliverPart(source string, d *Deliver, received time.Time) (Part, error) {
	p := Part{Source: source, From: d.Originator.String(), Encoding: d.Encoding(), SCTS: d.SCTS, Received: received}
	c, ok := d.UDH.Concat()
	if !ok {
		c = Concat{Total: 1, Seq: 1}
	}
	p.Concat = c
	switch p.Encoding {
	case GSM7:
		t, err := d.Text()
		if err != nil {
			return p, err
		}
		p.Text = t
	default:
		p.Data = append([]byte(nil), d.UD...)
	}
	return p, nil
}

// Reassembled is a message put back together from its parts. A Partial one
// was released after the timeout (or to make room) with parts Missing.
type Reassembled struct {
	Source   string
	From     string
	Ref      uint16
	Ref16    bool
	Total    int
	Encoding Encoding // of the first part present
	Text     string   // the text of the text parts, in order, with a gap marker (GapMarker) where one is missing
	Data     []byte   // the octets of the 8-bit parts, in order
	Partial  bool     // some parts never came
	Missing  []int    // their sequence numbers
	// Repeats: every part that came is one of a message made whole
	// before (a carrier that lost our deliver_sm_resp sent it again).
	// It may also be a new message that reused the reference and began
	// alike, so it is released all the same, and says so.
	Repeats bool
	// Replaced: a part with its reference and number but other content
	// came before the missing parts did (a new message that reused the
	// reference), so it was let go then, not at the timeout.
	Replaced bool
	SCTS     time.Time // of the first part present
	First    time.Time // when the first part arrived
	Last     time.Time // when the last part arrived
}

// Reassembler puts concatenated inbound messages back together: parts may
// come out of order, twice, interleaved with other senders' parts and with
// 8-bit and 16-bit references (which never mix). It is safe for concurrent
// use; Export and Restore let the spool persist it so that a restart loses
// no part.
type Reassembler struct {
	// Timeout is how long after its first part an incomplete message is
	// released as partial by Expire (default 30 minutes).
	Timeout time.Duration
	// MaxPending bounds the incomplete messages held (default 10000); past
	// it the oldest is released as partial.
	MaxPending int

	mu      sync.Mutex
	pending map[partKey]*pendingMsg
	// joined holds the parts of messages made whole in the last
	// joinedMemory: a partial message all of whose parts are among them
	// is marked Repeats. In memory only.
	joined map[joinedPart]time.Time
}

type partKey struct {
	Source, From string
	Ref          uint16
	Ref16        bool
	Total        int
}

type pendingMsg struct {
	key   partKey
	parts []*Part // index seq-1
	first time.Time
}

func (r *Reassembler) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return 30 * time.Minute
}

// Add takes a part and returns the messages it completes: the message this
// part finishes, if any, and any message released to make room or because
// this part reused the reference of an unfinished one with different
// content (the old one is released as partial, never dropped). A part that
// duplicates one already held is ignored.
func (r *Reassembler) Add(p Part) ([]Reassembled, error) {
	c := p.Concat
	if c.Total < 1 || c.Seq < 1 || c.Seq > c.Total {
		return nil, fmt.Errorf("pdu: part %d of %d: %w", c.Seq, c.Total, ErrInvalid)
	}
	if c.Total == 1 {
		return []Reassembled{join(partKey{Source: p.Source, From: p.From, Ref: c.Ref, Ref16: c.Ref16, Total: 1}, []*Part{&p})}, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == nil {
		r.pending = make(map[partKey]*pendingMsg)
	}
	key := partKey{Source: p.Source, From: p.From, Ref: c.Ref, Ref16: c.Ref16, Total: c.Total}
	var out []Reassembled
	m := r.pending[key]
	if m != nil {
		if old := m.parts[c.Seq-1]; old != nil {
			if samePart(old, &p) {
				return nil, nil
			}
			old := r.release(key, m.parts)
			old.Replaced = true
			out = append(out, old)
			delete(r.pending, key)
			m = nil
		}
	}
	if m == nil {
		if limit := r.maxPending(); len(r.pending) >= limit {
			out = append(out, r.evictOldest())
		}
		m = &pendingMsg{key: key, parts: make([]*Part, c.Total), first: p.Received}
		r.pending[key] = m
	}
	pc := p
	m.parts[c.Seq-1] = &pc
	if p.Received.Before(m.first) {
		m.first = p.Received
	}
	if !slices.Contains(m.parts, nil) {
		out = append(out, join(key, m.parts))
		delete(r.pending, key)
		r.rememberJoined(key, m.parts, p.Received)
	}
	return out, nil
}

func (r *Reassembler) maxPending() int {
	if r.MaxPending > 0 {
		return r.MaxPending
	}
	return 10000
}

func (r *Reassembler) evictOldest() Reassembled {
	var oldest *pendingMsg
	for _, m := range r.pending {
		if oldest == nil || m.first.Before(oldest.first) {
			oldest = m
		}
	}
	delete(r.pending, oldest.key)
	return r.release(oldest.key, oldest.parts)
}

func samePart(a, b *Part) bool {
	return a.Encoding == b.Encoding && a.Text == b.Text && bytes.Equal(a.Data, b.Data)
}

// Expire releases, as partial, every incomplete message whose first part
// arrived at least Timeout before now, oldest first.
func (r *Reassembler) Expire(now time.Time) []Reassembled {
	r.mu.Lock()
	defer r.mu.Unlock()
	var due []*pendingMsg
	for _, m := range r.pending {
		if !now.Before(m.first.Add(r.timeout())) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, func(a, b *pendingMsg) int { return a.first.Compare(b.first) })
	out := make([]Reassembled, 0, len(due))
	for _, m := range due {
		delete(r.pending, m.key)
		out = append(out, r.release(m.key, m.parts))
	}
	return out
}

// NextExpiry returns when Expire will next release something, and false
// when nothing is pending.
func (r *Reassembler) NextExpiry() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var next time.Time
	for _, m := range r.pending {
		if t := m.first.Add(r.timeout()); next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next, !next.IsZero()
}

// Pending returns the number of incomplete messages held.
func (r *Reassembler) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

// ReassemblyState is the reassembler's content, for persisting.
type ReassemblyState struct {
	Parts []Part `json:"parts"`
}

// Export returns every part held, oldest message first.
func (r *Reassembler) Export() ReassemblyState {
	r.mu.Lock()
	defer r.mu.Unlock()
	ms := make([]*pendingMsg, 0, len(r.pending))
	for _, m := range r.pending {
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b *pendingMsg) int { return a.first.Compare(b.first) })
	var st ReassemblyState
	for _, m := range ms {
		for _, p := range m.parts {
			if p != nil {
				st.Parts = append(st.Parts, *p)
			}
		}
	}
	return st
}

// Restore adds the parts of an exported state; messages they complete (or
// release) are returned as Add would.
func (r *Reassembler) Restore(st ReassemblyState) ([]Reassembled, error) {
	var out []Reassembled
	for _, p := range st.Parts {
		done, err := r.Add(p)
		if err != nil {
			return out, err
		}
		out = append(out, done...)
	}
	return out, nil
}

// GapMarker is what the text of a partial message holds where parts
// from to to (of total) never came: "Fire at 5th [part 2 of 3 missing]
// floor", "[parts 2-4 of 6 missing]", so a reader does not take the
// text around the gap for one sentence.
func GapMarker(from, to, total int) string {
	if from == to {
		return fmt.Sprintf("[part %d of %d missing]", from, total)
	}
	return fmt.Sprintf("[parts %d-%d of %d missing]", from, to, total)
}

// join assembles the parts present, in order. Adjacent UCS-2 parts are
// joined before decoding, so a surrogate pair that a sender split across
// parts is healed. A missing part leaves a GapMarker in the text (of a
// message with text parts).
func join(key partKey, parts []*Part) Reassembled {
	m := Reassembled{Source: key.Source, From: key.From, Ref: key.Ref, Ref16: key.Ref16, Total: key.Total}
	var text bytes.Buffer
	var ucs2 []byte
	flush := func() {
		if len(ucs2) > 0 {
			text.Grow(len(ucs2) / 2 * 3) // 3 octets of UTF-8 at most per unit
			text.Write(appendUCS2Text(text.AvailableBuffer(), ucs2))
			ucs2 = ucs2[:0]
		}
	}
	seen, texts := false, false
	for i, p := range parts {
		if p == nil {
			m.Missing = append(m.Missing, i+1)
			flush()
			if i+1 == len(parts) || parts[i+1] != nil {
				from := i + 1
				for from > 1 && parts[from-2] == nil {
					from--
				}
				text.WriteString(GapMarker(from, i+1, len(parts)))
			}
			continue
		}
		if !seen {
			m.Encoding, m.SCTS, m.First, m.Last = p.Encoding, p.SCTS, p.Received, p.Received
			seen = true
		}
		if p.Received.Before(m.First) {
			m.First = p.Received
		}
		if p.Received.After(m.Last) {
			m.Last = p.Received
		}
		switch p.Encoding {
		case UCS2:
			texts = true
			ucs2 = append(ucs2, p.Data...)
		case GSM7:
			texts = true
			flush()
			text.WriteString(p.Text)
		default:
			flush()
			m.Data = append(m.Data, p.Data...)
		}
	}
	flush()
	if texts {
		m.Text = text.String()
	}
	m.Partial = len(m.Missing) > 0
	return m
}
