package adminui

import (
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// refreshSeconds is the dashboard's reload interval when the user turns
// auto-refresh on.
const refreshSeconds = 30

type dashboardView struct {
	Connectors []Connector
	Queue      []queueRow
	Stats      spool.Stats
	StatsErr   string
	Chart      chart
	Failures   []*spool.Message
	FailErr    string
	AutoOn     bool
	Now        time.Time
	Unready    string // why the gateway cannot send now ("" when it can)
	Full       string // why it takes emergency messages only ("" when it takes all)
	// ClockBehind is how far the system clock is behind the spool's.
	ClockBehind time.Duration
}

type queueRow struct {
	Priority string
	Waiting  int64
	Oldest   time.Duration // how long the longest-waiting message has waited to go; 0: none
}

// failedStates are the outcomes the dashboard lists as failures.
var failedStates = []spool.State{spool.StateFailed, spool.StateUndelivered, spool.StateRejected, spool.StateExpired}

// dashboard serves GET /: connectors, queue, activity, recent failures.
func (u *UI) dashboard(w http.ResponseWriter, r *http.Request, s *session) {
	now := u.o.Now().UTC()
	d := dashboardView{Connectors: u.b.Connectors(r.Context()), Now: now, AutoOn: r.URL.Query().Get("refresh") == "on"}
	if err := u.b.Ready(r.Context()); errors.Is(err, spool.ErrSpoolFull) {
		d.Full = err.Error()
	} else if err != nil {
		d.Unready = err.Error()
	}
	st, err := u.b.Stats()
	if err != nil {
		d.StatsErr = err.Error()
	}
	d.Stats = st
	d.ClockBehind = time.Duration(st.ClockBehindMS) * time.Millisecond
	for _, p := range spool.Priorities() {
		d.Queue = append(d.Queue, queueRow{Priority: p.String(), Waiting: st.Queued[p.String()],
			Oldest: time.Duration(st.OldestDue[p.String()]) * time.Millisecond})
	}
	d.Chart = newChart(u.b.Activity())
	d.Failures, err = u.recentFailures(now.Add(-time.Hour))
	if err != nil {
		d.FailErr = err.Error()
	}
	v := u.view(r, s, "Dashboard", "dashboard")
	if d.AutoOn {
		v.Refresh = refreshSeconds
	}
	v.Data = d
	u.render(w, http.StatusOK, "dashboard", v)
}

// recentFailures lists the messages that reached a failed state since
// then, newest first (at most 50).
func (u *UI) recentFailures(since time.Time) ([]*spool.Message, error) {
	var out []*spool.Message
	for _, st := range failedStates {
		page, err := u.b.List(spool.Filter{State: st, Direction: spool.MT}, "", 50)
		if err != nil {
			return out, err
		}
		for _, m := range page.Messages {
			if !m.UpdatedAt.Before(since) {
				out = append(out, m)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	if len(out) > 50 {
		out = out[:50]
	}
	return out, nil
}
