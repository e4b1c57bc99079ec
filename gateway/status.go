package gateway

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smsgw/smsgw/httpapi"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// connectorStatus is each connector's health as the API shows it.
func (g *Gateway) connectorStatus() []httpapi.ConnectorStatus {
	var out []httpapi.ConnectorStatus
	routed := map[string]route.Health{}
	for _, h := range g.router.Health() {
		routed[h.Name] = h
	}
	for _, c := range g.conns {
		cs := httpapi.ConnectorStatus{Name: c.name, Type: c.typ, Enabled: c.enabled.Load(), Info: map[string]string{}}
		switch {
		case c.carrier != nil:
			h := c.carrier.Health()
			cs.Ready = c.carrier.Ready()
			cs.State = "connecting"
			if h.Bound > 0 {
				cs.State = "bound"
			}
			cs.Detail = h.LastError
			cs.Since = httpapi.Time{Time: h.LastBind}
			cs.Info["binds"] = fmt.Sprintf("%d/%d", h.Bound, h.Wanted)
			cs.Info["in_flight"] = strconv.Itoa(h.InFlight)
			cs.Info["bind_failures"] = strconv.FormatInt(h.BindFailures, 10)
			cs.Info["throttled"] = strconv.FormatInt(h.Throttled, 10)
			cs.Info["possible_duplicates"] = strconv.FormatInt(h.PossibleDuplicates, 10)
			if h.CredentialsRefused {
				cs.Info["credentials_refused"] = "true" // binds held: docs/smpp.md
			}
		case c.modem != nil:
			h := c.modem.Health()
			cs.Ready = c.modem.Ready()
			cs.State = h.Registration.String()
			if !h.Open {
				cs.State = "closed"
			}
			cs.Detail = h.LastError
			cs.Since = httpapi.Time{Time: h.Since}
			if h.SignalDBm != 0 {
				cs.Info["signal_dbm"] = strconv.Itoa(h.SignalDBm)
			}
			cs.Info["operator"] = h.Operator
			cs.Info["sim"] = h.SIM
			cs.Info["port"] = h.Port
			if h.Routing != "" {
				cs.Info["routing"] = h.Routing // "none": inbound is polled (docs/modems.md)
			}
			if h.SIMRefused > 0 {
				cs.Info["sim_refused"] = strconv.FormatInt(h.SIMRefused, 10)
			}
			if h.SIMHeldUntil.After(g.store.Now()) {
				cs.Info["sim_held_until"] = h.SIMHeldUntil.UTC().Format(httpapi.TimeFormat)
			}
		}
		if !cs.Enabled {
			// Never used (enabled: false); one that was never started
			// is not "connecting" or "closed" either.
			cs.Ready = false
			if cs.State == "connecting" || cs.State == "closed" {
				cs.State = "disabled"
			}
		}
		if h := routed[c.name]; !h.FailingUntil.IsZero() {
			// Bound or registered, yet every send fails: out of its
			// routes for a while (route's breaker).
			cs.Ready, cs.State = false, "failing"
			cs.Detail = fmt.Sprintf("sends keep failing (last: %s); the routes' other connectors take its traffic until %s",
				h.LastError, h.FailingUntil.Format(time.RFC3339))
		}
		out = append(out, cs)
	}
	return out
}

// Status implements httpapi.Backend.
func (g *Gateway) Status(ctx context.Context) httpapi.Status {
	st := httpapi.Status{Version: g.o.Version, Connectors: g.connectorStatus()}
	if t := g.started.Load(); t != nil {
		st.Started = httpapi.Time{Time: *t}
	}
	if s, err := g.store.Stats(); err == nil {
		st.Queue, st.OldestDueMS, st.Outbox = s.Queued, s.OldestDue, s.Outbox
		if s.ClockBehindMS > 0 || s.ClockSteps > 0 {
			st.Clock = &httpapi.ClockInfo{BehindS: float64(s.ClockBehindMS) / 1000, Steps: s.ClockSteps,
				LastStepS: float64(s.LastClockStepMS) / 1000}
		}
	}
	return st
}

// ProbeSpool writes to the spool and waits for the fsync: the proof of
// life systemd's watchdog asks for.
func (g *Gateway) ProbeSpool(ctx context.Context) error {
	if err := g.store.SaveState(ctx, "gateway/alive", []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil {
		return fmt.Errorf("the spool does not take writes: %w", err)
	}
	return nil
}

// Ready implements httpapi.Backend: the spool takes writes and at least
// one enabled connector can send.
func (g *Gateway) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := g.ProbeSpool(ctx); err != nil {
		return err
	}
	usable, unusable := g.router.Usable()
	switch {
	case len(usable) > 0:
		if err := g.store.Room(spool.PriorityEmergency); err != nil {
			return fmt.Errorf("the spool takes no messages, emergency ones included: %w", err)
		}
		if err := g.store.Room(spool.PriorityNormal); err != nil {
			return fmt.Errorf("the spool takes emergency messages only: %w", err)
		}
		return nil
	case len(unusable) == 0:
		return errors.New("no routes are configured")
	}
	return fmt.Errorf("no route is usable: no enabled connector of %s is ready (bound or registered)",
		strings.Join(unusable, ", "))
}
