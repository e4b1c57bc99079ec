package adminui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// pageSize is the rows of a message list page.
const pageSize = 50

// timeInput is the layout of datetime-local inputs (read as UTC).
const timeInput = "2006-01-02T15:04"

type searchView struct {
	To, State, Tenant, Since, Until string
	States                          []string
	Tenants                         []string
	Messages                        []*spool.Message
	Next                            template.URL // the next page; "" at the end
	FieldErr                        map[string]string
	Inbound                         bool
}

// messages serves GET /messages: search by recipient, state, tenant and
// time range, newest first, with cursor paging.
func (u *UI) messages(w http.ResponseWriter, r *http.Request, s *session) {
	u.search(w, r, s, spool.MT, "Messages", "messages")
}

// inbound serves GET /inbound: messages received from handsets.
func (u *UI) inbound(w http.ResponseWriter, r *http.Request, s *session) {
	u.search(w, r, s, spool.MO, "Inbound messages", "inbound")
}

func (u *UI) search(w http.ResponseWriter, r *http.Request, s *session, dir spool.Direction, title, page string) {
	q := r.URL.Query()
	sv := searchView{To: strings.TrimSpace(q.Get("to")), State: q.Get("state"), Tenant: q.Get("tenant"),
		Since: q.Get("since"), Until: q.Get("until"), Tenants: u.b.Tenants(), FieldErr: map[string]string{},
		Inbound: dir == spool.MO}
	for _, st := range spool.States() {
		if (dir == spool.MO) == (st == spool.StateReceived) {
			sv.States = append(sv.States, st.String())
		}
	}
	f := spool.Filter{Direction: dir, To: sv.To, Tenant: sv.Tenant}
	if e164, ok := u.b.Recipient(sv.Tenant, sv.To); ok && sv.To != "" {
		f.To = e164 // as typed, "(319) 555-0123": as stored, +13195550123
	}
	if sv.State != "" {
		st, err := spool.ParseState(sv.State)
		if err != nil {
			sv.FieldErr["state"] = "Unknown state."
		}
		f.State = st
	}
	var err error
	if f.Since, err = parseTimeInput(sv.Since); err != nil {
		sv.FieldErr["since"] = "Give a date and time as YYYY-MM-DDThh:mm (UTC)."
	}
	if f.Until, err = parseTimeInput(sv.Until); err != nil {
		sv.FieldErr["until"] = "Give a date and time as YYYY-MM-DDThh:mm (UTC)."
	}
	v := u.view(r, s, title, page)
	status := http.StatusOK
	if len(sv.FieldErr) == 0 {
		p, err := u.b.List(f, q.Get("cursor"), pageSize)
		if err != nil {
			v.Error, status = "The search failed: "+err.Error(), http.StatusBadRequest
		}
		sv.Messages = p.Messages
		if p.Next != "" {
			nq := url.Values{}
			for _, k := range []string{"to", "state", "tenant", "since", "until"} {
				if x := q.Get(k); x != "" {
					nq.Set(k, x)
				}
			}
			nq.Set("cursor", p.Next)
			sv.Next = template.URL(u.o.Prefix + "/" + page + "?" + nq.Encode()) // built from url.Values: safe
		}
	} else {
		v.Error, status = "Some search fields need correcting.", http.StatusBadRequest
	}
	v.Data = sv
	u.render(w, status, page, v)
}

func parseTimeInput(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(timeInput, s)
}

type messageView struct {
	M         *spool.Message
	CanRetry  bool
	CanCancel bool
	Created   time.Time
	SentParts int // of a queued message: parts already handed over
}

// messageDetail serves GET /messages/{id}: the message, its timeline
// and its segments, with Retry and Cancel for operators.
func (u *UI) messageDetail(w http.ResponseWriter, r *http.Request, s *session) {
	m, err := u.b.Get(r.PathValue("id"))
	if errors.Is(err, spool.ErrNotFound) {
		u.errorPage(w, r, s, http.StatusNotFound, "Message not found", "There is no message with this id (it may have been purged by retention).")
		return
	}
	if err != nil {
		u.errorPage(w, r, s, http.StatusInternalServerError, "Message not readable", err.Error())
		return
	}
	mv := messageView{M: m, Created: m.CreatedAt()}
	if m.Direction == spool.MT {
		switch m.State {
		case spool.StateQueued:
			// A scheduled message not tried yet is not sent before its
			// time (spool.Store.Retry refuses it).
			mv.CanRetry = !scheduledUntried(m)
			mv.CanCancel = true
		case spool.StateAccepted:
			mv.CanCancel = true
		case spool.StateFailed, spool.StateExpired, spool.StateUndelivered, spool.StateRejected:
			mv.CanRetry = !m.Redacted
		}
	}
	v := u.view(r, s, "Message "+m.ID, "messages")
	if m.Direction == spool.MO {
		v.Nav = "inbound"
	}
	v.Data = mv
	u.render(w, http.StatusOK, "message", v)
}

// scheduledUntried says whether m waits for its send time, never tried.
func scheduledUntried(m *spool.Message) bool {
	return m.State == spool.StateQueued && m.Attempts == 0 && m.SendAt.After(time.Now())
}

// retry serves POST /messages/{id}/retry and shows the message that
// will be sent (a new one when the first had failed).
func (u *UI) retry(w http.ResponseWriter, r *http.Request, s *session) {
	if m, err := u.b.Get(r.PathValue("id")); err == nil && scheduledUntried(m) {
		// "Retry now" would send it hours early.
		u.actionFailed(w, r, s, "Retry refused", fmt.Errorf("%w: this message is scheduled for %s and has not been tried yet; "+
			"it goes then (cancel it to stop it; `smsgw spool retry` sends it now)", spool.ErrInvalid, m.SendAt.UTC().Format(time.RFC3339)))
		return
	}
	m, err := u.b.Retry(r.Context(), r.PathValue("id"), s.actor())
	if err != nil {
		u.actionFailed(w, r, s, "Retry refused", err)
		return
	}
	u.log.Info("admin retry", "user", s.user, "msg_id", r.PathValue("id"), "as", m.ID)
	http.Redirect(w, r, u.o.Prefix+"/messages/"+url.PathEscape(m.ID)+"?notice=retried", http.StatusSeeOther)
}

// cancel serves POST /messages/{id}/cancel: first a page that asks to
// confirm (a cancel cannot be undone), then, with confirm=yes, the cancel.
func (u *UI) cancel(w http.ResponseWriter, r *http.Request, s *session) {
	if r.PostFormValue("confirm") != "yes" {
		m, err := u.b.Get(r.PathValue("id"))
		if err != nil {
			u.actionFailed(w, r, s, "Cancel refused", err)
			return
		}
		v := u.view(r, s, "Cancel message "+m.ID, "messages")
		v.Data = messageView{M: m, SentParts: m.SentParts()}
		u.render(w, http.StatusOK, "cancel", v)
		return
	}
	m, err := u.b.Cancel(r.Context(), r.PathValue("id"), s.actor())
	if err != nil {
		u.actionFailed(w, r, s, "Cancel refused", err)
		return
	}
	u.log.Info("admin cancel", "user", s.user, "msg_id", m.ID)
	http.Redirect(w, r, u.o.Prefix+"/messages/"+url.PathEscape(m.ID)+"?notice=cancelled", http.StatusSeeOther)
}

func (u *UI) actionFailed(w http.ResponseWriter, r *http.Request, s *session, title string, err error) {
	status := http.StatusConflict
	switch {
	case errors.Is(err, spool.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, spool.ErrInvalid):
		status = http.StatusUnprocessableEntity
	}
	v := u.view(r, s, title, "messages")
	v.Error = strings.TrimPrefix(strings.ReplaceAll(err.Error(), "spool: ", ""), "invalid message: ")
	if status != http.StatusNotFound {
		v.Back = u.o.Prefix + "/messages/" + url.PathEscape(r.PathValue("id"))
	}
	u.render(w, status, "error", v)
}
