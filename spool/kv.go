package spool

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// bKV holds small namespaced records for the packages above the spool
// (the policy's suppression list): ns ‖ 0 ‖ key → value.
var bKV = []byte("kv")

// KV limits: namespaces and keys are short names, values small records.
const (
	maxKVName  = 200
	maxKVValue = 64 << 10
	maxKVList  = 10000
)

// KV is one record of a namespace, as KVList returns it.
type KV struct {
	Key   string
	Value []byte
}

// KVPut stores value under key in namespace ns, durably: it returns once
// the write is fsynced (nil deletes the key). Namespaces and keys are at
// most 200 bytes without NUL; values at most 64 KiB.
func (s *Store) KVPut(ctx context.Context, ns, key string, value []byte) error {
	return s.kvPut(ctx, ns, key, value, nil)
}

// KVPutAudited is KVPut with an audit entry appended in the same
// transaction: both are on disk, or neither. Actor and Action are required.
func (s *Store) KVPutAudited(ctx context.Context, ns, key string, value []byte, e AuditEntry) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("%w: audit entry needs actor and action", ErrInvalid)
	}
	return s.kvPut(ctx, ns, key, value, &e)
}

func (s *Store) kvPut(ctx context.Context, ns, key string, value []byte, e *AuditEntry) error {
	if err := kvCheck(ns, key); err != nil {
		return err
	}
	if len(value) > maxKVValue {
		return fmt.Errorf("%w: kv value for %s/%s is %d bytes (max %d)", ErrInvalid, ns, key, len(value), maxKVValue)
	}
	k := kvKey(ns, key)
	del := value == nil
	value = bytes.Clone(value) // the caller may reuse its slice
	return s.update(ctx, func(w *wtx) error {
		b := w.bucket(bKV)
		var err error
		if del {
			err = b.Delete(k)
		} else {
			err = b.Put(k, value)
		}
		if err != nil || e == nil {
			return err
		}
		return w.audit(*e)
	})
}

// KVGet returns the value under key in namespace ns, or nil if none.
func (s *Store) KVGet(ns, key string) ([]byte, error) {
	if err := kvCheck(ns, key); err != nil {
		return nil, err
	}
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bKV); b != nil { // absent in a file opened read-only before it had one
			if v := b.Get(kvKey(ns, key)); v != nil {
				out = bytes.Clone(v)
			}
		}
		return nil
	})
	return out, err
}

// KVList returns up to limit records of namespace ns whose keys start
// with prefix and sort after after ("" from the first), in key order.
// limit ≤ 0 or above 10,000 means 10,000; a full page means there may be
// more (call again with after set to the last key).
func (s *Store) KVList(ns, prefix, after string, limit int) ([]KV, error) {
	if err := kvCheck(ns, "x"); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxKVList {
		limit = maxKVList
	}
	base := kvKey(ns, "")
	pre := kvKey(ns, prefix)
	var out []KV
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bKV)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.Seek(pre)
		if after != "" {
			start := kvKey(ns, after)
			if bytes.Compare(start, pre) > 0 {
				k, v = c.Seek(start)
			}
			if k != nil && bytes.Equal(k, start) {
				k, v = c.Next()
			}
		}
		for ; k != nil && bytes.HasPrefix(k, pre) && len(out) < limit; k, v = c.Next() {
			out = append(out, KV{Key: string(k[len(base):]), Value: bytes.Clone(v)})
		}
		return nil
	})
	return out, err
}

func kvCheck(ns, key string) error {
	switch {
	case ns == "" || key == "":
		return fmt.Errorf("%w: kv namespace and key are required", ErrInvalid)
	case len(ns) > maxKVName || len(key) > maxKVName:
		return fmt.Errorf("%w: kv namespace or key longer than %d bytes", ErrInvalid, maxKVName)
	case strings.ContainsRune(ns, 0) || strings.ContainsRune(key, 0):
		return fmt.Errorf("%w: kv namespace or key contains NUL", ErrInvalid)
	}
	return nil
}

func kvKey(ns, key string) []byte {
	k := make([]byte, 0, len(ns)+1+len(key))
	return append(append(append(k, ns...), 0), key...)
}
