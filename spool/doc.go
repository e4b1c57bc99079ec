// Package spool is smsgw's durable store-and-forward queue: the message
// model and its states, the bbolt store (messages, the priority queue,
// indexes, receipt correlation, inbound messages, the outbox of reports
// owed upstream, the audit chain, retention), leases, retries and the
// dispatch loops.
//
// # Basics
//
// Open a Store on a file; Enqueue returns once a message is fsynced, and
// only then may the caller acknowledge it. Concurrent writers share
// commits (group commit), so throughput grows with concurrency while each
// caller still waits for its own fsync.
//
// A Dispatcher leases due messages (most urgent lane first), hands each
// to a Sender (spool/route's Router, over the connectors), and records
// the Result with Complete: sent, deferred, or failed (the spool retries
// with backoff until the attempt limit or the validity ends). Connectors
// report receipts (ApplyReport) and inbound messages (Receive); reports
// and inbound messages owed to applications go through the outbox
// (OutboxDispatcher and a Deliverer).
//
// Every transition is one transaction that changes the record and all
// its index entries, appends to the message's timeline, and, where it
// matters, to the audit chain (VerifyAudit checks it).
//
// # Caveats
//
// Delivery is at least once: a message in flight when the process dies,
// or whose connector hangs past its lease, is sent again, and its
// timeline says "possible duplicate". The window is the set of leased
// messages.
//
// bbolt locks the file: one process at a time. A second Open (even
// read-only, even in the same process) waits LockTimeout and returns
// ErrInUse. Offline tools use ReadOnly.
//
// The file never shrinks: free pages are reused, and Compact (offline)
// rewrites it.
//
// Reads (Get, List, Stats) run in their own read transactions and never
// block writes; a long List holds pages from reuse for its duration, so
// pages are bounded (limit ≤ 1000, at most 20,000 records scanned).
//
// A damaged file (a disk that lost writes): Open and Check return
// ErrDamaged (a *DamagedError) where bbolt would panic or fault, and
// Salvage copies what can be read into a new file. bbolt trusts the
// offsets in its pages, so Check on a file opened read-only, and Open
// after an unclean stop (the SPOOL.open marker a writable Open leaves
// until Close is still there), read the page tree from the file first
// (pages.go): damage that would make bbolt loop or overflow its stack is
// then ErrDamaged too. After a clean stop Open skips that read (about
// 2 ms per MB). Damage that appears while the gateway runs, after a
// clean start, can still crash it once; the restart then checks.
// FuzzDamagedSpool damages a seed file (testdata/damaged) anywhere.
package spool
