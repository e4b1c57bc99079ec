package cmd

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The gateway's garbage collector, unless the environment sets GOGC or
// GOMEMLIMIT:
//   - GOGC 400: the heap may grow to five times what is live (about
//     40 MB at full load) before a collection. Against Go's default 100,
//     15 % less CPU per message at full load and 8 % less at 1,000
//     messages/s, with a lower p99 accept latency, for a peak of about
//     230 MB instead of 150 (docs/BENCHMARKS.md, session 13). Session 5
//     found the p99 worse with it; holding submits' commits since
//     changed that.
//   - a soft memory limit of a quarter of RAM, at most 1 GiB: near it the
//     collector works harder, whatever GOGC says, before a small box runs
//     short rather than after.
const (
	gcPercent      = 400
	gcLimitMax     = 1 << 30
	gcLimitDefault = 512 << 20 // when the RAM size is unknown
)

// gcTarget returns the GOGC percentage serve sets (0: leave it).
func gcTarget(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		return 0
	}
	return gcPercent
}

// gcLimit returns the soft memory limit serve sets (0: leave it), from
// the environment and the machine's RAM in bytes (0 if unknown).
func gcLimit(getenv func(string) string, ram uint64) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	if ram == 0 {
		return gcLimitDefault
	}
	return int64(min(ram/4, gcLimitMax))
}

// tuneGC applies gcTarget and gcLimit to this process.
func tuneGC() {
	if pct := gcTarget(os.Getenv); pct > 0 {
		debug.SetGCPercent(pct)
	}
	if limit := gcLimit(os.Getenv, memTotal()); limit > 0 {
		debug.SetMemoryLimit(limit)
	}
}

// memTotal is MemTotal from /proc/meminfo, in bytes; 0 if unknown.
func memTotal() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
