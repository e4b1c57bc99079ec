package spool

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
)

// Check verifies that the indexes agree with the records: every message
// has exactly its state entry, queue entry (when queued or sending),
// tenant and recipient entries, and no index entry names a message that
// is not there. It reports every problem it finds (errors.Join). The
// crash tests run it after each kill; `smsgw spool check` runs it on
// demand.
//
// First it reads every page of the file (its elements must fit it) and
// walks the tree (bbolt's own check): a damaged file is ErrDamaged, with
// the pages it found wrong.
func (s *Store) Check() error {
	if err := s.checkPages(); err != nil {
		return err
	}
	return undamaged(s.path, s.checkIndexes)
}

// checkPages runs bbolt's consistency check over every page, after
// reading the tree from the file when the spool is opened read-only.
func (s *Store) checkPages() error {
	var found []string
	err := undamaged(s.path, func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			// The elements and the shape of the tree first: bbolt's check
			// reads keys through the elements, and would go round a loop
			// for ever. Only when nothing writes the file (the CLI's
			// offline check): it reads the file, not this transaction's
			// view of it, and a commit meanwhile could reuse pages.
			if s.opts.ReadOnly {
				bad, _, err := treeProblems(s.path, 20)
				if err != nil || len(bad) > 0 {
					found = bad
					return err
				}
			}
			for err := range tx.Check() {
				if len(found) < 20 {
					found = append(found, err.Error())
				}
			}
			return nil
		})
	})
	if err == nil && len(found) > 0 {
		err = &DamagedError{Path: s.path, Detail: strings.Join(found, "; ")}
	}
	return err
}

// checkIndexes is Check's comparison of the indexes with the records.
func (s *Store) checkIndexes() error {
	var errs []error
	bad := func(format string, args ...any) {
		if len(errs) < 100 {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		want := map[string]map[string]bool{} // bucket → keys the records imply
		rcpt := map[string][]ulid.ULID{}
		for _, b := range [][]byte{bState, bQueue, bTenant, bRef} {
			want[string(b)] = map[string]bool{}
		}
		err := tx.Bucket(bMsgs).ForEach(func(k, v []byte) error {
			m, err := decodeMessage(v)
			if err != nil {
				bad("message %x: %v", k, err)
				return nil
			}
			var id ulid.ULID
			copy(id[:], k)
			if m.ID != id.String() {
				bad("message %s stored under %s", m.ID, id)
			}
			want[string(bState)][string(stateKey(m.State, id))] = true
			if q := snap(id, m).queue; q != nil {
				want[string(bQueue)][string(q)] = true
			}
			want[string(bTenant)][string(strKey(&id, m.Tenant))] = true
			rcpt[m.To] = append(rcpt[m.To], id)
			if v := tx.Bucket(bTenant).Get(strKey(&id, m.Tenant)); string(v) != m.To {
				bad("tenant: %s names recipient %q, the message %q", id, v, m.To)
			}
			if m.ClientRef != "" {
				want[string(bRef)][string(strKey(&id, m.Tenant, m.ClientRef))] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		for name, keys := range want {
			n := 0
			_ = tx.Bucket([]byte(name)).ForEach(func(k, _ []byte) error {
				n++
				if !keys[string(k)] {
					bad("%s: entry %x names no message in that state", name, k)
				}
				return nil
			})
			if n < len(keys) {
				bad("%s: %d entries missing", name, len(keys)-n)
			}
		}
		if got := s.rcpt.snapshot(); !maps.EqualFunc(got, rcpt, slices.Equal) {
			bad("recipient index: %d recipients in memory, the records name %d", len(got), len(rcpt))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}
