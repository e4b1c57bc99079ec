package main

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// dequeueMode is how the leased messages are finished.
type dequeueMode int

const (
	completeEach     dequeueMode = iota // one goroutine: Lease, then Complete each message in turn
	completeParallel                    // Lease, then Complete the batch from one goroutine per message
	leaseOnly                           // Lease only
)

var modeNames = [...]string{
	completeEach:     "Lease(64) + Complete each in turn (1 goroutine)",
	completeParallel: "Lease(64) + Complete the 64 concurrently",
	leaseOnly:        "Lease(64) only",
}

// dequeueResult is one run of a dequeue mode.
type dequeueResult struct {
	n       int           // messages leased (and completed)
	leases  int           // Lease calls that returned messages
	elapsed time.Duration // until the queue was empty or the limit
	emptied bool
	lease   latencies // per Lease call
	err     error     // the first error or failed check
}

// dequeue drains st in the given mode until Lease returns nothing or
// limit passes. It checks that messages come out in id order (they were
// all due, so due time follows the id), leased once, attempt 1.
func dequeue(st *spool.Store, mode dequeueMode, limit time.Duration) dequeueResult {
	var res dequeueResult
	var leaseLat []time.Duration
	last := ""
	start := time.Now()
	for time.Since(start) < limit {
		t := time.Now()
		msgs, err := st.Lease(bg, 64, spool.PriorityNormal)
		leaseLat = append(leaseLat, time.Since(t))
		if err != nil {
			res.err = fmt.Errorf("lease: %w", err)
			break
		}
		if len(msgs) == 0 {
			res.emptied = true
			break
		}
		res.leases++
		for _, m := range msgs {
			if m.ID <= last || m.State != spool.StateSending || m.Attempts != 1 {
				res.err = fmt.Errorf("lease %d returned %s (%s, attempt %d) after %s", res.leases, m.ID, m.State, m.Attempts, last)
				break
			}
			last = m.ID
		}
		if res.err != nil {
			break
		}
		if err := finish(st, msgs, mode, res.n); err != nil {
			res.err = err
			break
		}
		res.n += len(msgs)
	}
	res.elapsed = time.Since(start)
	res.lease = summarize(leaseLat)
	return res
}

// finish completes a leased batch as sent, one provider id each.
func finish(st *spool.Store, msgs []*spool.Message, mode dequeueMode, seq int) error {
	complete := func(i int, m *spool.Message) error {
		r := spool.Result{Connector: "c", ProviderIDs: []string{strconv.FormatInt(int64(seq+i+1), 16)}}
		if err := st.Complete(bg, m.ID, m.Attempts, r); err != nil {
			return fmt.Errorf("complete %s: %w", m.ID, err)
		}
		return nil
	}
	switch mode {
	case completeEach:
		for i, m := range msgs {
			if err := complete(i, m); err != nil {
				return err
			}
		}
	case completeParallel:
		errs := make([]error, len(msgs))
		var wg sync.WaitGroup
		for i, m := range msgs {
			wg.Go(func() { errs[i] = complete(i, m) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// reportDequeue fills one spool, then runs each mode on a copy of it.
func reportDequeue(cfg config, out io.Writer) error {
	src := spoolPath(cfg, "dequeue-src")
	logf("dequeue: filling %d messages", cfg.dequeueN)
	f, err := fillFile(src, cfg.dequeueN, 256, cfg.fillCap, "")
	if err != nil {
		return err
	}
	if f.err != nil {
		return fmt.Errorf("dequeue fill: %w", f.err)
	}
	fmt.Fprintf(out, "## 3. Dequeue\n\nFill with 256 submitters: %s.\n\nEach variant runs on its own copy of "+
		"that file: one goroutine leases up to 64 normal messages at a time, until the queue is empty or %v "+
		"have passed. Complete reports each message sent via connector \"c\" with one provider id. Commits "+
		"are exact (bbolt transaction ids).\n\n", f.summary(), cfg.dequeueCap)
	fmt.Fprintln(out, "| variant | messages | time | messages/s | emptied | Lease p50 | Lease p99 | commits | KiB written/msg | CPU | CPU wait | error |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
	for _, mode := range []dequeueMode{completeEach, completeParallel, leaseOnly} {
		path := spoolPath(cfg, fmt.Sprintf("dequeue-%d", mode))
		if err := copyFile(src, path); err != nil {
			return err
		}
		logf("dequeue: %s", modeNames[mode])
		st, pr, err := openProbed(path)
		if err != nil {
			return err
		}
		r := dequeue(st, mode, cfg.dequeueCap)
		stats, serr := st.Stats()
		c, err := pr.finish(st)
		if err != nil {
			return err
		}
		if r.err == nil && serr != nil {
			r.err = serr
		}
		want := map[dequeueMode]string{completeEach: "sent", completeParallel: "sent", leaseOnly: "sending"}[mode]
		if r.err == nil && stats.States[want] != int64(r.n) {
			r.err = fmt.Errorf("Stats says %d %s, %d were processed", stats.States[want], want, r.n)
		}
		e := ""
		if r.err != nil {
			e = r.err.Error()
		}
		fmt.Fprintf(out, "| %s | %d | %v | %.0f | %v | %s | %s | %d | %.1f | %.0f%% | %.0f%% | %s |\n", modeNames[mode], r.n,
			r.elapsed.Round(time.Millisecond), float64(r.n)/r.elapsed.Seconds(), r.emptied,
			ms(r.lease.p50), ms(r.lease.p99), c.commits, c.kibPer(r.n), c.cpuPct(), c.runqPct(), e)
		if err := removeSpool(path); err != nil {
			return err
		}
	}
	fmt.Fprintln(out)
	return removeSpool(src)
}
