package spool

import (
	"slices"
	"sync"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
)

// rcptIndex finds messages by recipient. It lives in memory and is
// rebuilt at Open from the tenant index, whose values hold each
// message's recipient. A B-tree index keyed by recipient would dirty one
// random page per message (recipients arrive in no order), which made it
// the largest cost of an enqueue (measured: 20,000 against 45,000
// enqueues/s at 256 submitters); the tenant index's keys only grow, so
// its pages fill one after the other. Memory: about 16 bytes per message
// plus one entry per distinct recipient.
type rcptIndex struct {
	mu  sync.RWMutex
	ids map[string][]ulid.ULID // recipient → ids, ascending
}

type rcptEntry struct {
	to string
	id ulid.ULID
}

func newRcptIndex() *rcptIndex { return &rcptIndex{ids: map[string][]ulid.ULID{}} }

// load reads every recipient from the tenant index.
func (x *rcptIndex) load(tx *bolt.Tx) {
	c := tx.Bucket(bTenant).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) < 17 {
			continue
		}
		var id ulid.ULID
		copy(id[:], k[len(k)-16:])
		x.add(string(v), id)
	}
	for to, ids := range x.ids {
		slices.SortFunc(ids, func(a, b ulid.ULID) int { return a.Compare(b) })
		x.ids[to] = ids
	}
}

// add appends id, keeping the order (commits may finish out of id order).
func (x *rcptIndex) add(to string, id ulid.ULID) {
	ids := x.ids[to]
	i := len(ids)
	for i > 0 && ids[i-1].Compare(id) > 0 {
		i--
	}
	x.ids[to] = slices.Insert(ids, i, id)
}

// apply publishes a committed transaction's additions and removals.
func (x *rcptIndex) apply(add, del []rcptEntry) {
	if len(add) == 0 && len(del) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range add {
		x.add(e.to, e.id)
	}
	for _, e := range del {
		ids := x.ids[e.to]
		if i, ok := slices.BinarySearchFunc(ids, e.id, func(a, b ulid.ULID) int { return a.Compare(b) }); ok {
			ids = slices.Delete(ids, i, i+1)
		}
		if len(ids) == 0 {
			delete(x.ids, e.to)
		} else {
			x.ids[e.to] = ids
		}
	}
}

// below returns up to n ids of to below upper (inclusive), newest first.
func (x *rcptIndex) below(to string, upper ulid.ULID, n int) []ulid.ULID {
	x.mu.RLock()
	defer x.mu.RUnlock()
	ids := x.ids[to]
	i, found := slices.BinarySearchFunc(ids, upper, func(a, b ulid.ULID) int { return a.Compare(b) })
	if found {
		i++
	}
	out := make([]ulid.ULID, 0, min(n, i))
	for j := i - 1; j >= 0 && len(out) < n; j-- {
		out = append(out, ids[j])
	}
	return out
}

// count is the number of messages indexed (Check).
func (x *rcptIndex) snapshot() map[string][]ulid.ULID {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make(map[string][]ulid.ULID, len(x.ids))
	for k, v := range x.ids {
		out[k] = slices.Clone(v)
	}
	return out
}
