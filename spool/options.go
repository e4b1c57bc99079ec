package spool

import (
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"
)

// Options configures a Store. The zero value of each field means its
// default.
type Options struct {
	// ReadOnly opens the file for reading only (the offline CLI). Several
	// read-only opens may share the file; none may while the gateway runs.
	ReadOnly bool

	// LockTimeout is how long Open waits for the file lock before it
	// returns ErrInUse. Default 1s.
	LockTimeout time.Duration

	// MaxQueued is the limit on messages not yet sent (accepted, queued,
	// sending); past it Enqueue returns ErrSpoolFull. Default 1,000,000.
	MaxQueued int

	// MaxFileSize is the limit on the spool file in bytes. Enqueue refuses
	// new messages once the file reaches MaxFileSize minus a reserve
	// (1/16 of it, at least 4 MiB), kept so that messages already spooled can still move
	// to their final states. Default 4 GiB (1 GiB on 32-bit systems).
	MaxFileSize int64

	// Retry is the retry schedule.
	Retry RetryPolicy

	// DefaultValidity applies to messages enqueued without ValidUntil.
	// Default 48h.
	DefaultValidity time.Duration

	// Lease is how long a dispatcher holds a message it took; when it
	// passes without a result the message is due again. Default 2m.
	Lease time.Duration

	// IdempotencyTTL is how long an idempotency key is remembered.
	// Default 24h.
	IdempotencyTTL time.Duration

	// MaxBatch is the most writes sharing one commit. Default 1024.
	MaxBatch int

	// CommitDelay is how long the commit loop may hold a commit open for
	// more writes to share it, when writes from several callers are
	// arriving faster than one per CommitDelay (see writer). Each commit
	// costs two fdatasyncs and a few page writes whatever it carries, so
	// at moderate rates this takes much of the CPU per message away for
	// at most CommitDelay more latency; a lone caller, a quiet box, or
	// an emergency message never waits. Default 5ms; negative: never
	// hold.
	CommitDelay time.Duration

	// RecordCache is how many decoded records (messages, outbox items)
	// the store keeps from its own writes, so that the next change of a
	// message does not parse its JSON again (see recCache). Each costs
	// about 3 KiB. Default 4096; negative: none.
	RecordCache int

	// Now is the wall clock (tests). Default time.Now.
	Now func() time.Time

	// Monotonic, with Now, is a clock that only moves forward, as time
	// since any start (tests of clock steps). Without either, the spool
	// reads both from time.Now; with Now alone, the spool's time is Now,
	// as given (see clock).
	Monotonic  func() time.Duration
	nowDefault bool

	// Jitter returns a number in [0,1) for retry jitter (tests). Default
	// math/rand/v2.
	Jitter func() float64

	// Logger receives lifecycle and recovery messages. Default
	// slog.Default().
	Logger *slog.Logger
}

// RetryPolicy is the schedule of attempts: the n-th retry waits
// Base·2^(n-1), at most Max, spread by ±Jitter (a fraction) so that a
// burst of failures does not come back as a burst.
type RetryPolicy struct {
	Base        time.Duration // default 10s
	Max         time.Duration // default 10m
	Jitter      float64       // default 0.2; negative: none
	MaxAttempts int           // default 10; a message may lower it
}

func (o Options) withDefaults() Options {
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = 1_000_000
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = min(4<<30, MaxMappable) // 1 GiB on 32-bit systems
	}
	if o.Retry.Base <= 0 {
		o.Retry.Base = 10 * time.Second
	}
	if o.Retry.Max <= 0 {
		o.Retry.Max = 10 * time.Minute
	}
	switch {
	case o.Retry.Jitter == 0:
		o.Retry.Jitter = 0.2
	case o.Retry.Jitter < 0:
		o.Retry.Jitter = 0
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 10
	}
	if o.DefaultValidity <= 0 {
		o.DefaultValidity = 48 * time.Hour
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.IdempotencyTTL <= 0 {
		o.IdempotencyTTL = 24 * time.Hour
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1024
	}
	if o.CommitDelay == 0 {
		o.CommitDelay = 5 * time.Millisecond
	}
	if o.RecordCache == 0 {
		o.RecordCache = 4096
	}
	if o.Now == nil {
		o.Now, o.nowDefault = time.Now, true
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// backoff is the wait before retry number n (n ≥ 1).
func (p RetryPolicy) backoff(n int, jitter float64) time.Duration {
	d := p.Base
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	spread := 1 + p.Jitter*(2*jitter-1)
	return time.Duration(float64(d) * spread)
}

// MaxMappable is the largest MaxFileSize this system takes: bbolt maps
// the whole file into memory, and a 32-bit address space leaves room for
// 1 GiB (the next step of its mapping, 2 GiB, is past what it allows).
// On 64-bit systems it is far past any disk (4 EiB).
const MaxMappable int64 = 1<<30 + (1<<62-1<<30)*(strconv.IntSize/64)
