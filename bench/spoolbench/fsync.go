package main

import (
	"math/rand/v2"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fsyncResult is the raw sync rate of the disk under the spool files.
type fsyncResult struct {
	pages int     // 4 KiB pages written before each sync
	rate  float64 // syncs per second
	lat   latencies
}

// fsyncSpan is the file the multi-page variant writes into.
const fsyncSpan = 64 << 20

// measureFsync writes 4 KiB pages to a file in dir and fdatasyncs it, in
// a loop for d. With pages 1 it overwrites offset 0: what bbolt pays for
// its meta page. With more it overwrites that many pages at random
// offsets in a 64 MiB file, written once beforehand: what a commit of
// that many dirty pages costs the disk.
func measureFsync(dir string, d time.Duration, pages int) (fsyncResult, error) {
	res := fsyncResult{pages: pages}
	f, err := os.CreateTemp(dir, "fsync")
	if err != nil {
		return res, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	span := int64(4096)
	if pages > 1 {
		span = fsyncSpan
	}
	buf := make([]byte, 1<<20)
	// Allocate the blocks first so that the loop measures overwrites only.
	for off := int64(0); off < span; off += int64(len(buf)) {
		if _, err := f.WriteAt(buf[:min(int64(len(buf)), span-off)], off); err != nil {
			return res, err
		}
	}
	if err := f.Sync(); err != nil {
		return res, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	page := buf[:4096]
	var lat []time.Duration
	start := time.Now()
	for time.Since(start) < d {
		t := time.Now()
		for i := range pages {
			page[i%len(page)]++
			off := int64(0)
			if pages > 1 {
				off = rng.Int64N(span/4096) * 4096
			}
			if _, err := f.WriteAt(page, off); err != nil {
				return res, err
			}
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			return res, err
		}
		lat = append(lat, time.Since(t))
	}
	res.rate = float64(len(lat)) / time.Since(start).Seconds()
	res.lat = summarize(lat)
	return res, nil
}
