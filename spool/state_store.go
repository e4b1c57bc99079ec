package spool

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// kStatePrefix prefixes connector state keys in the meta bucket.
const kStatePrefix = "state/"

// LoadState returns a connector's saved state under key (nil if none):
// small things that must survive a restart, such as the reassembly of
// inbound parts a modem has already deleted from its SIM.
func (s *Store) LoadState(key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get([]byte(kStatePrefix + key)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// SaveState stores a connector's state under key, durably (nil deletes
// it). Values are limited to 1 MiB.
func (s *Store) SaveState(ctx context.Context, key string, value []byte) error {
	if len(key) == 0 || len(key) > 200 || len(value) > 1<<20 {
		return fmt.Errorf("%w: state key or value too long", ErrInvalid)
	}
	value = append([]byte(nil), value...)
	return s.update(ctx, func(w *wtx) error {
		k := []byte(kStatePrefix + key)
		if value == nil {
			return w.bucket(bMeta).Delete(k)
		}
		return w.bucket(bMeta).Put(k, value)
	})
}
