package pdu

import "time"

// The reassembler's memory of messages made whole, which tells a
// carrier's repeat of their parts from a caller's new text.

// joinedPart is one part of a message made whole: its message, number
// and content.
type joinedPart struct {
	key     partKey
	seq     int
	content string
}

func partContent(p *Part) string { return string(rune(p.Encoding)) + p.Text + "\x00" + string(p.Data) }

// joinedMemory is how long the parts of a message made whole are
// remembered: carriers send a part again after a lost deliver_sm_resp
// minutes later, past any reassembly timeout.
const joinedMemory = 30 * time.Minute

// release joins a message's parts to let it go; a partial one made only
// of parts of a message made whole before is marked Repeats.
func (r *Reassembler) release(key partKey, parts []*Part) Reassembled {
	m := join(key, parts)
	if m.Partial {
		m.Repeats = true
		for i, p := range parts {
			if p == nil {
				continue
			}
			if at, ok := r.joined[joinedPart{key, i + 1, partContent(p)}]; !ok || p.Received.Sub(at) > joinedMemory {
				m.Repeats = false
				break
			}
		}
	}
	return m
}

// rememberJoined records the parts of a message made whole at when,
// forgetting those older than joinedMemory; at most MaxPending parts are
// kept.
func (r *Reassembler) rememberJoined(key partKey, parts []*Part, when time.Time) {
	if r.joined == nil {
		r.joined = make(map[joinedPart]time.Time)
	}
	if len(r.joined) >= r.maxPending() {
		for k, at := range r.joined {
			if when.Sub(at) > joinedMemory {
				delete(r.joined, k)
			}
		}
		if len(r.joined) >= r.maxPending() {
			clear(r.joined)
		}
	}
	for i, p := range parts {
		r.joined[joinedPart{key, i + 1, partContent(p)}] = when
	}
}
