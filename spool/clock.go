package spool

import (
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The spool's clock follows the system's wall clock, except that it never
// goes back and it notices when the wall clock jumps. An appliance without
// a battery-backed clock can boot with a clock hours or years behind (its
// last saved time, or 1970), and then be stepped forward when NTP reaches
// a server, which, on a box that is the fallback for when the internet
// fails, may be much later. Stored times are absolute: a retry due at
// 10:05, a validity ending at 11:00. Followed blindly, a clock that went
// back would hold every message already queued until it caught up again,
// and a clock that jumped forward would expire messages that had waited
// only minutes.
//
// So:
//   - when the wall clock is behind the last time the spool handed out
//     (at open: the time it recorded before the stop; while running: a
//     step back), the spool's time carries on from there by the
//     monotonic clock, until the wall clock catches up;
//   - when the wall clock jumps ahead of the spool's time by more than
//     clockStepMin, the jump is recorded as a step, and a message last
//     changed before the step has its validity (and, while sending, its
//     lease) moved by the step when the spool next reads it to change it
//     (adjustForSteps), with a note in its timeline. Retries and
//     schedules are not moved: a jump ahead only makes them due sooner.
//
// Both are persisted (meta "clock"), so they hold across a restart. A
// suspended machine looks like a step ahead (the monotonic clock stops
// while suspended); appliances do not suspend.
type clock struct {
	wall func() time.Time
	// mono is the monotonic time since an arbitrary start, or nil when
	// the wall clock is all there is (tests that set Options.Now only):
	// then the spool's time is the wall clock, as given.
	mono func() time.Duration
	log  *slog.Logger

	mu       sync.Mutex
	last     time.Time     // the last time handed out
	lastMono time.Duration // mono() when last was handed out
	started  bool
	floor    bool          // the wall clock is behind last: carry on by mono
	behind   time.Duration // how far, while floor
	steps    []clockStep   // forward steps, oldest first
	saved    time.Time     // last as last persisted
	dirty    bool          // steps changed since persisted
	gen      int           // counts changes of steps
}

// clockStep is a jump ahead of the wall clock: at Before (spool time) it
// read Before+Delta.
type clockStep struct {
	Before time.Time     `json:"before"`
	Delta  time.Duration `json:"delta"`
}

// clockStepMin is the smallest jump that counts as a step. Time servers
// slew offsets under half a second and step larger ones.
const clockStepMin = time.Second

// maxClockSteps bounds the persisted steps; a message unchanged since
// an older one is not moved for it.
const maxClockSteps = 32

// clockSaveEvery is how often a commit records the spool's time (what
// the next open carries on from when the wall clock is behind it).
const clockSaveEvery = time.Second

var kClock = []byte("clock")

type clockState struct {
	Last  time.Time   `json:"last"`
	Steps []clockStep `json:"steps,omitempty"`
	gen   int         // the steps' generation this state holds
}

func newSpoolClock(opts Options) *clock {
	c := &clock{wall: opts.Now, mono: opts.Monotonic, log: opts.Logger.With("comp", "spool")}
	if opts.nowDefault && c.mono == nil {
		base := time.Now()
		c.wall = func() time.Time { return time.Now().Round(0) }
		c.mono = func() time.Duration { return time.Since(base) }
	}
	return c
}

// restore takes the state persisted by an earlier process.
func (c *clock) restore(tx *bolt.Tx) {
	v := tx.Bucket(bMeta).Get(kClock)
	if v == nil {
		return
	}
	var st clockState
	if err := json.Unmarshal(v, &st); err != nil {
		c.log.Warn("ignoring the spool's recorded clock state", "err", err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last, c.saved, c.steps = st.Last, st.Last, st.Steps
}

// now is the spool's time, UTC at millisecond precision.
func (c *clock) now() time.Time {
	if c.mono == nil {
		return c.wall().UTC().Truncate(time.Millisecond)
	}
	// Both read under the lock: callers' readings are then in order, and
	// one that waited for the lock does not look like a step.
	c.mu.Lock()
	defer c.mu.Unlock()
	w, m := c.wall().UTC().Truncate(time.Millisecond), c.mono()
	if !c.started {
		c.started = true
		c.lastMono = m
		if c.last.IsZero() || !w.Before(c.last.Add(-clockStepMin)) {
			c.last = later(w, c.last)
			return c.last
		}
		c.floor, c.behind = true, c.last.Sub(w)
		c.log.Warn("the system clock is behind the time the spool last recorded; the spool carries on from that time until the clock catches up",
			"system_clock", w, "spool_clock", c.last, "behind", c.behind.Round(time.Second))
		return c.last
	}
	expect := c.last.Add(m - c.lastMono).Truncate(time.Millisecond)
	c.lastMono = m
	switch {
	case w.After(expect.Add(clockStepMin)):
		d := w.Sub(expect)
		c.log.Warn("the system clock jumped ahead; the validity and leases of messages queued before it move by the same",
			"from", expect, "to", w, "step", d.Round(time.Second))
		c.steps = append(c.steps, clockStep{Before: expect, Delta: d})
		if len(c.steps) > maxClockSteps {
			c.steps = c.steps[len(c.steps)-maxClockSteps:]
		}
		c.dirty, c.floor, c.behind, c.last = true, false, 0, w
		c.gen++
	case w.Before(expect.Add(-clockStepMin)) || c.floor && w.Before(expect):
		if !c.floor {
			c.log.Warn("the system clock went back; the spool carries on from its own time until the clock catches up",
				"system_clock", w, "spool_clock", expect, "behind", expect.Sub(w).Round(time.Second))
		}
		c.floor, c.behind, c.last = true, expect.Sub(w), expect
	default:
		if c.floor {
			c.log.Info("the system clock has caught up with the spool's")
		}
		c.floor, c.behind, c.last = false, 0, later(w, c.last)
	}
	return c.last
}

// toSave is the clock's state for a commit to record, when a step is new
// or the recorded time is older than clockSaveEvery.
func (c *clock) toSave() (clockState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mono == nil || !c.dirty && c.last.Sub(c.saved) < clockSaveEvery {
		return clockState{}, false
	}
	return clockState{Last: c.last, Steps: append([]clockStep(nil), c.steps...), gen: c.gen}, true
}

// persisted notes that st is on disk.
func (c *clock) persisted(st clockState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saved = st.Last
	if st.gen == c.gen {
		c.dirty = false
	}
}

// saveClock records the clock's state in this transaction when it is due.
func (w *wtx) saveClock() error {
	st, ok := w.s.clock.toSave()
	if !ok {
		return nil
	}
	v, err := json.Marshal(st)
	if err != nil {
		return err
	}
	w.clockSaved = &st
	return w.tx.Bucket(bMeta).Put(kClock, v)
}

// follow makes the spool's time the system clock's again, from now on,
// and forgets the steps (ResetClock, once the stored times are moved).
func (c *clock) follow() {
	if c.mono == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last, c.lastMono = c.wall().UTC().Truncate(time.Millisecond), c.mono()
	c.started, c.floor, c.behind, c.steps, c.dirty = true, false, 0, nil, true
	c.gen++
}

// stepsSince is the sum of the steps that happened after t.
func (c *clock) stepsSince(t time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var d time.Duration
	for i := len(c.steps) - 1; i >= 0 && t.Before(c.steps[i].Before.Add(time.Millisecond)); i-- {
		d += c.steps[i].Delta
	}
	return d
}

// ClockStatus says how the spool's time stands against the system clock.
type ClockStatus struct {
	// Behind is how far the system clock is behind the spool's time
	// (zero when they agree): the spool is carrying on from the time it
	// last recorded.
	Behind time.Duration
	// Steps is how many jumps ahead the spool has recorded, and LastStep
	// the latest.
	Steps    int
	LastStep time.Duration
}

// behindNow is how far the system clock is behind the spool's time.
func (c *clock) behindNow() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.behind
}

// Clock reports the spool's clock against the system clock.
func (s *Store) Clock() ClockStatus {
	c := s.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	st := ClockStatus{Behind: c.behind, Steps: len(c.steps)}
	if n := len(c.steps); n > 0 {
		st.LastStep = c.steps[n-1].Delta
	}
	return st
}

// Now is the spool's time (see clock): what the ingresses must use to
// turn a relative validity or schedule into the absolute times stored.
func (s *Store) Now() time.Time { return s.now() }

// adjustForSteps moves the validity of a message still to be sent, and
// its lease while sending, by the clock steps since it last changed, and
// notes it on the timeline. It reports whether it changed anything; the
// caller saves the message.
func (w *wtx) adjustForSteps(m *Message) bool {
	if m.Direction != MT || m.State.Final() || m.UpdatedAt.IsZero() {
		return false
	}
	d := w.s.clock.stepsSince(m.UpdatedAt)
	if d <= 0 {
		return false
	}
	m.ValidUntil = m.ValidUntil.Add(d)
	if m.State == StateSending {
		m.NextAt = m.NextAt.Add(d)
	}
	m.note(w.now, "spool", "the system clock jumped ahead by "+d.Round(time.Second).String()+
		" since this message last changed; its validity moves by the same, to "+m.ValidUntil.Format(time.RFC3339))
	return true
}
