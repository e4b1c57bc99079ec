package httpapi

import "net/http"

// healthz answers while the process serves HTTP.
func (a *API) healthz(w http.ResponseWriter, _ *http.Request, _ *caller) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the backend is ready (spool writable, a route
// usable), else 503 with the reason.
func (a *API) readyz(w http.ResponseWriter, r *http.Request, _ *caller) {
	if err := a.b.Ready(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unready", "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// status serves GET /api/v1/status.
func (a *API) status(w http.ResponseWriter, r *http.Request, _ *caller) {
	st := a.b.Status(r.Context())
	if st.Connectors == nil {
		st.Connectors = []ConnectorStatus{}
	}
	if st.Queue == nil {
		st.Queue = map[string]int64{}
	}
	writeJSON(w, http.StatusOK, st)
}
