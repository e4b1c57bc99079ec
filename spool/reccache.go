package spool

import (
	"bytes"
	"sync"

	"github.com/oklog/ulid/v2"
)

// recCache keeps the decoded form of records this process wrote,
// together with the exact bytes written, so that the next change of the
// same record (a lease after the enqueue, a result after the lease) takes
// a copy of the decoded form instead of parsing JSON again.
//
// An entry is used only when the bytes in the file are the bytes it was
// written as (bytes.Equal on the record, about 1 KiB): the file stays
// the truth. A transaction that rolls back leaves entries whose bytes no
// longer match and are simply missed; no entry can make a read differ
// from decoding what is stored. Entries hold their own copies (put and
// get clone), so a caller changing a message after save cannot change
// what the cache returns.
//
// It is bounded by two generations of at most max/2 entries each: a hit
// in the old one moves the entry to the new one, and when the new one is
// full the old one is dropped. No per-entry list to maintain, no
// allocation per hit beyond the copy returned.
type recCache[T any] struct {
	mu           sync.Mutex
	half         int
	cur, old     map[ulid.ULID]recEntry[T]
	clone        func(T) T
	hits, misses int64 // for benchmarks and tests
}

type recEntry[T any] struct {
	rec []byte // as stored; never changed after put
	v   T
}

// newRecCache returns a cache of at most max entries (none when max ≤ 0).
func newRecCache[T any](n int, clone func(T) T) *recCache[T] {
	if n <= 0 {
		return nil
	}
	half := max(n/2, 1)
	return &recCache[T]{half: half, cur: make(map[ulid.ULID]recEntry[T], half), clone: clone}
}

// get returns a copy of the decoded form of rec, the record stored under
// id, if it is cached with exactly these bytes.
func (c *recCache[T]) get(id ulid.ULID, rec []byte) (v T, ok bool) {
	if c == nil {
		return v, false
	}
	c.mu.Lock()
	e, ok := c.cur[id]
	if !ok {
		if e, ok = c.old[id]; ok {
			c.putLocked(id, e)
		}
	}
	ok = ok && bytes.Equal(e.rec, rec)
	if ok {
		c.hits++
	} else {
		c.misses++
	}
	c.mu.Unlock()
	if !ok {
		return v, false
	}
	return c.clone(e.v), true
}

// worthKeeping says whether a record that waits behind ahead others
// (a new message behind the queue) is worth caching: past a quarter of
// the cache, the records written meanwhile push it out before it is read
// again, and it would only push out records in use (those of messages
// in flight).
func (c *recCache[T]) worthKeeping(ahead int64) bool {
	return c != nil && ahead < int64(c.half/2)
}

// putRecord encodes v, writes it under id in bucket b and keeps it in c.
func putRecord[T any](w *wtx, b []byte, c *recCache[T], enc func(T) ([]byte, error), id ulid.ULID, v T) error {
	rec, err := enc(v)
	if err != nil {
		return err
	}
	if err := w.bucket(b).Put(id[:], rec); err != nil {
		return err
	}
	c.put(id, rec, v)
	return nil
}

// put records that rec, stored under id, decodes to v. rec must not be
// changed afterwards (bbolt holds a Put value until the commit anyway).
func (c *recCache[T]) put(id ulid.ULID, rec []byte, v T) {
	if c == nil {
		return
	}
	e := recEntry[T]{rec: rec, v: c.clone(v)}
	c.mu.Lock()
	c.putLocked(id, e)
	c.mu.Unlock()
}

func (c *recCache[T]) putLocked(id ulid.ULID, e recEntry[T]) {
	if _, ok := c.cur[id]; !ok && len(c.cur) >= c.half {
		c.old, c.cur = c.cur, make(map[ulid.ULID]recEntry[T], c.half)
	}
	c.cur[id] = e
}

// drop forgets id (a record deleted).
func (c *recCache[T]) drop(id ulid.ULID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.cur, id)
	delete(c.old, id)
	c.mu.Unlock()
}
