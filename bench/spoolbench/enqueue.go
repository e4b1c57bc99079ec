package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// levelResult is one concurrency level of durable enqueues.
type levelResult struct {
	conc int
	rate float64 // enqueues per second in the window
	lat  latencies
	all  int  // enqueues stored, warm-up included
	cost cost // of the whole level, warm-up included
	errs int
	err  error // the first error
}

// enqueueLevel runs conc submitters looping Enqueue on a fresh spool for
// warm+dur and counts the calls that complete inside the window after
// the warm-up. The window is profiled as diag asks.
func enqueueLevel(path string, conc int, warm, dur time.Duration, diag diagnostics) (levelResult, error) {
	res := levelResult{conc: conc}
	st, pr, err := openProbed(path)
	if err != nil {
		return res, err
	}
	start := time.Now()
	t0, t1 := start.Add(warm), start.Add(warm+dur)
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for g := range conc {
		wg.Go(func() {
			rng := newRand(uint64(g))
			var lat []time.Duration
			var errs, ok int
			var first error
			for s := time.Now(); s.Before(t1); s = time.Now() {
				_, _, err := st.Enqueue(bg, newMessage(rng, spool.PriorityNormal))
				e := time.Now()
				if err != nil {
					errs++
					first = cmp.Or(first, err)
					time.Sleep(time.Millisecond)
					continue
				}
				ok++
				if !e.Before(t0) && !e.After(t1) {
					lat = append(lat, e.Sub(s))
				}
			}
			mu.Lock()
			all = append(all, lat...)
			res.all += ok
			res.errs += errs
			res.err = cmp.Or(res.err, first)
			mu.Unlock()
		})
	}
	if diag != (diagnostics{}) {
		time.Sleep(time.Until(t0))
		stop := diag.start()
		time.Sleep(time.Until(t1))
		stop()
	}
	wg.Wait()
	res.lat = summarize(all)
	res.rate = float64(res.lat.n) / dur.Seconds()
	res.cost, err = pr.finish(st)
	return res, err
}

// reportEnqueue measures and reports the concurrency levels.
func reportEnqueue(cfg config, out io.Writer, fsyncRate float64) error {
	fmt.Fprintf(out, "## 2. Durable enqueue\n\nEach level on a fresh spool: N goroutines loop `Enqueue` "+
		"(each call returns after its commit is fsynced) for %v after a %v warm-up that is not counted. "+
		"Latency is per call. The last five columns cover the whole level, warm-up included: commits "+
		"per second and messages per commit (exact: from the bbolt transaction ids before and after), "+
		"KiB handed to write syscalls per message (/proc/self/io wchar), the process CPU use "+
		"(100%% = one core of %d) and the time its threads were runnable but waited for a CPU (schedstat; "+
		"100%% = one thread waiting all the time, behind other processes or this one's own threads). "+
		"A bbolt commit is two fdatasyncs (pages, then meta): with the raw rate above, at most %.0f "+
		"commits/s.\n\n", cfg.level, cfg.warm, runtime.NumCPU(), fsyncRate/2)
	fmt.Fprintln(out, "| submitters | enqueues/s | p50 | p99 | p99.9 | max | errors | commits/s | msgs/commit | KiB written/msg | CPU | CPU wait |")
	fmt.Fprintln(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var last levelResult
	for _, conc := range []int{1, 16, 64, 256} {
		logf("enqueue: %d submitters", conc)
		var diag diagnostics
		if conc == 256 {
			diag = cfg.diag
		}
		path := spoolPath(cfg, fmt.Sprintf("enqueue-%d", conc))
		r, err := enqueueLevel(path, conc, cfg.warm, cfg.level, diag)
		if err != nil {
			return fmt.Errorf("enqueue level %d: %w", conc, err)
		}
		if err := removeSpool(path); err != nil {
			return err
		}
		errs := fmt.Sprint(r.errs)
		if r.err != nil {
			errs += fmt.Sprintf(" (first: %v)", r.err)
		}
		c := r.cost
		fmt.Fprintf(out, "| %d | %.0f | %s | %s | %s | %s | %s | %.0f | %.1f | %.1f | %.0f%% | %.0f%% |\n", conc, r.rate,
			ms(r.lat.p50), ms(r.lat.p99), ms(r.lat.p999), ms(r.lat.max), errs,
			float64(c.commits)/c.wall.Seconds(), c.perCommit(r.all), c.kibPer(r.all), c.cpuPct(), c.runqPct())
		last = r
	}
	ok := last.rate >= 50_000 && last.lat.p99 < 10*time.Millisecond
	fmt.Fprintf(out, "\nTarget at 256 submitters: ≥ 50,000 enqueues/s with p99 < 10 ms: %.0f/s, p99 %s: %s.\n\n",
		last.rate, ms(last.lat.p99), verdict(ok))
	return nil
}

// diagnostics names the files for a CPU profile and an execution trace
// of the 256-submitter window ("" for none).
type diagnostics struct{ cpuprofile, trace string }

// start begins the profile and the trace; stop ends them. A failure is
// logged and does not stop the benchmark.
func (d diagnostics) start() (stop func()) {
	var stops []func()
	open := func(name string, begin func(io.Writer) error, end func()) {
		if name == "" {
			return
		}
		f, err := os.Create(name)
		if err == nil {
			if err = begin(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			logf("%s: %v", name, err)
			return
		}
		stops = append(stops, func() { end(); f.Close() })
	}
	open(d.cpuprofile, pprof.StartCPUProfile, pprof.StopCPUProfile)
	open(d.trace, trace.Start, trace.Stop)
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// fillResult is a spool filled with n messages by concurrent submitters.
type fillResult struct {
	n        int
	elapsed  time.Duration
	lat      latencies
	deciles  []float64 // enqueues/s in each tenth of the fill
	newest   string    // highest id stored
	target   string    // a recipient to filter on
	targetN  int       // messages stored for it
	targetID string    // its highest id
	cost     cost      // commits, bytes written, CPU
	err      error     // the first error, which stops the fill
}

// fillFile creates the spool at path, fills it (see fill) and closes it.
func fillFile(path string, n, conc int, limit time.Duration, target string) (fillResult, error) {
	st, pr, err := openProbed(path)
	if err != nil {
		return fillResult{}, err
	}
	r := fill(st, n, conc, limit, target)
	r.cost, err = pr.finish(st)
	return r, err
}

// fill enqueues n normal messages with conc submitters, stopping early
// at the first error or after limit.
func fill(st *spool.Store, n, conc int, limit time.Duration, target string) fillResult {
	res := fillResult{target: target, deciles: make([]float64, 10)}
	var next atomic.Int64
	marks := make([]atomic.Int64, 11) // nanoseconds since start when each tenth was reached
	var stop atomic.Bool
	var mu sync.Mutex
	var all []time.Duration
	start := time.Now()
	var wg sync.WaitGroup
	for g := range conc {
		wg.Go(func() {
			rng := newRand(uint64(1000 + g))
			var lat []time.Duration
			var newest, tID string
			tN := 0
			var first error
			for !stop.Load() && time.Since(start) < limit {
				i := next.Add(1)
				if i > int64(n) {
					break
				}
				m := newMessage(rng, spool.PriorityNormal)
				s := time.Now()
				stored, _, err := st.Enqueue(bg, m)
				if err != nil {
					first = fmt.Errorf("enqueue %d: %w", i, err)
					stop.Store(true)
					break
				}
				lat = append(lat, time.Since(s))
				newest = max(newest, stored.ID)
				if m.To == target {
					tN++
					tID = max(tID, stored.ID)
				}
				if tenth := int64(n / 10); tenth > 0 && i%tenth == 0 {
					marks[i/tenth].Store(int64(time.Since(start)))
				}
			}
			mu.Lock()
			all = append(all, lat...)
			res.newest = max(res.newest, newest)
			res.targetN += tN
			res.targetID = max(res.targetID, tID)
			res.err = cmp.Or(res.err, first)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.lat = summarize(all)
	res.n = res.lat.n
	for i := range 10 {
		if a, b := marks[i].Load(), marks[i+1].Load(); b > a && (i == 0 || a > 0) {
			res.deciles[i] = float64(n/10) / time.Duration(b-a).Seconds()
		}
	}
	return res
}

func (r fillResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// summary describes the fill in one sentence.
func (r fillResult) summary() string {
	return fmt.Sprintf("%d messages in %v = %.0f enqueues/s; latency p50 %s, p99 %s, p99.9 %s, max %s; "+
		"%.1f messages/commit, %.1f KiB written/message, CPU %.0f%%, CPU wait %.0f%%", r.n,
		r.elapsed.Round(time.Millisecond), r.rate(), ms(r.lat.p50), ms(r.lat.p99), ms(r.lat.p999), ms(r.lat.max),
		r.cost.perCommit(r.n), r.cost.kibPer(r.n), r.cost.cpuPct(), r.cost.runqPct())
}
