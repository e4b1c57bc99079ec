package modem

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool/route"
)

// reassembly joins the parts of inbound concatenated messages. Its state
// is saved through the Sink after every change, before the part is
// deleted from the SIM (or acknowledged with +CNMA), so that a restart
// loses no part.
type reassembly struct {
	mu   sync.Mutex
	r    pdu.Reassembler
	key  string
	sink route.Sink
}

func newReassembly(name string, sink route.Sink) *reassembly {
	return &reassembly{key: name + "/reassembly", sink: sink}
}

func (x *reassembly) restore() error {
	b, err := x.sink.LoadState(x.key)
	if err != nil || b == nil {
		return err
	}
	var st pdu.ReassemblyState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("modem: reassembly state: %w", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	_, err = x.r.Restore(st)
	return err
}

// add adds a part and saves the state; it returns the messages now whole
// (or given up on) for the caller to store.
func (x *reassembly) add(ctx context.Context, p pdu.Part, now time.Time) ([]pdu.Reassembled, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	done, err := x.r.Add(p)
	if err != nil {
		return nil, err
	}
	done = append(done, x.r.Expire(now)...)
	return done, x.save(ctx)
}

// save writes the pending parts. Called with mu held.
func (x *reassembly) save(ctx context.Context) error {
	b, err := json.Marshal(x.r.Export())
	if err != nil {
		return err
	}
	return x.sink.SaveState(ctx, x.key, b)
}
