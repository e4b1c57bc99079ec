package adminui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/smsgw/smsgw/spool"
)

type sendView struct {
	To, Text, From, Tenant, Priority string
	Note                             string // a word above the form (a draft brought back after a new login)
	Tenants                          []string
	Priorities                       []string
	FieldErr                         map[string]string
}

// sendForm serves GET /send (operators).
func (u *UI) sendForm(w http.ResponseWriter, r *http.Request, s *session) {
	u.renderSend(w, r, s, http.StatusOK, sendView{Priority: "normal", FieldErr: map[string]string{}}, "")
}

func (u *UI) renderSend(w http.ResponseWriter, r *http.Request, s *session, status int, sv sendView, msg string) {
	sv.Tenants = u.b.Tenants()
	for _, p := range []spool.Priority{spool.PriorityNormal, spool.PriorityHigh, spool.PriorityEmergency} {
		sv.Priorities = append(sv.Priorities, p.String())
	}
	v := u.view(r, s, "Send a message", "send")
	v.Error, v.Data = msg, sv
	u.render(w, status, "send", v)
}

// fielder is a refusal that names the field at fault (the tenant
// policy's errors).
type fielder interface{ ErrorField() string }

// send serves POST /send: the message goes through the same policy and
// spool as the API's, with source ui:<user>.
func (u *UI) send(w http.ResponseWriter, r *http.Request, s *session) {
	sv := sendView{To: strings.TrimSpace(r.PostFormValue("to")), Text: r.PostFormValue("text"),
		From: strings.TrimSpace(r.PostFormValue("from")), Tenant: r.PostFormValue("tenant"),
		Priority: r.PostFormValue("priority"), FieldErr: map[string]string{}}
	prio, err := spool.ParsePriority(sv.Priority)
	if err != nil {
		sv.FieldErr["priority"] = "Choose normal, high or emergency."
	}
	if sv.To == "" {
		sv.FieldErr["to"] = "Give the recipient's number."
	}
	if strings.TrimSpace(sv.Text) == "" {
		sv.FieldErr["text"] = "Write the message." // spaces alone would go out as a blank SMS
	}
	if sv.Tenant == "" {
		sv.FieldErr["tenant"] = "Choose a tenant."
	}
	if len(sv.FieldErr) > 0 {
		u.renderSend(w, r, s, http.StatusUnprocessableEntity, sv, "The message was not sent: some fields need correcting.")
		return
	}
	m := &spool.Message{Tenant: sv.Tenant, Direction: spool.MT, To: sv.To, From: sv.From, Body: sv.Text,
		Priority: prio, ReportReq: true, Source: s.actor(), SourceAddr: u.o.Proxies.Addr(r)}
	stored, err := u.b.Submit(r.Context(), m)
	if err != nil {
		var fe fielder
		field := ""
		if errors.As(err, &fe) {
			field = fe.ErrorField()
		}
		msg := strings.TrimPrefix(strings.ReplaceAll(err.Error(), "spool: ", ""), "invalid message: ")
		if field == "" && errors.Is(err, spool.ErrInvalid) && strings.HasPrefix(msg, "text:") {
			field = "text" // too long for 255 parts, not encodable
		}
		switch field {
		case "to", "from", "text", "tenant", "priority":
			sv.FieldErr[field] = msg
		}
		status := http.StatusUnprocessableEntity
		if errors.Is(err, spool.ErrSpoolFull) {
			status = http.StatusServiceUnavailable
		}
		u.renderSend(w, r, s, status, sv, "The message was not sent: "+msg)
		return
	}
	u.log.Info("admin send", "user", s.user, "msg_id", stored.ID, "tenant", stored.Tenant, "priority", stored.Priority)
	http.Redirect(w, r, u.o.Prefix+"/messages/"+url.PathEscape(stored.ID)+"?notice=sent", http.StatusSeeOther)
}
