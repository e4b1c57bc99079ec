package spool

import (
	"bytes"
	"math/big"

	bolt "go.etcd.io/bbolt"
)

// readable calls fn for every key of bucket name that can be read, in
// order. Where a damaged page panics the cursor, it seeks on from ever
// coarser steps past the last key read (the last byte plus one, then the
// byte before…) until a seek succeeds, and goes on from there; it
// returns how many such runs it skipped. A bucket whose root is damaged
// is one skipped run.
func readable(tx *bolt.Tx, name []byte, fn func(k, v []byte)) (skipped int) {
	var c *bolt.Cursor
	try := tryStep
	if _, _, ok := try(func() ([]byte, []byte) {
		b := tx.Bucket(name)
		if b != nil {
			c = b.Cursor()
		}
		return nil, nil
	}); !ok {
		return 1
	}
	if c == nil {
		return 0
	}
	var last []byte
	k, v, ok := try(c.First)
	for {
		if !ok {
			skipped++
			if skipped > maxSkips {
				return skipped
			}
			if k, v, ok = seekPast(c, last, try); !ok {
				return skipped // nothing readable after the damage
			}
		}
		if k == nil {
			return skipped
		}
		// Everything that touches k and v is inside try: a damaged
		// offset can put them outside the file.
		if _, _, read := try(func() ([]byte, []byte) {
			if last != nil && bytes.Compare(k, last) <= 0 {
				panic("keys out of order") // damaged: reading on could loop
			}
			if len(k) > maxKey {
				panic("key too long") // damaged: no key of ours is
			}
			fn(k, v)
			last = bytes.Clone(k)
			return nil, nil
		}); !read {
			skipped++
			if skipped > maxSkips {
				return skipped
			}
		}
		k, v, ok = try(c.Next)
	}
}

// maxSkips bounds the damaged runs one bucket's walk steps over;
// maxKey is longer than any key the spool writes (a longer one is
// damage, and seekPast's steps grow with the key's length).
const (
	maxSkips = 10000
	maxKey   = 1024
)

// tryStep runs a cursor step, false if a damaged page panicked it.
func tryStep(step func() ([]byte, []byte)) (k, v []byte, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	k, v = step()
	return k, v, true
}

// seekPast seeks to the first readable key after last. It steps ever
// coarser past last (the last byte plus one, then the byte before…; with
// no last key, each possible first byte) until a seek succeeds, then
// narrows the step down by halves to the damaged range's end, so that
// only the keys behind the damaged page are lost.
func seekPast(c *bolt.Cursor, last []byte, try func(func() ([]byte, []byte)) ([]byte, []byte, bool)) ([]byte, []byte, bool) {
	seeks := func(key []byte) bool {
		_, _, ok := try(func() ([]byte, []byte) { return c.Seek(key) })
		return ok
	}
	var candidates [][]byte
	for i := len(last) - 1; i >= 0; i-- {
		if last[i] < 0xff {
			candidates = append(candidates, append(bytes.Clone(last[:i]), last[i]+1))
		}
	}
	if last == nil {
		for b := 1; b <= 0xff; b++ {
			candidates = append(candidates, []byte{byte(b)})
		}
	}
	beyond := func(k []byte) bool {
		_, _, ok := try(func() ([]byte, []byte) {
			if k != nil && bytes.Compare(k, last) <= 0 {
				panic("before last")
			}
			return nil, nil
		})
		return ok
	}
	for _, hi := range candidates {
		if !seeks(hi) {
			continue
		}
		// Keys compare as big-endian numbers of one length (shorter ones
		// padded with zero bytes, which sort them the same): halve the
		// gap between a seek that fails (lo) and one that works (hi).
		width := max(len(last), len(hi)) + 1
		num := func(b []byte) *big.Int {
			return new(big.Int).SetBytes(append(bytes.Clone(b), make([]byte, width-len(b))...))
		}
		lo, h := num(last), num(hi)
		one := big.NewInt(1)
		for new(big.Int).Sub(h, lo).Cmp(one) > 0 {
			mid := new(big.Int).Add(lo, h)
			mid.Rsh(mid, 1)
			if seeks(mid.FillBytes(make([]byte, width))) {
				h = mid
			} else {
				lo = mid
			}
		}
		key := h.FillBytes(make([]byte, width))
		// Damaged keys out of order can make a seek land before last:
		// that would read the same keys again, for ever.
		if k, v, ok := try(func() ([]byte, []byte) { return c.Seek(key) }); ok && beyond(k) {
			return k, v, true
		}
	}
	return nil, nil, false
}

// scanLeaves reads the leaf pages of the file directly, for the records
// a damaged branch page hid from the walk: for each element with a
// 16-byte key (a message or an outbox item id) it calls fn. Pages the
// freelist names free are skipped (they hold older versions); what is
// left may still hold an older version of a record, so fn keeps the
// latest one it sees. Elements that do not fit their page are skipped.
func scanLeaves(tx *bolt.Tx, path string, fn func(k, v []byte)) error {
	return eachPage(tx, path, func(_ int64, p rawPage) {
		if p.flags != leafPage {
			return
		}
		for i := range p.count {
			k, v, ok := p.leaf(i)
			if ok && len(k) == 16 {
				fn(k, v)
			}
		}
	})
}
