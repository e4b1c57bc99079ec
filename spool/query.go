package spool

import (
	"bytes"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
)

// Get returns one message with its timeline and parts.
func (s *Store) Get(id string) (*Message, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a message id", ErrNotFound, id)
	}
	var m *Message
	err = s.db.View(func(tx *bolt.Tx) error {
		m, err = s.getMessage(tx, uid)
		return err
	})
	return m, err
}

// Filter selects messages for List. Zero fields match everything.
type Filter struct {
	Tenant    string
	To        string
	ClientRef string // needs Tenant
	State     State
	Priority  *Priority
	Direction Direction
	Since     time.Time // accepted at or after
	Until     time.Time // accepted before
}

func (f Filter) match(m *Message) bool {
	return (f.Tenant == "" || m.Tenant == f.Tenant) &&
		(f.To == "" || m.To == f.To) &&
		(f.ClientRef == "" || m.ClientRef == f.ClientRef) &&
		(f.State == 0 || m.State == f.State) &&
		(f.Priority == nil || m.Priority == *f.Priority) &&
		(f.Direction == "" || m.Direction == f.Direction)
}

// Page is one page of List, newest first. Next is the cursor for the next
// page ("" at the end).
type Page struct {
	Messages []*Message `json:"messages"`
	Next     string     `json:"next_cursor,omitempty"`
}

// maxScan bounds the records one List call reads, so that a rare filter
// combination cannot scan the whole spool: a page may then come back
// short with a cursor to go on.
const maxScan = 20000

// List returns up to limit messages matching f, newest first, starting
// after cursor (the Next of the previous page). It walks the narrowest
// index the filter allows: recipient, client reference, state, tenant,
// or all messages.
func (s *Store) List(f Filter, cursor string, limit int) (Page, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var page Page
	var prefix []byte
	bucket := bMsgs
	switch {
	case f.To != "":
		// from the in-memory recipient index, below
	case f.ClientRef != "" && f.Tenant != "":
		bucket, prefix = bRef, strKey(nil, f.Tenant, f.ClientRef)
	case f.State != 0:
		bucket, prefix = bState, []byte{byte(f.State)}
	case f.Tenant != "":
		bucket, prefix = bTenant, strKey(nil, f.Tenant)
	}
	// Start just below the cursor, or below Until.
	upper := ulid.ULID{}
	for i := range upper {
		upper[i] = 0xff
	}
	if !f.Until.IsZero() {
		var u ulid.ULID // the first id at Until; the bound is below it
		_ = u.SetTime(ulid.Timestamp(f.Until))
		upper = prevID(u)
	}
	if cursor != "" {
		c, err := parseID(cursor)
		if err != nil {
			return page, fmt.Errorf("%w: bad cursor %q", ErrInvalid, cursor)
		}
		if c.Compare(upper) <= 0 {
			upper = prevID(c)
		}
	}
	sinceMS := ms(f.Since)
	err := s.db.View(func(tx *bolt.Tx) error {
		var next func() (ulid.ULID, bool)
		if f.To != "" {
			next = s.rcptIDs(f.To, upper)
		} else {
			next = indexIDs(tx.Bucket(bucket).Cursor(), prefix, upper)
		}
		var err error
		page, err = collect(tx.Bucket(bMsgs), next, f, sinceMS, limit)
		return err
	})
	return page, err
}

// indexIDs walks the ids of an index's entries under prefix, newest
// first, from upper (inclusive) down.
func indexIDs(c *bolt.Cursor, prefix []byte, upper ulid.ULID) func() (ulid.ULID, bool) {
	seek := append(append([]byte(nil), prefix...), upper[:]...)
	k, _ := c.Seek(seek)
	if k == nil || !bytes.Equal(k, seek) {
		k, _ = c.Prev()
	}
	first := true
	return func() (ulid.ULID, bool) {
		if !first {
			k, _ = c.Prev()
		}
		first = false
		var id ulid.ULID
		if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+16 {
			return id, false
		}
		copy(id[:], k[len(prefix):])
		return id, true
	}
}

// rcptIDs walks the in-memory recipient index the same way, a batch at
// a time.
func (s *Store) rcptIDs(to string, upper ulid.ULID) func() (ulid.ULID, bool) {
	var batch []ulid.ULID
	done := false
	return func() (ulid.ULID, bool) {
		if len(batch) == 0 && !done {
			batch = s.rcpt.below(to, upper, 256)
			done = len(batch) < 256
			if len(batch) > 0 {
				upper = prevID(batch[len(batch)-1])
			}
		}
		if len(batch) == 0 {
			return ulid.ULID{}, false
		}
		id := batch[0]
		batch = batch[1:]
		return id, true
	}
}

// collect reads the messages next names until limit match f, the ids go
// below since, or maxScan records were read (then Next says where to go
// on).
func collect(msgs *bolt.Bucket, next func() (ulid.ULID, bool), f Filter, sinceMS uint64, limit int) (Page, error) {
	var page Page
	var last ulid.ULID
	for scanned := 0; ; scanned++ {
		id, ok := next()
		if !ok || id.Time() < sinceMS {
			return page, nil
		}
		if scanned == maxScan {
			page.Next = last.String() // the next page starts with id
			return page, nil
		}
		last = id
		v := msgs.Get(id[:])
		if v == nil {
			continue // purged since the in-memory index was read
		}
		m, err := decodeMessage(v)
		if err != nil {
			return page, err
		}
		if !f.match(m) {
			continue
		}
		page.Messages = append(page.Messages, m)
		if len(page.Messages) == limit {
			if more, ok := next(); ok && more.Time() >= sinceMS {
				page.Next = id.String()
			}
			return page, nil
		}
	}
}

// prevID is the id just below id.
func prevID(id ulid.ULID) ulid.ULID {
	for i := len(id) - 1; i >= 0; i-- {
		id[i]--
		if id[i] != 0xff {
			break
		}
	}
	return id
}

// Stats is a snapshot of the spool.
type Stats struct {
	States    map[string]int64 `json:"states"`                  // messages per state
	Queued    map[string]int64 `json:"queued"`                  // waiting or being sent, per priority
	OldestDue map[string]int64 `json:"oldest_due_ms,omitempty"` // per priority: how long the longest-waiting queued message has waited to go (since acceptance or send_at), in ms
	Outbox    int64            `json:"outbox"`                  // reports and MO owed upstream
	AuditSeq  uint64           `json:"audit_entries"`
	FileBytes int64            `json:"file_bytes"`
	MaxQueued int              `json:"max_queued"`
	MaxBytes  int64            `json:"max_file_bytes"`
	// ClockBehindMS is how far the system clock is behind the spool's
	// time, which then carries on by itself (see Store.Clock); 0 when
	// they agree. ClockSteps counts the jumps ahead it recorded, and
	// LastClockStepMS is the latest.
	ClockBehindMS   int64 `json:"clock_behind_ms,omitempty"`
	ClockSteps      int   `json:"clock_steps,omitempty"`
	LastClockStepMS int64 `json:"last_clock_step_ms,omitempty"`
	// DiskFreeBytes is the space left on the file's filesystem for this
	// process (-1 when it cannot be read). The disk can fill before the
	// file reaches MaxBytes; then only messages in flight still finish.
	DiskFreeBytes int64 `json:"disk_free_bytes"`
	// Intake says why a normal message would be refused now (the queue
	// limit, the file size, the disk: Room's reason), empty when one
	// would be taken. Emergency messages have a reserve of their own;
	// EmergencyIntake says why one would be refused even so.
	Intake          string `json:"intake,omitempty"`
	EmergencyIntake string `json:"emergency_intake,omitempty"`
}

// Stats returns counts per state and lane, the age of the most overdue
// message per lane, and the file size.
func (s *Store) Stats() (Stats, error) {
	st := Stats{States: map[string]int64{}, Queued: map[string]int64{}, OldestDue: map[string]int64{},
		MaxQueued: s.opts.MaxQueued, MaxBytes: s.opts.MaxFileSize}
	s.mu.Lock()
	for _, state := range States() {
		st.States[state.String()] = s.counts[state]
	}
	for _, p := range Priorities() {
		st.Queued[p.String()] = s.lanes[p.lane()]
	}
	st.Outbox, st.AuditSeq = s.outbox, s.head.seq
	s.mu.Unlock()
	now := s.now()
	cs := s.Clock()
	st.ClockBehindMS, st.ClockSteps, st.LastClockStepMS = cs.Behind.Milliseconds(), cs.Steps, cs.LastStep.Milliseconds()
	err := s.db.View(func(tx *bolt.Tx) error {
		st.FileBytes = tx.Size()
		s.oldestWaiting(tx, now, st.Queued, st.OldestDue)
		return nil
	})
	st.DiskFreeBytes = -1
	if free, _, ok := diskSpace(s.path); ok {
		st.DiskFreeBytes = free
	}
	if err == nil {
		if room := s.Room(PriorityNormal); room != nil {
			st.Intake = room.Error()
			if room := s.Room(PriorityEmergency); room != nil {
				st.EmergencyIntake = room.Error()
			}
		}
	}
	return st, err
}

// maxWaitingScan bounds the queued messages Stats reads to find the
// longest-waiting one of each priority.
const maxWaitingScan = 2000

// oldestWaiting fills out, per priority, how long the queued message that
// has waited longest has been waiting to go: since it was accepted, or
// since its send_at when that came later. Deferrals (no usable route)
// and retry backoffs do not start the wait over: the dashboard and
// smsgw_queue_oldest_due_seconds say "nothing has gone for 40 minutes",
// not "nothing is overdue" because the next attempt is always a few
// seconds away. The queued state index is in id order, oldest first;
// scheduled messages whose time has not come are skipped.
func (s *Store) oldestWaiting(tx *bolt.Tx, now time.Time, queued map[string]int64, out map[string]int64) {
	need := 0
	for _, n := range queued {
		if n > 0 {
			need++
		}
	}
	c := tx.Bucket(bState).Cursor()
	scanned := 0
	for k, _ := c.Seek([]byte{byte(StateQueued)}); k != nil && k[0] == byte(StateQueued) && need > 0 && scanned < maxWaitingScan; k, _ = c.Next() {
		scanned++
		var id ulid.ULID
		copy(id[:], k[1:])
		m, err := s.getMessage(tx, id)
		if err != nil {
			continue
		}
		p := m.Priority.String()
		if _, done := out[p]; done {
			continue
		}
		since := idTime(id)
		if m.SendAt.After(since) {
			since = m.SendAt
		}
		if since.After(now) {
			continue // scheduled: its time has not come
		}
		out[p] = now.Sub(since).Milliseconds()
		need--
	}
}

// NextDue is the earliest time a message of priority min or above falls
// due, counting lease deadlines (zero when none waits): the dispatcher
// sleeps until then.
func (s *Store) NextDue(min Priority) (time.Time, error) {
	var next time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bQueue).Cursor()
		for lane := byte(0); lane <= min.lane(); lane++ {
			k, _ := c.Seek([]byte{lane})
			if k != nil && k[0] == lane {
				if t := fromMS(beUint64(k[1:])); next.IsZero() || t.Before(next) {
					next = t
				}
			}
		}
		return nil
	})
	return next, err
}

// NextOutboxDue is the earliest time an outbox item falls due (zero when
// none waits).
func (s *Store) NextOutboxDue() (time.Time, error) {
	var next time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bOutQ).Cursor().First(); k != nil {
			next = fromMS(beUint64(k))
		}
		return nil
	})
	return next, err
}
