// Command spoolbench measures the durable spool (package spool) on the
// local disk and prints a Markdown report on stdout (progress goes to
// stderr):
//
//  1. the raw fdatasync rate of the disk the spool files are on;
//  2. durable Enqueue throughput and latency at 1, 16, 64 and 256
//     concurrent submitters;
//  3. the dequeue rate (Lease then Complete, and Lease alone) on a spool
//     of 200,000 queued messages;
//  4. on a spool of 1,000,000 messages: the fill rate, List of one page
//     with several filters, the lease of an emergency message, the
//     recovery at Open (in a child process, for its memory) and the bytes
//     on disk per message before and after Compact.
//
// Run it from the module root:
//
//	go run ./bench/spoolbench [-dir DIR] [-quick] [-only enqueue|dequeue|big] [-cpuprofile FILE] [-trace FILE]
//
// The spool files go to a new temporary directory (under DIR when given,
// else under the system temp dir), which is removed at the end. -quick
// divides every count by 10 and runs each level for 1 s, as a smoke test.
// -cpuprofile and -trace write a CPU profile and an execution trace of
// the 256-submitter enqueue level; read them with `go tool pprof -top FILE`
// and `go tool trace -pprof=syscall FILE > syscall.pprof` (time blocked in
// fdatasync and pwrite). Every measurement stops by itself; a
// full run takes about three minutes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// config holds the sizes and durations of one run.
type config struct {
	only       string        // one part only ("" = all)
	dir        string        // temporary directory for the spool files
	quick      bool          // smoke test
	fsyncFor   time.Duration // raw fsync loop
	warm       time.Duration // enqueue warm-up, not counted
	level      time.Duration // enqueue measurement per concurrency level
	dequeueN   int           // messages queued for the dequeue test
	dequeueCap time.Duration // time limit of one dequeue variant
	bigN       int           // messages in the big spool
	fillCap    time.Duration // time limit of the big fill
	diag       diagnostics   // profiles of the 256-submitter level
}

func main() {
	dir := flag.String("dir", "", "parent directory of the temporary spool files (default: the system temp dir)")
	quick := flag.Bool("quick", false, "10x smaller counts and 1 s per level (smoke test)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the 256-submitter enqueue level to `file`")
	tracefile := flag.String("trace", "", "write an execution trace of the 256-submitter enqueue level to `file`")
	child := flag.String("child-open", "", "internal: open the spool at `path` and report time and memory as JSON")
	only := flag.String("only", "", "run only this part: fsync, enqueue, dequeue or big (default all)")
	flag.Parse()
	if *child != "" {
		childOpen(*child)
		return
	}
	cfg := config{only: *only, quick: *quick, diag: diagnostics{*cpuprofile, *tracefile}, fsyncFor: 2 * time.Second,
		warm: 500 * time.Millisecond, level: 3 * time.Second,
		dequeueN: 200_000, dequeueCap: 15 * time.Second, bigN: 1_000_000, fillCap: 150 * time.Second}
	if cfg.quick {
		cfg.fsyncFor, cfg.warm, cfg.level = time.Second, 200*time.Millisecond, time.Second
		cfg.dequeueN, cfg.dequeueCap, cfg.bigN, cfg.fillCap = 20_000, 5*time.Second, 100_000, 30*time.Second
	}
	tmp, err := os.MkdirTemp(*dir, "spoolbench")
	if err != nil {
		fatal(err)
	}
	cfg.dir = tmp
	err = run(cfg, os.Stdout)
	if rerr := os.RemoveAll(tmp); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "spoolbench:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// run makes the measurements in order and writes the report as it goes.
func run(cfg config, out io.Writer) error {
	start := time.Now()
	mode := "full"
	if cfg.quick {
		mode = "quick (10x smaller counts, 1 s per level)"
	}
	fmt.Fprintf(out, "# Spool benchmark\n\nMode: %s. Spool files in `%s`.\n\n", mode, cfg.dir)

	logf("raw fsync for %v, twice", cfg.fsyncFor)
	fs, err := measureFsync(cfg.dir, cfg.fsyncFor, 1)
	if err != nil {
		return fmt.Errorf("fsync: %w", err)
	}
	fs128, err := measureFsync(cfg.dir, cfg.fsyncFor, 128)
	if err != nil {
		return fmt.Errorf("fsync: %w", err)
	}
	fmt.Fprintf(out, "## 1. Raw fdatasync\n\nEach for %v, `unix.Fdatasync` after each write:\n\n", cfg.fsyncFor)
	fmt.Fprintln(out, "| write before each sync | syncs/s | mean | p50 | p99 | max |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	for _, r := range []struct {
		name string
		fsyncResult
	}{{"4 KiB at offset 0", fs}, {"128 × 4 KiB at random offsets in 64 MiB", fs128}} {
		fmt.Fprintf(out, "| %s | **%.0f** | %s | %s | %s | %s |\n", r.name, r.rate,
			ms(r.lat.mean), ms(r.lat.p50), ms(r.lat.p99), ms(r.lat.max))
	}
	fmt.Fprintln(out)

	part := func(name string) bool { return cfg.only == "" || cfg.only == name }
	if part("enqueue") {
		if err := reportEnqueue(cfg, out, fs.rate); err != nil {
			return err
		}
	}
	if part("dequeue") {
		if err := reportDequeue(cfg, out); err != nil {
			return err
		}
	}
	if part("big") {
		if err := reportBig(cfg, out, fs); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "Total run time: %v.\n", time.Since(start).Round(time.Second))
	return nil
}

// openStore opens a spool with room for the big cases.
func openStore(path string) (*spool.Store, error) {
	return spool.Open(path, spool.Options{MaxQueued: 3_000_000})
}

// body is a realistic dispatch text of about 120 characters; %06d is an
// incident number.
const body = "CAD inc %06d: structure fire reported at 1200 W Main St, Iowa City. E12, L3, M7 respond; stage at Oak Ave. Ch 4."

// newMessage returns a message with the fields a CAD submitter sets and a
// random recipient among 10,000 numbers.
func newMessage(rng *rand.Rand, p spool.Priority) *spool.Message {
	return &spool.Message{
		Tenant: "psap-north", From: "+13195550100", To: fmt.Sprintf("+1319555%04d", rng.IntN(10000)),
		Body: fmt.Sprintf(body, rng.IntN(1_000_000)), Source: "http:cad-1", Priority: p,
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// latencies summarises a set of durations.
type latencies struct {
	n                              int
	mean, p50, p99, p999, min, max time.Duration
}

func summarize(d []time.Duration) latencies {
	if len(d) == 0 {
		return latencies{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	at := func(q float64) time.Duration {
		i := int(q*float64(len(d))+0.999999) - 1
		return d[max(0, min(i, len(d)-1))]
	}
	return latencies{n: len(d), mean: sum / time.Duration(len(d)), p50: at(0.5), p99: at(0.99),
		p999: at(0.999), min: d[0], max: d[len(d)-1]}
}

// ms formats a duration in milliseconds with 3 significant decimals.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.3f ms", v)
	}
}

// verdict says whether a figure meets its target.
func verdict(ok bool) string {
	if ok {
		return "meets target"
	}
	return "**misses target**"
}

// copyFile copies a closed spool file and syncs the copy, so that its
// write-back does not disturb the next measurement.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return errors.Join(out.Sync(), out.Close())
}

// fileSize is the size of path in bytes, 0 when it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func spoolPath(cfg config, name string) string { return filepath.Join(cfg.dir, name+".db") }

// procStatus returns the given fields of /proc/self/status ("VmRSS" →
// "123456 kB").
func procStatus(fields ...string) map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && slices.Contains(fields, k) {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

var bg = context.Background()
