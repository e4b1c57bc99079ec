// Command httpload submits SMS over HTTP to smsgw (POST /api/v1/messages)
// or to Kannel (GET /cgi-bin/sendsms on smsbox's sendsms port), and
// measures the gateway from outside: HTTP accept latency and rate, how
// fast the messages reach the carrier (counted by smscd, the simulated
// SMSC both gateways bind to), and the gateway's CPU per message.
//
//	httpload -target smsgw  -url http://127.0.0.1:PORT -key KEY ...
//	httpload -target kannel -url http://127.0.0.1:PORT -user U -pass P [-dlr-url URL] ...
//	httpload -report results.jsonl     # the Markdown table of many runs
//	httpload -freeport                 # prints a free port on 127.0.0.1
//
// Load: -concurrency C is a closed loop (C requests in flight, each sent
// when the previous answers: the most the gateway takes); -rate R is an
// open loop paced at R requests/s by a schedule, each latency measured
// from its scheduled time (so a stalled gateway is not hidden). Both stop
// after -n requests or -duration, whichever comes first. Connections are
// kept alive.
//
// End to end: smscd's /stats is read before the first request and polled
// after the last answer until every accepted message has reached the
// SMSC (or -e2e-timeout). End-to-end msgs/s is the messages that reached
// the SMSC divided by the time from the first request to the last
// submit_sm the SMSC accepted. With -window W it also reports the
// messages that reached the SMSC in the first W after the first request
// (the throttled scenario). Then it waits (at most -settle) until the
// receipts came back to the application (Kannel's dlr-url, smsgw's
// webhook, both counted by smscd) and reads the CPU time (utime+stime in
// /proc/PID/stat) of -pids: CPU per message covers intake, the spool or
// store, the SMPP submit, the receipt and its callback.
//
// Each run appends one JSON line to -out and prints a summary on
// standard error.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one run, as written to -out.
type Result struct {
	Scenario string `json:"scenario"`
	Gateway  string `json:"gateway"`
	Mode     string `json:"mode"` // "closed C" or "paced R/s"
	Note     string `json:"note,omitempty"`

	Sent       int            `json:"sent"`
	Accepted   int            `json:"accepted"`
	Errors     map[string]int `json:"errors,omitempty"` // by HTTP status or error
	SubmitSecs float64        `json:"submit_secs"`
	HTTPRate   float64        `json:"http_accepted_per_s"`
	P50ms      float64        `json:"p50_ms"`
	P90ms      float64        `json:"p90_ms"`
	P99ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`

	Delivered   int64   `json:"reached_smsc"`
	Complete    bool    `json:"complete"` // every accepted message reached the SMSC
	E2ESecs     float64 `json:"e2e_secs"`
	E2ERate     float64 `json:"e2e_msgs_per_s"`
	WindowSecs  float64 `json:"window_secs,omitempty"`
	WindowRate  float64 `json:"window_msgs_per_s,omitempty"`
	Throttled   int64   `json:"smsc_throttled"`
	ReceiptsApp int64   `json:"receipts_to_app"` // dlr-url or webhook callbacks

	CPUSecsE2E   float64 `json:"cpu_secs_e2e"`   // until the last message reached the SMSC
	CPUSecsTotal float64 `json:"cpu_secs_total"` // after receipts settled
	CPUmsPerMsg  float64 `json:"cpu_ms_per_msg"` // total / reached_smsc
	SMSCCPUSecs  float64 `json:"smsc_cpu_secs"`  // smscd's (-smsc-pid), same span as total
	LoadCPUSecs  float64 `json:"load_cpu_secs"`  // this process's, same span
	PeakRSSMB    float64 `json:"peak_rss_mb"`    // the gateway's VmHWM (summed over -pids), at the end
}

// smscStats is smscd's /stats.
type smscStats struct {
	Accepted      int64 `json:"accepted"`
	Throttled     int64 `json:"throttled"`
	LastAcceptNs  int64 `json:"last_accept_ns"`
	ReceiptsSent  int64 `json:"receipts_sent"`
	ReceiptsAcked int64 `json:"receipts_acked"`
	Bound         int   `json:"bound"`
	DLRCallbacks  int64 `json:"dlr_callbacks"`
	Webhooks      int64 `json:"webhooks"`
}

type config struct {
	target, base, key, user, pass, dlrURL, text, toPrefix string
	n, conc, workers                                      int
	rate                                                  float64
	duration, timeout                                     time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.target, "target", "smsgw", "smsgw (POST /api/v1/messages) or kannel (GET /cgi-bin/sendsms)")
	flag.StringVar(&c.base, "url", "", "base URL, http://127.0.0.1:PORT")
	flag.StringVar(&c.key, "key", "", "smsgw API key (Bearer)")
	flag.StringVar(&c.user, "user", "", "Kannel sendsms username")
	flag.StringVar(&c.pass, "pass", "", "Kannel sendsms password")
	flag.StringVar(&c.dlrURL, "dlr-url", "", "Kannel: dlr-url to pass with dlr-mask=3 (receipts back to the application)")
	flag.StringVar(&c.text, "text", "Benchmark message from the issue 6 run", "message text")
	flag.StringVar(&c.toPrefix, "to-prefix", "+1415555", "recipients are this prefix and 4 digits")
	flag.IntVar(&c.n, "n", 10000, "requests at most")
	flag.IntVar(&c.conc, "concurrency", 64, "closed loop: requests in flight (when -rate is 0)")
	flag.Float64Var(&c.rate, "rate", 0, "open loop: requests per second")
	flag.IntVar(&c.workers, "workers", 512, "open loop: the most requests in flight")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "stop sending after this long")
	flag.DurationVar(&c.timeout, "timeout", 30*time.Second, "per request")
	stats := flag.String("stats", "", "smscd stats URL, http://127.0.0.1:PORT")
	pids := flag.String("pids", "", "comma-separated PIDs whose CPU time is measured")
	smscPID := flag.Int("smsc-pid", 0, "smscd's PID, to report its CPU time beside the gateway's")
	e2eTimeout := flag.Duration("e2e-timeout", 60*time.Second, "how long to wait after the last answer for the messages to reach the SMSC")
	window := flag.Duration("window", 0, "also count what reached the SMSC in this long after the first request")
	settle := flag.Duration("settle", 20*time.Second, "how long to wait for receipts to reach the application before reading CPU")
	scenario := flag.String("scenario", "", "scenario label")
	gateway := flag.String("gateway", "", "gateway label")
	note := flag.String("note", "", "note for the report")
	out := flag.String("out", "", "append the result as a JSON line to this file")
	report := flag.String("report", "", "print the Markdown table of the results in this JSON-lines file and exit")
	freeport := flag.Bool("freeport", false, "print a free TCP port on 127.0.0.1 and exit")
	flag.Parse()
	log.SetPrefix("httpload: ")
	log.SetFlags(0)

	switch {
	case *freeport:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		return
	case *report != "":
		if err := printReport(os.Stdout, *report); err != nil {
			log.Fatal(err)
		}
		return
	}
	for _, u := range []string{c.base, *stats, c.dlrURL} {
		if u != "" && !loopbackURL(u) {
			log.Fatalf("%s: only 127.0.0.1 is allowed", u)
		}
	}
	if c.base == "" || *stats == "" {
		log.Fatal("-url and -stats are required")
	}
	pidList, err := parsePIDs(*pids)
	if err != nil {
		log.Fatal(err)
	}

	r := Result{Scenario: *scenario, Gateway: *gateway, Note: *note, Errors: map[string]int{}}
	base, err := getStats(*stats)
	if err != nil {
		log.Fatal(err)
	}
	cpu0, err := cpuSecs(pidList)
	if err != nil {
		log.Fatal(err)
	}
	others := []int{os.Getpid()}
	if *smscPID > 0 {
		others = append(others, *smscPID)
	}
	other0, err := eachCPUSecs(others)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()

	var windowAt atomic.Int64 // reached the SMSC at start+window; -1 until read
	windowAt.Store(-1)
	var wwg sync.WaitGroup
	if *window > 0 {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			time.Sleep(time.Until(start.Add(*window)))
			if s, err := getStats(*stats); err == nil {
				windowAt.Store(s.Accepted - base.Accepted)
			}
		}()
	}

	lat, codes, sent := run(c, start)
	end := time.Now()
	r.Sent = sent
	r.SubmitSecs = end.Sub(start).Seconds()
	for k, v := range codes {
		if k == "202" || k == "200" {
			r.Accepted += v
		} else {
			r.Errors[k] = v
		}
	}
	if len(r.Errors) == 0 {
		r.Errors = nil
	}
	if c.rate > 0 {
		r.Mode = fmt.Sprintf("paced %g/s", c.rate)
	} else {
		r.Mode = fmt.Sprintf("closed, %d in flight", c.conc)
	}
	r.HTTPRate = float64(r.Accepted) / r.SubmitSecs
	slices.Sort(lat)
	r.P50ms, r.P90ms, r.P99ms = pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99)
	if len(lat) > 0 {
		r.MaxMs = ms(lat[len(lat)-1])
	}

	// End to end: until every accepted message reached the SMSC.
	deadline := time.Now().Add(*e2eTimeout)
	var s smscStats
	for {
		s, err = getStats(*stats)
		if err != nil {
			log.Fatal(err)
		}
		if s.Accepted-base.Accepted >= int64(r.Accepted) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cpuE2E, err := cpuSecs(pidList)
	if err != nil {
		log.Fatal(err)
	}
	r.Delivered = s.Accepted - base.Accepted
	r.Complete = r.Delivered >= int64(r.Accepted)
	if r.Delivered > 0 && s.LastAcceptNs > start.UnixNano() {
		r.E2ESecs = float64(s.LastAcceptNs-start.UnixNano()) / 1e9
		r.E2ERate = float64(r.Delivered) / r.E2ESecs
	}
	wwg.Wait()
	if *window > 0 {
		r.WindowSecs = window.Seconds()
		r.WindowRate = float64(windowAt.Load()) / window.Seconds()
	}

	// Receipts back to the application, then the CPU.
	deadline = time.Now().Add(*settle)
	for time.Now().Before(deadline) {
		s, err = getStats(*stats)
		if err != nil {
			log.Fatal(err)
		}
		if s.DLRCallbacks+s.Webhooks-base.DLRCallbacks-base.Webhooks >= s.Accepted-base.Accepted ||
			s.ReceiptsSent == base.ReceiptsSent { // no receipts (smscd -receipts off)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the last callback's own bookkeeping
	cpu1, err := cpuSecs(pidList)
	if err != nil {
		log.Fatal(err)
	}
	if other1, err := eachCPUSecs(others); err == nil {
		r.LoadCPUSecs = other1[0] - other0[0]
		if *smscPID > 0 {
			r.SMSCCPUSecs = other1[1] - other0[1]
		}
	}
	r.Throttled = s.Throttled - base.Throttled
	r.ReceiptsApp = s.DLRCallbacks + s.Webhooks - base.DLRCallbacks - base.Webhooks
	r.CPUSecsE2E = cpuE2E - cpu0
	r.CPUSecsTotal = cpu1 - cpu0
	r.PeakRSSMB = peakRSSMB(pidList)
	if final, err := getStats(*stats); err == nil && final.Accepted > s.Accepted {
		r.Delivered = final.Accepted - base.Accepted // what went on arriving (throttled runs)
	}
	if r.Delivered > 0 {
		r.CPUmsPerMsg = r.CPUSecsTotal * 1000 / float64(r.Delivered)
	}

	b, _ := json.Marshal(r)
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		f.Write(append(b, '\n'))
		f.Close()
	}
	fmt.Fprintf(os.Stderr, "%s %s: %d sent, %d accepted (%.0f/s), errors %v, p50 %.2f ms p99 %.2f ms max %.1f ms; "+
		"%d reached the SMSC in %.2f s (%.0f msgs/s, complete %v), window %.0f/s, throttled %d; "+
		"receipts to app %d; CPU %.2f s (%.3f ms/msg), smscd %.2f s, httpload %.2f s\n",
		r.Scenario, r.Gateway, r.Sent, r.Accepted, r.HTTPRate, r.Errors, r.P50ms, r.P99ms, r.MaxMs,
		r.Delivered, r.E2ESecs, r.E2ERate, r.Complete, r.WindowRate, r.Throttled,
		r.ReceiptsApp, r.CPUSecsTotal, r.CPUmsPerMsg, r.SMSCCPUSecs, r.LoadCPUSecs)
}

// run sends the requests and returns the latencies of the accepted ones,
// the answers counted by HTTP status (or error), and how many were sent.
func run(c config, start time.Time) ([]time.Duration, map[string]int, int) {
	inflight := c.conc
	if c.rate > 0 {
		inflight = c.workers
	}
	client := &http.Client{
		Timeout: c.timeout,
		Transport: &http.Transport{
			MaxIdleConns:        inflight,
			MaxIdleConnsPerHost: inflight,
			MaxConnsPerHost:     inflight,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
	defer client.CloseIdleConnections()
	stop := start.Add(c.duration)
	ctx, cancel := context.WithDeadline(context.Background(), stop.Add(c.timeout))
	defer cancel()

	// jobs carries each request's index and the time it was due.
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, inflight)
	go func() {
		defer close(jobs)
		if c.rate <= 0 {
			for i := 0; i < c.n && time.Now().Before(stop); i++ {
				jobs <- job{i: i} // due when a worker sends it
			}
			return
		}
		interval := time.Duration(float64(time.Second) / c.rate)
		for i := 0; i < c.n; i++ {
			due := start.Add(time.Duration(i) * interval)
			if due.After(stop) {
				return
			}
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			select {
			case jobs <- job{i, due}:
			case <-ctx.Done():
				return
			}
		}
	}()

	var mu sync.Mutex
	var lat []time.Duration
	codes := map[string]int{}
	sent := 0
	var wg sync.WaitGroup
	for range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var myLat []time.Duration
			myCodes := map[string]int{}
			mySent := 0
			for j := range jobs {
				if j.due.IsZero() {
					j.due = time.Now()
				}
				mySent++
				code := send(ctx, client, c, j.i)
				myCodes[code]++
				if code == "202" || code == "200" {
					myLat = append(myLat, time.Since(j.due))
				}
			}
			mu.Lock()
			lat = append(lat, myLat...)
			for k, v := range myCodes {
				codes[k] += v
			}
			sent += mySent
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat, codes, sent
}

// send makes request i and returns its HTTP status, or a short error.
func send(ctx context.Context, client *http.Client, c config, i int) string {
	to := fmt.Sprintf("%s%04d", c.toPrefix, i%10000)
	var req *http.Request
	var err error
	if c.target == "kannel" {
		q := url.Values{"username": {c.user}, "password": {c.pass}, "to": {to}, "text": {c.text}}
		if c.dlrURL != "" {
			q.Set("dlr-mask", "3")
			q.Set("dlr-url", c.dlrURL)
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/cgi-bin/sendsms?"+q.Encode(), nil)
	} else {
		body, _ := json.Marshal(map[string]string{"to": to, "text": c.text})
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/messages", strings.NewReader(string(body)))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+c.key)
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return "err:request"
	}
	resp, err := client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return "err:timeout"
		default:
			return "err:" + shortErr(err)
		}
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode)
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func getStats(base string) (smscStats, error) {
	var s smscStats
	resp, err := http.Get(base + "/stats")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// clockTicks is the unit of utime and stime in /proc/PID/stat.
var clockTicks = func() float64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		return 100
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n <= 0 {
		return 100
	}
	return float64(n)
}()

// cpuSecs is the user and system CPU time of the processes, in seconds.
func cpuSecs(pids []int) (float64, error) {
	each, err := eachCPUSecs(pids)
	total := 0.0
	for _, s := range each {
		total += s
	}
	return total, err
}

// eachCPUSecs is the user and system CPU time of each process, in seconds.
// peakRSSMB is the sum of the processes' peak resident set (VmHWM in
// /proc/PID/status) in MB; 0 if it cannot be read.
func peakRSSMB(pids []int) float64 {
	var kb int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return 0
		}
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				kb += n
			}
		}
	}
	return float64(kb) / 1024
}

func eachCPUSecs(pids []int) ([]float64, error) {
	var secs []float64
	for _, pid := range pids {
		var ticks int64
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil, err
		}
		// The fields after the command name (which may hold spaces).
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 {
			return nil, fmt.Errorf("/proc/%d/stat: too short", pid)
		}
		for _, s := range f[11:13] { // utime, stime: fields 14 and 15
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, err
			}
			ticks += n
		}
		secs = append(secs, float64(ticks)/clockTicks)
	}
	return secs, nil
}

func parsePIDs(s string) ([]int, error) {
	var pids []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("-pids: %w", err)
		}
		pids = append(pids, n)
	}
	return pids, nil
}

func loopbackURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return ms(sorted[min(max(i, 0), len(sorted)-1)])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printReport prints the results in file as a Markdown table, then the
// ratios of smsgw to each other gateway in the same scenario.
func printReport(w io.Writer, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var rs []Result
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		rs = append(rs, r)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintln(w, "| scenario | gateway | load | accepted / sent | HTTP accepted/s | p50 | p99 | max | errors | reached SMSC | end-to-end msgs/s | in window | receipts to app | CPU ms/msg | CPU s gateway / smscd / httpload | peak RSS MB |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		errs := "none"
		if len(r.Errors) > 0 {
			var parts []string
			for k, v := range r.Errors {
				parts = append(parts, fmt.Sprintf("%s×%d", k, v))
			}
			slices.Sort(parts)
			errs = strings.Join(parts, ", ")
		}
		e2e := fmt.Sprintf("%.0f", r.E2ERate)
		if !r.Complete {
			e2e = "incomplete"
		}
		win := "—"
		if r.WindowSecs > 0 {
			win = fmt.Sprintf("%.0f/s over %.0f s", r.WindowRate, r.WindowSecs)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d / %d | %.0f | %.2f ms | %.2f ms | %.1f ms | %s | %d | %s | %s | %d | %.3f | %.1f / %.1f / %.1f | %.0f |\n",
			r.Scenario, r.Gateway, r.Mode, r.Accepted, r.Sent, r.HTTPRate, r.P50ms, r.P99ms, r.MaxMs,
			errs, r.Delivered, e2e, win, r.ReceiptsApp, r.CPUmsPerMsg, r.CPUSecsTotal, r.SMSCCPUSecs, r.LoadCPUSecs, r.PeakRSSMB)
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		if r.Gateway != "smsgw" {
			continue
		}
		for _, o := range rs {
			if o.Scenario != r.Scenario || o.Gateway == r.Gateway {
				continue
			}
			var parts []string
			if r.Complete && o.Complete && o.E2ERate > 0 {
				parts = append(parts, fmt.Sprintf("end-to-end msgs/s %.2f×", r.E2ERate/o.E2ERate))
			}
			if o.HTTPRate > 0 {
				parts = append(parts, fmt.Sprintf("HTTP accepted/s %.2f×", r.HTTPRate/o.HTTPRate))
			}
			if r.P99ms > 0 {
				parts = append(parts, fmt.Sprintf("p99 accept %.2f× lower", o.P99ms/r.P99ms))
			}
			if r.CPUmsPerMsg > 0 {
				parts = append(parts, fmt.Sprintf("CPU per message %.2f× less", o.CPUmsPerMsg/r.CPUmsPerMsg))
			}
			if r.WindowSecs > 0 && o.WindowRate > 0 {
				parts = append(parts, fmt.Sprintf("msgs/s in the window %.1f×", r.WindowRate/o.WindowRate))
			}
			fmt.Fprintf(w, "- %s, smsgw against %s: %s\n", r.Scenario, o.Gateway, strings.Join(parts, "; "))
		}
	}
	return nil
}
