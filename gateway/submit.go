package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"

	"github.com/smsgw/smsgw/configs"
	smspdu "github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/smpp"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// Submit is the one way in for messages from applications (HTTP, SMPP,
// the CLI and the admin UI): the tenant's policy (numbers, sender,
// countries, opt-out, quota), the encoding plan (encoding and segment
// count), then the spool. It returns once the message is on disk.
func (g *Gateway) Submit(ctx context.Context, m *spool.Message) (*spool.Message, bool, error) {
	d, err := g.policy.Check(ctx, policy.Submission{Tenant: m.Tenant, From: m.From, To: m.To, Priority: m.Priority, Callback: m.Callback,
		Source: m.Source, SourceAddr: m.SourceAddr})
	if err != nil {
		return nil, false, err
	}
	m = m.Clone()
	m.To, m.From = d.To, d.From
	if err := plan(m); err != nil {
		g.policy.Release(d)
		return nil, false, err
	}
	stored, replayed, err := g.store.Enqueue(ctx, m)
	if err != nil || replayed {
		g.policy.Release(d) // nothing new was accepted
	}
	if err == nil && !replayed {
		g.metrics.accepted(stored)
	}
	return stored, replayed, err
}

// plan sets the encoding and segment count of m, as the connectors will
// send it (GSM 7-bit when the text allows, else UCS-2; "ucs2" asked for
// by the submitter is kept). A text with a UDH goes in one part after it.
func plan(m *spool.Message) error {
	if m.Binary != nil {
		var udh smspdu.UDH
		if len(m.UDH) > 0 { // binary without a header is binary too
			u, err := smspdu.ParseUDH(m.UDH)
			if err != nil {
				return fmt.Errorf("%w: udh: %v", spool.ErrInvalid, err)
			}
			udh = u
		}
		p, err := smspdu.PlanBinary(m.Binary, udh, false)
		if err != nil {
			return fmt.Errorf("%w: binary: %v", spool.ErrInvalid, err)
		}
		m.Encoding, m.Segments = "8bit", p.Segments
		return nil
	}
	o := smspdu.Options{}
	if m.Encoding == "ucs2" {
		o.Encoding = smspdu.UCS2
	}
	if len(m.UDH) > 0 {
		// Text after the caller's header: one part, as the caller made it
		// (a part of a message it split itself, a text to a port).
		udh, err := smspdu.ParseUDH(m.UDH)
		if err != nil {
			return fmt.Errorf("%w: udh: %v", spool.ErrInvalid, err)
		}
		p, _, err := smspdu.TextWithUDH(m.Body, udh, o, smspdu.NoClass)
		if err != nil {
			return fmt.Errorf("%w: udh: the text after it: %v", spool.ErrInvalid, err)
		}
		m.Encoding, m.Segments = p.Encoding.String(), p.Segments
		return nil
	}
	p, err := smspdu.PlanText(m.Body, o)
	if err != nil {
		return fmt.Errorf("%w: text: %v", spool.ErrInvalid, err)
	}
	m.Encoding, m.Segments = p.Encoding.String(), p.Segments
	return nil
}

// Check says whether m would be accepted, without storing it (the SMPP
// server asks before holding a part of a long message).
func (g *Gateway) Check(ctx context.Context, m *spool.Message) error {
	return check(ctx, g.policy, m)
}

// check asks p whether m would be accepted, reserving nothing.
func check(ctx context.Context, p *policy.Policy, m *spool.Message) error {
	d, err := p.Check(ctx, policy.Submission{Tenant: m.Tenant, From: m.From, To: m.To, Priority: m.Priority, Callback: m.Callback,
		Source: m.Source, SourceAddr: m.SourceAddr})
	if err == nil {
		p.Release(d)
	}
	return err
}

// Retry sends a message again (spool.Store.Retry). A final message is
// sent again as a new message, so the tenant's rules are asked first, as
// for any new message: a recipient who opted out since, or a country no
// longer allowed, refuses the retry with the policy's error.
func (g *Gateway) Retry(ctx context.Context, id, actor string) (*spool.Message, error) {
	return retry(ctx, g.store, func() (*policy.Policy, error) { return g.policy, nil }, id, actor)
}

// RetryOffline is Retry for a stopped gateway, on its spool opened by the
// caller: the tenant's rules come from the gateway's configuration, which
// config loads, so that a final message is asked about as the running
// gateway would ask. config is called only for a final message; its
// error refuses the retry.
func RetryOffline(ctx context.Context, store *spool.Store, config func() (*configs.Config, error), id, actor string) (*spool.Message, error) {
	return retry(ctx, store, func() (*policy.Policy, error) {
		cfg, err := config()
		if err != nil {
			return nil, fmt.Errorf("sending %s again asks the tenant's rules, from the configuration: %w", id, err)
		}
		return policy.New(store, policyTenants(cfg), policy.Options{Now: store.Now})
	}, id, actor)
}

func retry(ctx context.Context, store *spool.Store, rules func() (*policy.Policy, error), id, actor string) (*spool.Message, error) {
	m, err := store.Get(id)
	if err != nil {
		return nil, err
	}
	if m.Resendable() { // a new message: the tenant's rules of today apply
		p, err := rules()
		if err != nil {
			return nil, err
		}
		if err := check(ctx, p, m); err != nil {
			return nil, err
		}
	}
	return store.Retry(ctx, id, actor)
}

// Vendor-specific command_status values (SMPP 3.4 5.1.3 leaves
// 0x400-0x4FF to SMSC vendors) for refusals SMPP has no word for.
const (
	StatusSuppressed    pdu.Status = 0x0401 // the recipient opted out
	StatusQuotaExceeded pdu.Status = 0x0402 // the tenant's daily quota is used up
	StatusNotAllowed    pdu.Status = 0x0403 // the destination country is not allowed
)

// smppStatus maps a policy refusal to command_status.
var smppStatus = map[string]pdu.Status{
	policy.CodeInvalidRecipient:  smpp.StatusInvDstAdr,
	policy.CodeCountryNotAllowed: StatusNotAllowed,
	policy.CodeInvalidSender:     smpp.StatusInvSrcAdr,
	policy.CodeSenderNotAllowed:  smpp.StatusInvSrcAdr,
	policy.CodeSuppressed:        StatusSuppressed,
	policy.CodeQuotaExceeded:     StatusQuotaExceeded,
}

// smppError carries a policy refusal's command_status.
type smppError struct {
	error
	st pdu.Status
}

func (e smppError) SMPPStatus() pdu.Status { return e.st }
func (e smppError) Unwrap() error          { return e.error }

func asSMPP(err error) error {
	var pe *policy.Error
	if errors.As(err, &pe) {
		if st, ok := smppStatus[pe.Code]; ok {
			return smppError{err, st}
		}
	}
	return err
}

// smppIngress is the gateway as the SMPP server's Submitter and Checker.
type smppIngress struct{ g *Gateway }

func (s smppIngress) Submit(ctx context.Context, m *spool.Message) (*spool.Message, error) {
	start := time.Now()
	stored, _, err := s.g.Submit(ctx, m)
	s.g.metrics.submit.WithLabelValues("smpp").Observe(time.Since(start).Seconds())
	return stored, asSMPP(err)
}

func (s smppIngress) Check(ctx context.Context, m *spool.Message) error {
	return asSMPP(s.g.Check(ctx, m))
}

var (
	_ smpp.Submitter = smppIngress{}
	_ smpp.Checker   = smppIngress{}
)

// Get, List and Cancel are the spool's, for the HTTP API.
func (g *Gateway) Get(id string) (*spool.Message, error) { return g.store.Get(id) }

// Recipient implements httpapi.Backend.
func (g *Gateway) Recipient(tenant, raw string) (string, bool) {
	return g.policy.Recipient(tenant, raw)
}

// List implements httpapi.Backend.
func (g *Gateway) List(f spool.Filter, cursor string, limit int) (spool.Page, error) {
	return g.store.List(f, cursor, limit)
}

// Cancel implements httpapi.Backend.
func (g *Gateway) Cancel(ctx context.Context, id, actor string) (*spool.Message, error) {
	return g.store.Cancel(ctx, id, actor)
}

// receiverBound makes what the spool owes an SMPP account due now, when
// the account binds to receive (the SMPP server's OnReceiver): a CAD
// system that reconnects gets the callers' texts and the receipts queued
// while it was away at once, not at each item's next retry.
func (g *Gateway) receiverBound(systemID string) {
	target := "smpp:" + systemID
	g.dueNow("SMPP account "+systemID, func(it *spool.OutboxItem) bool { return it.Target == target })
}

// dueNow makes the outbox items owed to an application that is back
// (who), those match says, due now, not at their next retry.
func (g *Gateway) dueNow(who string, match func(*spool.OutboxItem) bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := g.store.OutboxDueNow(ctx, match)
	switch {
	case err != nil:
		g.log.Warn("could not make the items owed to an application that is back due; they go at their next retry",
			"to", who, "err", err)
	case n > 0:
		g.log.Info("items owed to an application that is back go now", "to", who, "items", n)
	}
}
