package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/smsgw/smsgw/spool"
	bolt "go.etcd.io/bbolt"
)

// openResult is what the child process reports about one Open.
type openResult struct {
	OpenMS    float64          `json:"open_ms"`
	RSSBefore string           `json:"rss_before"`
	HWM       string           `json:"hwm"`
	RSS       string           `json:"rss"`
	RSSAnon   string           `json:"rss_anon"`
	RSSFile   string           `json:"rss_file"`
	States    map[string]int64 `json:"states"`
	Err       string           `json:"err,omitempty"`
}

// runChildOpen re-executes this binary to open the spool at path, so that
// the memory figures are those of the open alone.
func runChildOpen(path string) (openResult, error) {
	var o openResult
	exe, err := os.Executable()
	if err != nil {
		return o, err
	}
	cmd := exec.Command(exe, "-child-open", path)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return o, fmt.Errorf("child open: %w", err)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("child open: %w: %q", err, b)
	}
	return o, nil
}

// row is the open as a row of the recovery table.
func (o openResult) row(name string) string {
	return fmt.Sprintf("| %s | %.0f ms | %s | %s | %s | %s | %s | %d | %d | %s |", name, o.OpenMS, o.RSSBefore,
		o.HWM, o.RSS, o.RSSAnon, o.RSSFile, o.States["sending"], o.States["queued"], o.Err)
}

// childOpen is the child's side: open, measure, close, print JSON.
func childOpen(path string) {
	o := openResult{RSSBefore: procStatus("VmRSS")["VmRSS"]}
	t := time.Now()
	st, err := openStore(path)
	o.OpenMS = float64(time.Since(t)) / float64(time.Millisecond)
	p := procStatus("VmHWM", "VmRSS", "RssAnon", "RssFile")
	o.HWM, o.RSS, o.RSSAnon, o.RSSFile = p["VmHWM"], p["VmRSS"], p["RssAnon"], p["RssFile"]
	if err != nil {
		o.Err = err.Error()
	} else {
		stats, err := st.Stats()
		o.States = stats.States
		if err != nil {
			o.Err = err.Error()
		}
		if err := st.Close(); err != nil && o.Err == "" {
			o.Err = err.Error()
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(o); err != nil {
		fatal(err)
	}
}

// reportSize reports bytes on disk per message, by bucket, then after
// spool.Compact.
func reportSize(out io.Writer, path string, n int, filledBytes, filledHWM int64) error {
	fmt.Fprintf(out, "### (d) Bytes on disk\n\nAfter the fill: file %d bytes = **%.0f bytes/message** "+
		"(bbolt high-water mark %d bytes).\n\n", filledBytes, float64(filledBytes)/float64(n), filledHWM)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Where the bytes are, after the open above (bbolt bucket statistics, read-only):\n\n")
	fmt.Fprintln(out, "| bucket | keys | leaf pages | leaf bytes used | leaf bytes allocated | fill | allocated/message |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|")
	var total int
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			s := b.Stats()
			alloc := s.LeafAlloc + s.BranchAlloc
			total += alloc
			fill := 0.0
			if s.LeafAlloc > 0 {
				fill = float64(s.LeafInuse) / float64(s.LeafAlloc)
			}
			fmt.Fprintf(out, "| %s | %d | %d | %d | %d | %.0f%% | %.0f |\n", name, s.KeyN,
				s.LeafPageN+s.LeafOverflowN, s.LeafInuse, alloc, 100*fill, float64(alloc)/float64(n))
			return nil
		})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nAll buckets: %d bytes in their pages (%.0f/message).\n\n", total, float64(total)/float64(n))
	t := time.Now()
	before, after, err := spool.Compact(path, 0)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	fmt.Fprintf(out, "`spool.Compact` took %v: %d → %d bytes = **%.0f bytes/message** after compaction.\n\n",
		time.Since(t).Round(time.Millisecond), before, after, float64(after)/float64(n))
	return removeSpool(path)
}

// removeSpool deletes a spool file and its compaction leftover.
func removeSpool(path string) error {
	_ = os.Remove(path + ".compact")
	return os.Remove(path)
}
