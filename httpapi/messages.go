package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/smsgw/smsgw/spool"
)

// List limits.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// listMessages serves GET /api/v1/messages (sent messages).
func (a *API) listMessages(w http.ResponseWriter, r *http.Request, c *caller) {
	a.list(w, r, c, spool.MT)
}

// listInbound serves GET /api/v1/inbound (received messages).
func (a *API) listInbound(w http.ResponseWriter, r *http.Request, c *caller) {
	a.list(w, r, c, spool.MO)
}

func (a *API) list(w http.ResponseWriter, r *http.Request, c *caller, dir spool.Direction) {
	q := r.URL.Query()
	f, from, cursor, limit, err := parseListQuery(q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	f.Tenant, f.Direction = c.key.Tenant, dir
	// Numbers as the client writes them, as a submit takes them; an
	// alphanumeric sender stays as given.
	if e164, ok := a.b.Recipient(f.Tenant, f.To); ok {
		f.To = e164
	}
	if e164, ok := a.b.Recipient(f.Tenant, from); ok {
		from = e164
	}
	page, err := a.b.List(f, cursor, limit)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := Page{Messages: []Message{}, NextCursor: page.Next}
	for _, m := range page.Messages {
		if m.Tenant != c.key.Tenant || (from != "" && m.From != from) {
			continue
		}
		out.Messages = append(out.Messages, toJSON(m, view{owner: c.actor()}))
	}
	writeJSON(w, http.StatusOK, out)
}

// listParams are the query parameters of the lists.
var listParams = []string{"status", "to", "from", "since", "until", "limit", "cursor"}

// parseListQuery reads status, to, from, since, until, limit and cursor.
// The spool filters by all but from, which is applied to each page.
func parseListQuery(q url.Values) (f spool.Filter, from, cursor string, limit int, err error) {
	bad := func(field, format string, args ...any) error {
		return apiErr(http.StatusUnprocessableEntity, "invalid_request", field, format, args...)
	}
	for k := range q { // a typo ("state=failed") must not list everything
		if !slices.Contains(listParams, k) {
			return f, "", "", 0, bad(k, "unknown query parameter %s (known: %s)", k, strings.Join(listParams, ", "))
		}
	}
	if s := q.Get("status"); s != "" {
		if f.State, err = spool.ParseState(s); err != nil {
			return f, "", "", 0, bad("status", "unknown status %q", s)
		}
	}
	f.To, from = addr(q.Get("to")), addr(q.Get("from"))
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := q.Get(t.name); s != "" {
			if *t.dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return f, "", "", 0, bad(t.name, "%s must be an RFC 3339 time", t.name)
			}
		}
	}
	limit = defaultLimit
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			return f, "", "", 0, bad("limit", "limit must be a positive number (at most %d)", maxLimit)
		}
		limit = min(limit, maxLimit)
	}
	cursor = q.Get("cursor")
	if cursor != "" {
		if _, err := ulid.ParseStrict(cursor); err != nil {
			return f, "", "", 0, bad("cursor", "not a cursor this API gave")
		}
	}
	return f, from, cursor, limit, nil
}

// addr undoes a query string's "+" → " " on a number: "?to=+1319…"
// written without %2B arrives as " 1319…".
func addr(s string) string {
	if strings.HasPrefix(s, " ") {
		return "+" + strings.TrimSpace(s)
	}
	return strings.TrimSpace(s)
}

// getMessage serves GET /api/v1/messages/{id}: the message with its
// timeline and parts.
func (a *API) getMessage(w http.ResponseWriter, r *http.Request, c *caller) {
	m, err := a.owned(r.PathValue("id"), c)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(m, view{full: true, owner: c.actor()}))
}

// cancel serves DELETE /api/v1/messages/{id}.
func (a *API) cancel(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	if _, err := a.owned(id, c); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.b.Cancel(r.Context(), id, c.actor())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(m, view{full: true, owner: c.actor()}))
}

// owned returns the message if it belongs to the caller's tenant; another
// tenant's message is not found, exactly like a missing one.
func (a *API) owned(id string, c *caller) (*spool.Message, error) {
	if _, err := ulid.ParseStrict(id); err != nil {
		return nil, spool.ErrNotFound
	}
	m, err := a.b.Get(id)
	if err != nil {
		if errors.Is(err, spool.ErrNotFound) {
			return nil, spool.ErrNotFound
		}
		return nil, err
	}
	if m.Tenant != c.key.Tenant {
		return nil, spool.ErrNotFound
	}
	return m, nil
}
