package spool

import (
	"encoding/binary"
	"time"

	"github.com/oklog/ulid/v2"
)

// Bucket names. See docs/spool.md for what each holds.
var (
	bMsgs    = []byte("msgs")    // id(16) → record
	bQueue   = []byte("queue")   // lane(1) ‖ due ms(8) ‖ id(16) → ∅ (queued and sending)
	bState   = []byte("state")   // state(1) ‖ id(16) → ∅
	bTenant  = []byte("tenant")  // tenant ‖ 0 ‖ id(16) → ∅
	bRcpt    = []byte("rcpt")    // recipient ‖ 0 ‖ id(16) → ∅
	bRef     = []byte("ref")     // tenant ‖ 0 ‖ client ref ‖ 0 ‖ id(16) → ∅
	bIdem    = []byte("idem")    // tenant ‖ 0 ‖ key → id(16) ‖ expires ms(8)
	bExt     = []byte("ext")     // connector ‖ 0 ‖ provider key ‖ 0 ‖ id as filed, lower-case ‖ 0 → id(16) ‖ seq(2) ‖ id as filed
	bOutbox  = []byte("outbox")  // id(16) → outbox record
	bOutQ    = []byte("outq")    // due ms(8) ‖ id(16) → ∅
	bOutQU   = []byte("outqu")   // the same, again, for urgent items only (OutboxItem.Urgent)
	bOutSent = []byte("outsent") // message id(16) → id(16) of its report of "sent" while that is in the outbox
	bAudit   = []byte("audit")   // seq(8) → audit record
	bMeta    = []byte("meta")    // schema, audit head, retention marks
	buckets  = [][]byte{bMsgs, bQueue, bState, bTenant, bRef, bIdem, bExt, bOutbox, bOutQ, bOutQU, bOutSent, bAudit, bMeta, bKV}
	kSchema  = []byte("schema")
	kAudHead = []byte("audit_head")
)

// schemaVersion 2: the ext index keeps every spelling filed under a
// number (version 1 kept the last: "a" and "10" both read as ten).
const schemaVersion = 2

// recordVersion is the first byte of every stored record.
const recordVersion = 1

func ms(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMilli())
}

func fromMS(v uint64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(v)).UTC()
}

func queueKey(p Priority, due time.Time, id ulid.ULID) []byte {
	k := make([]byte, 25)
	k[0] = p.lane()
	binary.BigEndian.PutUint64(k[1:], ms(due))
	copy(k[9:], id[:])
	return k
}

func stateKey(s State, id ulid.ULID) []byte {
	k := make([]byte, 17)
	k[0] = byte(s)
	copy(k[1:], id[:])
	return k
}

// strKey is parts joined with 0 separators, then the id. Spool strings
// never contain NUL (validate refuses it), so keys cannot collide.
func strKey(id *ulid.ULID, parts ...string) []byte {
	n := 16
	for _, p := range parts {
		n += len(p) + 1
	}
	k := make([]byte, 0, n)
	for _, p := range parts {
		k = append(k, p...)
		k = append(k, 0)
	}
	if id != nil {
		k = append(k, id[:]...)
	}
	return k
}

func timeKey(due time.Time, id ulid.ULID) []byte {
	k := make([]byte, 24)
	binary.BigEndian.PutUint64(k, ms(due))
	copy(k[8:], id[:])
	return k
}

func u64(v uint64) []byte      { return binary.BigEndian.AppendUint64(nil, v) }
func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

var timeZero time.Time
