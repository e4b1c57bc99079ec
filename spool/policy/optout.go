package policy

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/smsgw/smsgw/spool"
)

// Action is what an inbound message asked for.
type Action string

// The inbound actions.
const (
	ActionNone    Action = "none"    // not a keyword: an ordinary inbound message
	ActionStop    Action = "stop"    // stop messages from the line written to
	ActionStopAll Action = "stopall" // stop messages from every line of the tenant
	ActionStart   Action = "start"   // lift the stop on that line (and any stop-all)
	ActionHelp    Action = "help"    // send the help text
)

// InboundAction is what Inbound did with an inbound message.
type InboundAction struct {
	Action    Action
	Keyword   string // the word matched, upper case ("" for none)
	Language  string // the keyword's language ("en", "es")
	Recipient string // the handset, E.164
	Line      string // the tenant's number or id it wrote to, canonical ("" unknown)
	Reply     string // the text to send back to Recipient from Line ("" none)
}

// Inbound looks at an inbound message from a handset (from) to one of the
// tenant's lines (to). When the whole message is one of the tenant's
// keywords (keywordOf) it updates the suppression list, on disk and audited, before
// returning, and says what to reply. Other messages give ActionNone. A
// STOP to a line that cannot be read (not a number, short code or
// alphanumeric id) stops every line.
func (p *Policy) Inbound(ctx context.Context, tenant, from, to, text string) (InboundAction, error) {
	r, err := p.tenant(tenant)
	if err != nil {
		return InboundAction{Action: ActionNone}, err
	}
	word := keywordOf(text)
	kw, ok := r.keywords[word]
	if !ok {
		return InboundAction{Action: ActionNone}, nil
	}
	a := InboundAction{Action: kw.action, Keyword: word, Language: kw.lang}
	rcpt, why := parseNumberCached(from, r.DefaultRegion, false)
	if why != "" {
		return InboundAction{Action: ActionNone}, fmt.Errorf("policy: %s from %s: %w", word, quote(from),
			refuse(CodeInvalidRecipient, "from", "sender of the inbound message: %s", why))
	}
	a.Recipient = rcpt.e164
	if line, _, err := NormaliseSender(to, r.DefaultRegion); err == nil {
		a.Line = line
	}
	texts := r.OptOut.Keywords[kw.lang]
	e := spool.AuditEntry{Actor: "mo:" + a.Recipient, Tenant: r.ID}
	switch kw.action {
	case ActionHelp:
		a.Reply = first(texts.HelpText, r.OptOut.HelpText)
		return a, nil
	case ActionStop, ActionStopAll:
		a.Reply = first(texts.StopText, r.OptOut.StopText)
		line := lineKey(a.Line)
		if kw.action == ActionStopAll || line == "" {
			line = allLines
		}
		e.Action, e.Detail = "suppress", fmt.Sprintf("%s to %s: %s opted out of %s", word, lineName(a.Line), a.Recipient, lineName(line))
		_, err = p.supp.change(ctx, p.store, r.ID, a.Recipient, e, addLine(line, e.Actor, word, p.opts.Now()))
	case ActionStart:
		a.Reply = first(texts.StartText, r.OptOut.StartText)
		var lines []string // nil: every entry, when the line is unknown
		if a.Line != "" {
			lines = []string{lineKey(a.Line), allLines}
		}
		e.Action, e.Detail = "unsuppress", fmt.Sprintf("%s to %s: %s opted back in", word, lineName(a.Line), a.Recipient)
		_, err = p.supp.change(ctx, p.store, r.ID, a.Recipient, e, removeLines(lines))
	}
	return a, err
}

// Suppress puts recipient on the tenant's suppression list for line (""
// means every line), on disk and audited, as an operator asks (actor
// "ui:ana", "cli"; reason is their note).
func (p *Policy) Suppress(ctx context.Context, tenant, recipient, line, actor, reason string) error {
	r, rcpt, key, err := p.target(tenant, recipient, line)
	if err != nil {
		return err
	}
	if key == "" {
		key = allLines
	}
	e := spool.AuditEntry{Action: "suppress", Actor: actor, Tenant: r.ID,
		Detail: fmt.Sprintf("%s suppressed for %s: %s", rcpt, lineName(key), reason)}
	_, err = p.supp.change(ctx, p.store, r.ID, rcpt, e, addLine(key, actor, reason, p.opts.Now()))
	return err
}

// Unsuppress lifts recipient's suppression for line (and any stop of all
// lines); line "" lifts every suppression of recipient. On disk and
// audited.
func (p *Policy) Unsuppress(ctx context.Context, tenant, recipient, line, actor string) error {
	r, rcpt, key, err := p.target(tenant, recipient, line)
	if err != nil {
		return err
	}
	var lines []string
	if key != "" {
		lines = []string{key, allLines}
	}
	e := spool.AuditEntry{Action: "unsuppress", Actor: actor, Tenant: r.ID,
		Detail: fmt.Sprintf("%s unsuppressed for %s", rcpt, lineName(key))}
	_, err = p.supp.change(ctx, p.store, r.ID, rcpt, e, removeLines(lines))
	return err
}

// Suppressed lists the tenant's suppression list, by recipient then line.
func (p *Policy) Suppressed(tenant string) []Suppression { return p.supp.list(tenant) }

// target resolves an operator's tenant, recipient and line.
func (p *Policy) target(tenant, recipient, line string) (*rules, string, string, error) {
	r, err := p.tenant(tenant)
	if err != nil {
		return nil, "", "", err
	}
	n, rerr := normaliseRecipient(recipient, r.DefaultRegion, false)
	if rerr != nil {
		return nil, "", "", rerr
	}
	if line == "" {
		return r, n.e164, "", nil
	}
	l, _, err := NormaliseSender(line, r.DefaultRegion)
	if err != nil {
		return nil, "", "", err
	}
	return r, n.e164, lineKey(l), nil
}

// addLine is an edit that adds a line entry (an existing one stays).
func addLine(line, by, reason string, now time.Time) func(map[string]lineEntry) bool {
	return func(lines map[string]lineEntry) bool {
		if _, ok := lines[line]; ok {
			return false
		}
		lines[line] = lineEntry{At: now.UTC().Truncate(time.Millisecond), By: by, Reason: reason}
		return true
	}
}

// removeLines is an edit that removes lines (nil: all of them).
func removeLines(keys []string) func(map[string]lineEntry) bool {
	return func(lines map[string]lineEntry) bool {
		n := len(lines)
		if keys == nil {
			clear(lines)
		}
		for _, k := range keys {
			delete(lines, k)
		}
		return len(lines) != n
	}
}

// lineKey is how lines are compared: alphanumeric ids ignore case.
func lineKey(line string) string { return strings.ToUpper(line) }

// firstWord is the first word of text, upper case, without the
// punctuation people add ("Stop." "STOP!").
// keywordOf is the keyword a message may be: the whole text, upper
// case, with the spaces, punctuation and symbols around it removed
// ("  stop. " is STOP); "" when anything else is left, such as a second
// word. Only a message that is the keyword alone counts, as with Twilio's
// and the carriers' opt-out handling: on a 911 line "Stop he is hurting
// me" or "Help at 5th street" is a caller's message, never a request to
// opt out or for the help text.
func keywordOf(text string) string {
	w := strings.TrimFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	if strings.IndexFunc(w, unicode.IsSpace) >= 0 {
		return ""
	}
	return strings.ToUpper(w)
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
