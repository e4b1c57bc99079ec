package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/smsgw/smsgw/spool"
	bolt "go.etcd.io/bbolt"
)

// boltTxID is the id of the last committed transaction of a closed
// bbolt file. bbolt numbers write transactions one by one, so the
// difference between two readings is the number of commits in between.
func boltTxID(path string) (int, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	id := 0
	err = db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
	return id, err
}

// wchar is the number of bytes this process has handed to write
// syscalls (pwrite included), from /proc/self/io.
func wchar() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime is the user plus system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runqWait is the time the threads of this process have spent runnable
// but waiting for a CPU (the second field of each thread's schedstat):
// behind other processes on a shared machine, or behind its own threads.
func runqWait() time.Duration {
	tasks, _ := filepath.Glob("/proc/self/task/*/schedstat")
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if f := strings.Fields(string(b)); err == nil && len(f) >= 2 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			sum += n
		}
	}
	return time.Duration(sum)
}

// probe measures what a piece of work on one spool file cost: commits
// (from the bbolt transaction ids), bytes written and CPU time.
type probe struct {
	path  string
	txid  int
	wchar int64
	cpu   time.Duration
	runq  time.Duration
	start time.Time
}

// openProbed opens the spool at path (creating it if needed) with a
// probe started: the probe reads the file's transaction id while it is
// closed, and discounts the commit Open makes.
func openProbed(path string) (*spool.Store, *probe, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		st, err := openStore(path)
		if err != nil {
			return nil, nil, err
		}
		if err := st.Close(); err != nil {
			return nil, nil, err
		}
	}
	id, err := boltTxID(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(path)
	if err != nil {
		return nil, nil, err
	}
	return st, &probe{path: path, txid: id + 1, wchar: wchar(), cpu: cpuTime(),
		runq: runqWait(), start: time.Now()}, nil
}

// cost is what a probe measured.
type cost struct {
	commits int
	written int64         // bytes passed to write syscalls
	cpu     time.Duration // process CPU time
	runq    time.Duration // time threads waited for a CPU
	wall    time.Duration
}

// finish closes st and returns the cost since openProbed.
func (p *probe) finish(st *spool.Store) (cost, error) {
	c := cost{written: wchar() - p.wchar, cpu: cpuTime() - p.cpu, runq: runqWait() - p.runq, wall: time.Since(p.start)}
	if err := st.Close(); err != nil {
		return c, err
	}
	id, err := boltTxID(p.path)
	c.commits = id - p.txid
	return c, err
}

// cpuPct is the CPU use as a percentage of one core (2 cores: up to 200).
func (c cost) cpuPct() float64 { return 100 * c.cpu.Seconds() / c.wall.Seconds() }

// runqPct is the time threads waited for a CPU, as a percentage of the
// wall time (100: on average one thread was runnable but not running).
func (c cost) runqPct() float64 { return 100 * c.runq.Seconds() / c.wall.Seconds() }

// perCommit is n divided by the commits.
func (c cost) perCommit(n int) float64 {
	if c.commits <= 0 {
		return 0
	}
	return float64(n) / float64(c.commits)
}

// kibPer is the bytes written per item, in KiB.
func (c cost) kibPer(n int) float64 {
	if n <= 0 {
		return 0
	}
	return float64(c.written) / float64(n) / 1024
}
