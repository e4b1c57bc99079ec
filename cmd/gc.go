package cmd

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The gateway's garbage collector settings, unless the environment sets
// GOGC or GOMEMLIMIT. The live heap is small (tens of MB) and allocation
// is steady, so Go's default GOGC=100 collects several times a second
// under load: at 400 the gateway spends about 10 % less CPU per message
// (docs/BENCHMARKS.md, "Garbage collector") for about 80 MB more peak
// memory. The soft limit (a quarter of RAM, at most 1 GiB) makes the
// collector work harder before a small box runs short, rather than after.
const (
	gcPercent      = 400
	gcLimitMax     = 1 << 30
	gcLimitDefault = 512 << 20 // when the RAM size is unknown
)

// gcSettings returns what serve sets: the GC percent (0: leave it) and
// the soft memory limit (0: leave it), from the environment and the
// machine's RAM in bytes (0 if unknown).
func gcSettings(getenv func(string) string, ram uint64) (percent int, limit int64) {
	if getenv("GOGC") == "" {
		percent = gcPercent
	}
	if getenv("GOMEMLIMIT") == "" {
		limit = gcLimitDefault
		if ram > 0 {
			limit = int64(min(ram/4, gcLimitMax))
		}
	}
	return percent, limit
}

// tuneGC applies gcSettings to this process.
func tuneGC() {
	percent, limit := gcSettings(os.Getenv, memTotal())
	if percent > 0 {
		debug.SetGCPercent(percent)
	}
	if limit > 0 {
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
