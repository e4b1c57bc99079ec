package adminui

import (
	"net/http"
	"strconv"

	"github.com/smsgw/smsgw/spool"
)

// auditPageSize is the entries of one audit page.
const auditPageSize = 100

type auditView struct {
	Entries  []spool.AuditEntry
	Summary  spool.AuditSummary
	Verified bool
	Broken   string // why the chain does not verify
	Before   uint64 // the next page starts below this sequence number; 0: no next page
	Paged    bool   // a page other than the newest
	Newer    uint64 // the before= of the page of newer entries (0: the newest page)
}

// auditLog serves GET /audit: the chain's verification, then the
// entries, newest first, paged by sequence number.
func (u *UI) auditLog(w http.ResponseWriter, r *http.Request, s *session) {
	var av auditView
	sum, err := u.b.VerifyAudit()
	av.Summary, av.Verified = sum, err == nil
	if err != nil {
		av.Broken = err.Error()
	}
	before, _ := strconv.ParseUint(r.URL.Query().Get("before"), 10, 64)
	v := u.view(r, s, "Audit trail", "audit")
	av.Entries, err = u.b.AuditLog(before, auditPageSize)
	if err != nil {
		v.Error = "The audit trail could not be read: " + err.Error()
	}
	if n := len(av.Entries); n == auditPageSize && av.Entries[n-1].Seq > 1 {
		av.Before = av.Entries[n-1].Seq
	}
	if before > 0 {
		// Paged back: the way to the newest, and a newer page.
		av.Paged = true
		if newer := before + auditPageSize; newer <= av.Summary.Last {
			av.Newer = newer
		}
	}
	v.Data = av
	u.render(w, http.StatusOK, "audit", v)
}
