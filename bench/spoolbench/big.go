package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// bigTarget is the recipient the big spool's List filters on.
const bigTarget = "+13195550042"

// reportBig measures a spool of cfg.bigN messages.
func reportBig(cfg config, out io.Writer, fs fsyncResult) error {
	path := spoolPath(cfg, "big")
	logf("big: filling %d messages with 256 submitters (limit %v)", cfg.bigN, cfg.fillCap)
	f, err := fillFile(path, cfg.bigN, 256, cfg.fillCap, bigTarget)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "## 4. Spool of %d messages\n\nFill with 256 submitters: **%s**.\n\n", cfg.bigN, f.summary())
	fmt.Fprintf(out, "Rate per tenth of the fill (enqueues/s): %s.\n\n", joinRates(f.deciles))
	if f.err != nil {
		return fmt.Errorf("big fill: %w", f.err)
	}
	if f.n < cfg.bigN {
		fmt.Fprintf(out, "**The fill stopped at its time limit (%v) with %d of %d messages.**\n\n", cfg.fillCap, f.n, cfg.bigN)
	}
	filledBytes := fileSize(path)
	logf("big: open in a child process, nothing leased")
	o0, err := runChildOpen(path)
	if err != nil {
		return err
	}
	st, err := openStore(path)
	if err != nil {
		return err
	}
	defer st.Close()
	st0, err := st.Stats()
	if err != nil {
		return err
	}

	logf("big: List")
	reportList(out, st, f)

	logf("big: emergency lease")
	if err := reportEmergency(out, st, fs); err != nil {
		return err
	}

	logf("big: lease 1000, close, open in a child process")
	leased, err := st.Lease(bg, 1000, spool.PriorityNormal)
	if err != nil {
		return fmt.Errorf("lease 1000: %w", err)
	}
	st1, err := st.Stats()
	if err != nil {
		return err
	}
	tc := time.Now()
	if err := st.Close(); err != nil {
		return err
	}
	closeTime := time.Since(tc)
	o, err := runChildOpen(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "### (c) Recovery at Open\n\n`spool.Open` in a child process (this binary re-executed), page "+
		"cache warm, once right after the fill (nothing to recover) and once after %d + 20 emergency messages "+
		"were leased (Stats: %d sending) and the spool closed (Close took %v):\n\n",
		len(leased), st1.States["sending"], closeTime.Round(time.Millisecond))
	fmt.Fprintln(out, "| case | open time | VmRSS before | VmHWM after | VmRSS after | RssAnon | RssFile | sending after | queued after | error |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	fmt.Fprintln(out, o0.row("after the fill, no leases"))
	fmt.Fprintln(out, o.row(fmt.Sprintf("%d leases to recover", st1.States["sending"])))
	ok := o.Err == "" && o.OpenMS < 5000
	fmt.Fprintf(out, "\nTarget: open under 5 s: %s. RssFile is the spool file's pages the open touched through "+
		"bbolt's mmap (page cache, shared, reclaimable); RssAnon is the process's own memory.\n\n", verdict(ok))
	want := st1.States["queued"] + st1.States["sending"]
	if o.Err == "" && (o.States["sending"] != 0 || o.States["queued"] != want) {
		fmt.Fprintf(out, "**After recovery Stats says %d sending and %d queued; expected 0 and %d.**\n\n",
			o.States["sending"], o.States["queued"], want)
	}

	logf("big: bucket sizes and Compact")
	return reportSize(out, path, f.n, filledBytes, st0.FileBytes)
}

func joinRates(r []float64) string {
	s := ""
	for i, v := range r {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.0f", v)
	}
	return s
}

// reportList times 20 List calls of one page for each filter and checks
// the first page: newest first, matching, starting at the newest match.
func reportList(out io.Writer, st *spool.Store, f fillResult) {
	cases := []struct {
		name   string
		filter spool.Filter
		newest string
		n      int
	}{
		{"no filter", spool.Filter{}, f.newest, f.n},
		{"State: queued", spool.Filter{State: spool.StateQueued}, f.newest, f.n},
		{"To: " + bigTarget, spool.Filter{To: bigTarget}, f.targetID, f.targetN},
		{"Tenant: psap-north", spool.Filter{Tenant: "psap-north"}, f.newest, f.n},
	}
	fmt.Fprintf(out, "### (a) List, one page of 50, newest first (20 calls each)\n\n")
	fmt.Fprintln(out, "| filter | median | max | page | check |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---|")
	worst := time.Duration(0)
	for _, c := range cases {
		var lat []time.Duration
		var page spool.Page
		var err error
		for range 20 {
			t := time.Now()
			page, err = st.List(c.filter, "", 50)
			lat = append(lat, time.Since(t))
			if err != nil {
				break
			}
		}
		l := summarize(lat)
		worst = max(worst, l.max)
		check := "ok"
		if err != nil {
			check = "error: " + err.Error()
		} else if msg := checkPage(page, c.filter, c.newest, min(50, c.n)); msg != "" {
			check = "**" + msg + "**"
		}
		fmt.Fprintf(out, "| %s | %s | %s | %d | %s |\n", c.name, ms(l.p50), ms(l.max), len(page.Messages), check)
	}
	fmt.Fprintf(out, "\nTarget: under 20 ms: %s.\n\n", verdict(worst < 20*time.Millisecond))
}

func checkPage(p spool.Page, f spool.Filter, newest string, want int) string {
	ms := p.Messages
	switch {
	case len(ms) != want:
		return fmt.Sprintf("%d messages, want %d", len(ms), want)
	case len(ms) > 0 && ms[0].ID != newest:
		return fmt.Sprintf("first is %s, the newest match is %s", ms[0].ID, newest)
	case !slices.IsSortedFunc(ms, func(a, b *spool.Message) int { return -compareStr(a.ID, b.ID) }):
		return "not newest first"
	}
	for _, m := range ms {
		if (f.State != 0 && m.State != f.State) || (f.To != "" && m.To != f.To) || (f.Tenant != "" && m.Tenant != f.Tenant) {
			return "message " + m.ID + " does not match the filter"
		}
	}
	return ""
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// reportEmergency enqueues one emergency message at a time and times the
// Lease that must return it ahead of the queued normal messages.
func reportEmergency(out io.Writer, st *spool.Store, fs fsyncResult) error {
	rng := newRand(99)
	var lat []time.Duration
	var wrong []string
	for i := range 20 {
		m, _, err := st.Enqueue(bg, newMessage(rng, spool.PriorityEmergency))
		if err != nil {
			return fmt.Errorf("emergency enqueue: %w", err)
		}
		t := time.Now()
		got, err := st.Lease(bg, 1, spool.PriorityNormal)
		lat = append(lat, time.Since(t))
		if err != nil {
			return fmt.Errorf("emergency lease: %w", err)
		}
		if len(got) != 1 || got[0].ID != m.ID || got[0].Priority != spool.PriorityEmergency {
			desc := "nothing"
			if len(got) > 0 {
				desc = fmt.Sprintf("%s (%s)", got[0].ID, got[0].Priority)
			}
			wrong = append(wrong, fmt.Sprintf("round %d: leased %s instead of %s", i+1, desc, m.ID))
		}
	}
	l := summarize(lat)
	fmt.Fprintf(out, "### (b) Emergency lease\n\n20 rounds: enqueue one emergency message, then time "+
		"`Lease(ctx, 1, PriorityNormal)`: **median %s, max %s**. The Lease is a durable write: it includes "+
		"one commit, i.e. two fdatasyncs (raw fdatasync p50 %s, so ≈ %s of the median is the disk).\n\n",
		ms(l.p50), ms(l.max), ms(fs.lat.p50), ms(2*fs.lat.p50))
	if len(wrong) == 0 {
		fmt.Fprintf(out, "Every Lease returned the emergency message just enqueued.\n\n")
	} else {
		fmt.Fprintf(out, "**Wrong message leased:** %v.\n\n", wrong)
	}
	fmt.Fprintf(out, "Target: under 1 ms for the dequeue: %s (the median minus two raw fdatasyncs is %s).\n\n",
		verdict(l.p50 < time.Millisecond), ms(max(0, l.p50-2*fs.lat.p50)))
	return nil
}
