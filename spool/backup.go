package spool

import (
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole spool file to w, while
// the store runs (one read transaction: writers go on meanwhile). The
// copy opens as a spool like the original; it returns the bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("spool: backup: %w", err)
	}
	return n, nil
}
