package smpp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// authGate keeps binds from locking the carrier account: until the
// carrier has accepted our credentials, one bind at a time tries, and
// after it refuses them (ESME_RINVPASWD, ESME_RINVSYSID…) every bind of
// the connector waits out a hold that doubles with each refusal. Carriers
// lock an account after a few failed logins; binds that each retried on
// their own backoff made dozens a minute. Guarded by Carrier.mu.
type authGate struct {
	proven   bool      // a bind succeeded since the last refusal
	probing  bool      // a bind is being tried while not proven
	until    time.Time // no bind before
	refusals int       // refusals in a row
}

// authHoldMax caps the hold after repeated refusals (unless ReconnectMax
// is longer).
const authHoldMax = 30 * time.Minute

// authRefusal are the bind_resp statuses that say our credentials are
// wrong: trying again soon cannot help, and may lock the account.
var authRefusal = map[pdu.Status]bool{
	StatusInvPaswd: true,
	StatusInvSysID: true,
	0x53:           true, // ESME_RINVSYSTYP
}

// waitAuth returns when this bind may be tried (authGate).
func (c *Carrier) waitAuth(ctx context.Context) error {
	for {
		c.mu.Lock()
		g := &c.auth
		if g.proven {
			c.mu.Unlock()
			return nil
		}
		wait := time.Until(g.until)
		if wait <= 0 && !g.probing {
			g.probing = true
			c.mu.Unlock()
			return nil
		}
		if wait <= 0 {
			wait = 20 * time.Millisecond // another bind is trying: its outcome decides
		}
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// authResult records a bind's outcome in the authGate.
func (c *Carrier) authResult(bound bool, err error) {
	var st pdu.Status
	refused := !bound && errors.As(err, &st) && authRefusal[st]
	c.mu.Lock()
	defer c.mu.Unlock()
	g := &c.auth
	g.probing = false
	switch {
	case bound:
		g.proven, g.refusals, c.health.CredentialsRefused = true, 0, false
	case refused:
		g.refusals++
		limit := max(authHoldMax, c.o.ReconnectMax)
		hold := c.o.ReconnectMax
		for i := 1; i < g.refusals && hold < limit; i++ {
			hold *= 2
		}
		hold = min(hold, limit)
		g.proven, g.until = false, time.Now().Add(hold)
		// With its reason, in one update: a status read between two
		// would show the refusal without it.
		c.health.CredentialsRefused, c.health.LastError = true, errString(err)
		c.log.Error("the carrier refused our credentials: check system_id and password; binds paused so that the account is not locked",
			"status", fmt.Sprintf("%#x (%v)", uint32(st), st), "refusals", g.refusals, "next_try_in", hold)
	}
}
