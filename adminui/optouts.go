package adminui

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/smsgw/smsgw/spool/policy"
)

type optoutView struct {
	Tenant    string
	Tenants   []string
	List      []policy.Suppression
	Recipient string // the add form, kept after a refusal
	Line      string
	Reason    string
	FormErr   string
}

// optouts serves GET /optouts: a tenant's suppression list, with the
// add and remove forms for admins.
func (u *UI) optouts(w http.ResponseWriter, r *http.Request, s *session) {
	u.renderOptouts(w, r, s, http.StatusOK, optoutView{Tenant: r.URL.Query().Get("tenant")})
}

func (u *UI) renderOptouts(w http.ResponseWriter, r *http.Request, s *session, status int, ov optoutView) {
	ov.Tenants = u.b.Tenants()
	v := u.view(r, s, "Opt-outs", "optouts")
	if ov.Tenant != "" && !slices.Contains(ov.Tenants, ov.Tenant) {
		// Not "no opt-outs": there is no such tenant.
		v.Error = fmt.Sprintf("There is no tenant %q.", ov.Tenant)
		ov.Tenant, status = "", http.StatusNotFound
	}
	if ov.Tenant == "" && len(ov.Tenants) > 0 {
		ov.Tenant = ov.Tenants[0]
	}
	if ov.Tenant != "" {
		ov.List = u.b.Suppressed(ov.Tenant)
	}
	v.Data = ov
	u.render(w, status, "optouts", v)
}

// optoutAdd serves POST /optouts (admins).
func (u *UI) optoutAdd(w http.ResponseWriter, r *http.Request, s *session) {
	ov := optoutView{Tenant: r.PostFormValue("tenant"), Recipient: strings.TrimSpace(r.PostFormValue("recipient")),
		Line: strings.TrimSpace(r.PostFormValue("line")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	reason := ov.Reason
	if reason == "" {
		reason = "added in the admin UI"
	}
	// One already there keeps its time and reason: say so, not "added".
	notice := "added"
	if e164, ok := u.b.Recipient(ov.Tenant, ov.Recipient); ok {
		for _, sup := range u.b.Suppressed(ov.Tenant) {
			if sup.Recipient == e164 && (sup.Line == "" || sup.Line == ov.Line) {
				notice = "already"
			}
		}
	}
	if err := u.b.Suppress(r.Context(), ov.Tenant, ov.Recipient, ov.Line, s.actor(), reason); err != nil {
		ov.FormErr = err.Error()
		u.renderOptouts(w, r, s, http.StatusUnprocessableEntity, ov)
		return
	}
	u.log.Info("admin opt-out added", "user", s.user, "tenant", ov.Tenant, "notice", notice)
	http.Redirect(w, r, u.o.Prefix+"/optouts?notice="+notice+"&tenant="+url.QueryEscape(ov.Tenant), http.StatusSeeOther)
}

// optoutRemove serves POST /optouts/remove (admins).
func (u *UI) optoutRemove(w http.ResponseWriter, r *http.Request, s *session) {
	tenant := r.PostFormValue("tenant")
	if err := u.b.Unsuppress(r.Context(), tenant, r.PostFormValue("recipient"), r.PostFormValue("line"), s.actor()); err != nil {
		u.errorPage(w, r, s, http.StatusUnprocessableEntity, "Opt-out not removed", err.Error())
		return
	}
	u.log.Info("admin opt-out removed", "user", s.user, "tenant", tenant)
	http.Redirect(w, r, u.o.Prefix+"/optouts?notice=removed&tenant="+url.QueryEscape(tenant), http.StatusSeeOther)
}
