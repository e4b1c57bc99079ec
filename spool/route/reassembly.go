package route

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

// Inbound is the spool message for a whole (or given up) inbound message
// to the line to, from a connector. A long one is received when its
// first part came, not when the last came or the wait for a missing one
// ended.
func Inbound(r pdu.Reassembled, tenant, to, connector, source string) *spool.Message {
	mo := &spool.Message{Tenant: tenant, From: r.From, To: to, Body: r.Text, Connector: connector,
		Encoding: r.Encoding.String(), Segments: r.Total, Source: source}
	if r.Data != nil {
		mo.Binary = r.Data
	}
	if r.Partial {
		mo.Reason = fmt.Sprintf("parts %v never arrived", r.Missing)
		if r.Replaced {
			mo.Reason += " before a new message reused its reference"
		}
		if r.Repeats {
			mo.Reason += "; the parts that came repeat a message received before (likely the carrier sending them again)"
		}
	}
	if r.Total > 1 {
		mo.ReceivedAt = r.First.UTC().Truncate(time.Millisecond)
	}
	return mo
}

// StateStore keeps a small piece of state durably; Sink has it, and so
// does *spool.Store.
type StateStore interface {
	LoadState(key string) ([]byte, error)
	SaveState(ctx context.Context, key string, value []byte) error
}

// Reassembly joins the parts of concatenated messages arriving at a
// connector (MO from a modem or a carrier; the SMPP server joins what
// applications submit in parts with its own durable store). Its state is
// saved after every change, before the caller lets go of the part
// (deletes it from the SIM, answers deliver_sm_resp), so that a restart
// loses no part.
type Reassembly struct {
	mu    sync.Mutex
	r     pdu.Reassembler
	key   string
	store StateStore
}

// NewReassembly keeps its state under key in store. timeout is how long
// an incomplete message waits for its missing parts (0: the
// reassembler's default, 30 minutes).
func NewReassembly(key string, store StateStore, timeout time.Duration) *Reassembly {
	x := &Reassembly{key: key, store: store}
	x.r.Timeout = timeout
	return x
}

// Restore loads the saved parts. Messages that time ran out on while
// stopped are returned by the next Add, or stored by RunExpiry.
func (x *Reassembly) Restore() error {
	b, err := x.store.LoadState(x.key)
	if err != nil || b == nil {
		return err
	}
	var st pdu.ReassemblyState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("reassembly state %s: %w", x.key, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	_, err = x.r.Restore(st)
	return err
}

// Add adds a part, hands the messages it completes (or gives up on) to
// store, and saves the state. When store fails, the part and every part
// it would have released are put back as they were, and the error is
// returned: the caller keeps the part where it came from (on the SIM,
// or unacknowledged to the carrier) and it comes again. Before, the
// state was saved first, and a failed store lost the message whose last
// part that was. A store that fails after storing some of several
// messages stores those again on the next try: a duplicate, not a loss.
func (x *Reassembly) Add(ctx context.Context, p pdu.Part, now time.Time, store func(context.Context, []pdu.Reassembled) error) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.release(ctx, store, true, func() ([]pdu.Reassembled, error) {
		done, err := x.r.Add(p)
		return append(done, x.r.Expire(now)...), err
	})
}

// NextExpiry says when the oldest incomplete message times out.
func (x *Reassembly) NextExpiry() (time.Time, bool) {
	x.mu.Lock() // release may replace x.r meanwhile
	defer x.mu.Unlock()
	return x.r.NextExpiry()
}

// RunExpiry releases, as partial, each incomplete message whose time ran
// out, when it runs out, and hands it to store; it returns when ctx ends.
// A connector runs it beside its sessions, so that a caller's text with
// a lost part is not held until another text arrives. The state is saved
// only once store succeeded: a failed store keeps the parts, and they are
// tried again a second later.
func (x *Reassembly) RunExpiry(ctx context.Context, store func(context.Context, []pdu.Reassembled) error, log *slog.Logger) {
	// With nothing pending, a message added now runs out no sooner than
	// the timeout from now: look again then (at most a minute later).
	idle := time.Minute
	x.mu.Lock()
	t := x.r.Timeout
	x.mu.Unlock()
	if t > 0 {
		idle = min(idle, t)
	}
	failed := false
	for {
		wait := idle
		if at, ok := x.NextExpiry(); ok {
			wait = max(time.Until(at), 10*time.Millisecond)
		}
		if failed {
			// The parts it could not store are still due: not again at
			// once (it looped every 10 ms, logging each time).
			wait = max(wait, time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		err := x.expireInto(ctx, time.Now(), store)
		failed = err != nil
		if err != nil && ctx.Err() == nil {
			log.Error("storing inbound messages whose parts did not all come; kept, trying again in a second", "err", err)
		}
	}
}

// expireInto is one round of RunExpiry.
func (x *Reassembly) expireInto(ctx context.Context, now time.Time, store func(context.Context, []pdu.Reassembled) error) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.release(ctx, store, false, func() ([]pdu.Reassembled, error) { return x.r.Expire(now), nil })
}

// release changes the reassembler with change, stores what it released,
// and saves the state; if store fails it puts the state back as it was.
// changed says the state changed even when nothing was released. Called
// with mu held.
func (x *Reassembly) release(ctx context.Context, store func(context.Context, []pdu.Reassembled) error, changed bool,
	change func() ([]pdu.Reassembled, error)) error {
	before := x.r.Export()
	done, err := change()
	if err != nil {
		return err
	}
	if len(done) == 0 && !changed {
		return nil
	}
	if len(done) > 0 {
		if err := store(ctx, done); err != nil {
			// Put the parts back: a fresh reassembler with the state before.
			x.r = pdu.Reassembler{Timeout: x.r.Timeout}
			if _, rerr := x.r.Restore(before); rerr != nil {
				return fmt.Errorf("%w (and restoring the parts: %v)", err, rerr)
			}
			return err
		}
	}
	return x.save(ctx)
}

// save writes the pending parts. Called with mu held.
func (x *Reassembly) save(ctx context.Context) error {
	b, err := json.Marshal(x.r.Export())
	if err != nil {
		return err
	}
	return x.store.SaveState(ctx, x.key, b)
}
