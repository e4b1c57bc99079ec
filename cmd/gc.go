package cmd

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The gateway's soft memory limit, unless the environment sets
// GOMEMLIMIT: a quarter of RAM, at most 1 GiB. Near it the garbage
// collector works harder before a small box runs short, rather than
// after. GOGC stays at Go's default: 400 gave about 10 % less CPU per
// message at full load but raised the p99 accept latency at 1,000
// messages/s from about 15 to 22-24 ms, past the 20 ms target
// (docs/BENCHMARKS.md, "Garbage collector").
const (
	gcLimitMax     = 1 << 30
	gcLimitDefault = 512 << 20 // when the RAM size is unknown
)

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

// tuneGC applies gcLimit to this process.
func tuneGC() {
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
