package spool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Store is the durable spool: one bbolt file holding messages, their
// queue and indexes, the outbox of reports owed upstream and the audit
// chain. It is safe for concurrent use. Every write is acknowledged only
// after it is fsynced; concurrent writers share commits.
type Store struct {
	db    *bolt.DB
	path  string
	opts  Options
	log   *slog.Logger
	ids   *idGen
	clock *clock

	ops     chan *op
	stop    chan struct{}
	stopped chan struct{}
	closeMu sync.Once
	rate    arrivalRate // the writer's; see writer
	// intakeRate is the rate of ordinary submits queued while one
	// commits; submits counts every ordinary submit run.
	intakeRate arrivalRate
	submits    atomic.Int64
	onHold     func(batch []*op) // tests: called by the writer when it holds a commit
	onQueued   func(*op)         // tests: called when an op is queued for the writer
	commits    atomic.Int64

	auditMu sync.Mutex
	auditCP *auditCheckpoint // the chain's end as last verified; see VerifyAuditRecent

	mu     sync.Mutex
	counts [stateEnd]int64 // messages per state
	lanes  [3]int64        // queue entries per lane (queued and sending)
	outbox int64           // outbox items not yet done
	head   auditHead       // last committed audit entry
	rcpt   *rcptIndex      // messages by recipient, in memory
	wake   chan struct{}   // signalled when new work may be due
	owake  chan struct{}   // the same for the outbox

	msgCache  *recCache[*Message]    // decoded messages this process wrote
	itemCache *recCache[*OutboxItem] // the same for outbox items

	// leasedItems are the outbox items this process leased and has not
	// yet acknowledged; see OutboxDueNow.
	leasedMu    sync.Mutex
	leasedItems map[ulid.ULID]struct{}
	// heldBack: the last LeaseOutbox left due items for their elders.
	heldBack atomic.Bool
}

// Open opens or creates the spool file at path. A writable open recovers
// what a crash left behind: every message that was sending (leased)
// becomes due again, and the recovery is written to each timeline.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if opts.MaxFileSize > MaxMappable {
		return nil, fmt.Errorf("spool: open %s: a MaxFileSize of %d bytes is over the %d this system can map (32-bit)",
			path, opts.MaxFileSize, MaxMappable)
	}
	if !opts.ReadOnly {
		if err := emptiedAfterUncleanStop(path); err != nil {
			return nil, err
		}
	}
	var db *bolt.DB
	err := undamaged(path, func() (err error) {
		db, err = openCurrent(path, 0o600, &bolt.Options{
			Timeout:      opts.LockTimeout,
			ReadOnly:     opts.ReadOnly,
			FreelistType: bolt.FreelistMapType,
			// Check tells free pages from pages in use (writable opens
			// load the freelist anyway).
			PreLoadFreelist: true,
			MaxSize:         int(opts.MaxFileSize),
		})
		return err
	})
	if err != nil {
		return nil, openError(path, "open", err)
	}
	s := &Store{
		db: db, path: path, opts: opts, log: opts.Logger.With("comp", "spool"), ids: newIDGen(),
		clock: newSpoolClock(opts),
		wake:  make(chan struct{}, 1), owake: make(chan struct{}, 1), rcpt: newRcptIndex(),
		msgCache:  newRecCache(opts.RecordCache, (*Message).Clone),
		itemCache: newRecCache(opts.RecordCache, cloneItem),
	}
	// With the lock held, so nothing writes the file meanwhile.
	if !opts.ReadOnly {
		if err := checkAfterUncleanStop(path); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := undamaged(path, s.load); err != nil {
		db.Close()
		return nil, err
	}
	if !opts.ReadOnly {
		// Removed by Close: present at the next Open, it says this
		// process did not close the spool (a crash, a kill, a power cut).
		if err := os.WriteFile(openMarker(path), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
			s.log.Warn("could not mark the spool open; an unclean stop will not be checked for", "err", err)
		}
		s.ops = make(chan *op, opts.MaxBatch)
		s.stop = make(chan struct{})
		s.stopped = make(chan struct{})
		go s.writer()
	}
	return s, nil
}

// openCurrent is bolt.Open, then a check that the file it locked is
// still the one at path. A program that waited for the lock while
// `spool compact` renamed its new file over the old one gets the lock of
// the old, deleted file: every message it then acknowledged was written
// there, and lost. It opens again (the new file) when that happened.
func openCurrent(path string, mode os.FileMode, o *bolt.Options) (*bolt.DB, error) {
	for attempt := 1; ; attempt++ {
		var f *os.File
		oo := *o
		oo.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			var err error
			f, err = os.OpenFile(name, flag, perm)
			return f, err
		}
		db, err := bolt.Open(path, mode, &oo)
		if err != nil {
			return nil, err
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return db, nil
		}
		db.Close()
		if attempt == 5 {
			return nil, fmt.Errorf("spool: open %s: the file was replaced while this program waited for its lock, %d times", path, attempt)
		}
	}
}

// undamaged runs f and turns a panic of bbolt's on a page that is not
// what it should be ("assertion failed", "invalid page type") into
// ErrDamaged: a damaged file must say so, not crash the gateway in a
// restart loop with a stack trace. Faults (a read outside the map) are
// turned into panics too, in this goroutine. bbolt rolls the transaction back as
// the panic passes.
func undamaged(path string, f func() error) (err error) {
	// A damaged offset can also point outside the map: a fault, which
	// this turns into a panic for the recover below.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &DamagedError{Path: path, Detail: fmt.Sprint(r)}
		}
	}()
	return f()
}

// load creates the buckets, recovers leases and counts what is there.
func (s *Store) load() error {
	start := time.Now()
	recovered := 0
	var clockSaved *clockState
	if !s.opts.ReadOnly {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for _, b := range buckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			meta := tx.Bucket(bMeta)
			if v := meta.Get(kSchema); v == nil {
				if err := meta.Put(kSchema, u64(schemaVersion)); err != nil {
					return err
				}
			} else if n := binary.BigEndian.Uint64(v); n == 1 {
				if err := migrateExt(tx); err != nil {
					return err
				}
				if err := meta.Put(kSchema, u64(schemaVersion)); err != nil {
					return err
				}
			} else if n != schemaVersion {
				return fmt.Errorf("spool: schema version %d, this binary knows %d", n, schemaVersion)
			}
			s.clock.restore(tx)
			w := &wtx{tx: tx, s: s, now: s.now()}
			var err error
			if recovered, err = w.recoverLeases(); err != nil {
				return err
			}
			err = w.saveClock()
			clockSaved = w.clockSaved
			return err
		})
		if err != nil {
			return fmt.Errorf("spool: recover: %w", err)
		}
		if clockSaved != nil {
			s.clock.persisted(*clockSaved)
		}
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bMsgs) == nil {
			return fmt.Errorf("spool: %s is not a spool file (no msgs bucket)", s.path)
		}
		if s.opts.ReadOnly {
			s.clock.restore(tx)
		}
		c := tx.Bucket(bState).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if State(k[0]).valid() {
				s.counts[k[0]]++
			}
		}
		c = tx.Bucket(bQueue).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if k[0] < 3 {
				s.lanes[k[0]]++
			}
		}
		s.outbox = int64(tx.Bucket(bOutQ).Stats().KeyN)
		s.rcpt.load(tx)
		s.head = readAuditHead(tx)
		return nil
	})
	if err != nil {
		return err
	}
	if recovered > 0 || time.Since(start) > time.Second {
		s.log.Info("spool opened", "path", s.path, "recovered_leases", recovered,
			"took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// Close stops the writer after the writes already submitted and closes
// the file.
func (s *Store) Close() error {
	s.closeMu.Do(func() {
		if s.stop != nil {
			close(s.stop)
			<-s.stopped
		}
	})
	err := s.db.Close()
	if !s.opts.ReadOnly && err == nil {
		os.Remove(openMarker(s.path))
	}
	return err
}

// openMarker is the file a writable Open leaves beside the spool until
// Close.
func openMarker(path string) string { return path + ".open" }

// checkAfterUncleanStop reads the page tree of the file from the file
// itself when the last process to open it did not close it (its marker
// is still there): damage that would make bbolt loop or overflow its
// stack (which no recover catches, and which would crash every restart)
// is then ErrDamaged, with the steps to take. A clean stop skips it: the
// read costs about 2 ms per MB of spool (145 ms for 80 MB here).
func checkAfterUncleanStop(path string) error {
	if _, err := os.Stat(openMarker(path)); err != nil {
		return nil
	}
	found, _, err := treeProblems(path, 20)
	if err != nil || len(found) == 0 {
		return nil // no file yet, or nothing wrong
	}
	return &DamagedError{Path: path, Detail: "found after an unclean stop: " + strings.Join(found, "; ")}
}

// openError says why the spool file at path did not open for what
// ("open", "compact"): ErrInUse when another process holds it, a
// DamagedError when bbolt finds it is not a sound file.
func openError(path, what string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s", ErrInUse, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return &DamagedError{Path: path, Detail: err.Error()}
	case errors.Is(err, ErrDamaged):
		return err
	}
	return fmt.Errorf("spool: %s %s: %w", what, path, err)
}

// emptiedAfterUncleanStop refuses a spool file that is empty or gone
// while the last process to open it did not close it (its marker is
// there): bbolt would make a new, empty spool of it, and the gateway
// would start as if it never had messages. The file was cut or removed
// under it (a copy over it, a full disk at the wrong moment).
func emptiedAfterUncleanStop(path string) error {
	if _, err := os.Stat(openMarker(path)); err != nil {
		return nil
	}
	fi, err := os.Stat(path)
	if err == nil && fi.Size() > 0 {
		return nil
	}
	what := "empty"
	if err != nil {
		what = "gone"
	}
	return &DamagedError{Path: path, Detail: fmt.Sprintf("the file is %s, and the last process to open it did not close it: "+
		"its messages are not there; restore the last backup to %s (docs/operations.md), or remove %s to start an empty spool",
		what, path, openMarker(path))}
}

// Path is the spool file's path.
func (s *Store) Path() string { return s.path }

// now is the spool's clock (see clock), in UTC at millisecond precision
// (what is stored).
func (s *Store) now() time.Time { return s.clock.now() }

// Wake returns a channel that receives when messages may have become due
// (an enqueue, a retry, a recovered lease). Dispatchers wait on it next
// to a timer for the next due time.
func (s *Store) Wake() <-chan struct{} { return s.wake }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// getMessage reads and decodes one message inside a transaction.
func getMessage(tx *bolt.Tx, id ulid.ULID) (*Message, error) {
	return (*Store)(nil).getMessage(tx, id)
}

// getMessage reads one message inside a transaction, from the record
// cache when it holds these very bytes. s may be nil (no cache).
func (s *Store) getMessage(tx *bolt.Tx, id ulid.ULID) (*Message, error) {
	v := tx.Bucket(bMsgs).Get(id[:])
	if v == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	var c *recCache[*Message]
	if s != nil {
		c = s.msgCache
	}
	if m, ok := c.get(id, v); ok {
		return m, nil
	}
	m, err := decodeMessage(v)
	if err == nil && s != nil && !tx.Writable() {
		// A read (Get) of a record written before this process started
		// or evicted: keep it, it is likely to change next. bbolt's
		// bytes belong to the transaction, so the cache takes a copy.
		c.put(id, bytes.Clone(v), m)
	}
	return m, err
}

// migrateExt rewrites a schema 1 ext index (connector ‖ 0 ‖ key ‖ 0) to
// schema 2's, which adds the spelling filed.
func migrateExt(tx *bolt.Tx) error {
	b := tx.Bucket(bExt)
	type entry struct{ k, v []byte }
	var old []entry
	err := b.ForEach(func(k, v []byte) error {
		if bytes.Count(k, []byte{0}) == 2 && len(v) >= 18 {
			old = append(old, entry{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range old {
		nk := append(bytes.Clone(e.k), strings.ToLower(string(e.v[18:]))...)
		if err := b.Put(append(nk, 0), e.v); err != nil {
			return err
		}
		if err := b.Delete(e.k); err != nil {
			return err
		}
	}
	return nil
}
