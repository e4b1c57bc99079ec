package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// controlHandler serves the control socket: the HTTP API (smsgw send with
// a key) and, under /control/v1/spool/, the technician's spool commands
// (smsgw spool … while the gateway runs), each the spool.Store call the
// command makes offline. The socket is 0660: whoever can open it is
// trusted as an operator on this box; changes are audited as "cli".
func (g *Gateway) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", g.api.Handler())
	s := g.store
	const p = controlPrefix
	mux.HandleFunc("GET "+p+"stats", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.Stats()
		controlReply(w, st, err)
	})
	mux.HandleFunc("POST "+p+"list", func(w http.ResponseWriter, r *http.Request) {
		var q ListRequest
		if controlBody(w, r, &q) {
			f, err := q.Filter.spool()
			var page spool.Page
			if err == nil {
				page, err = s.List(f, q.Cursor, q.Limit)
			}
			controlReply(w, page, err)
		}
	})
	mux.HandleFunc("GET "+p+"messages/{id}", func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Get(r.PathValue("id"))
		controlReply(w, m, err)
	})
	mux.HandleFunc("POST "+p+"messages", func(w http.ResponseWriter, r *http.Request) {
		var m spool.Message
		if controlBody(w, r, &m) {
			stored, replayed, err := s.Enqueue(r.Context(), &m)
			controlReply(w, EnqueueReply{Message: stored, Replayed: replayed}, err)
		}
	})
	for verb, fn := range map[string]func(*http.Request, string) (*spool.Message, error){
		"retry": func(r *http.Request, id string) (*spool.Message, error) {
			return g.Retry(r.Context(), id, controlActor)
		},
		"cancel": func(r *http.Request, id string) (*spool.Message, error) {
			return s.Cancel(r.Context(), id, controlActor)
		},
	} {
		mux.HandleFunc("POST "+p+"messages/{id}/"+verb, func(w http.ResponseWriter, r *http.Request) {
			m, err := fn(r, r.PathValue("id"))
			controlReply(w, m, err)
		})
	}
	mux.HandleFunc("POST "+p+"purge", func(w http.ResponseWriter, r *http.Request) {
		var ret spool.Retention
		if controlBody(w, r, &ret) {
			res, err := s.Purge(r.Context(), ret)
			controlReply(w, res, err)
		}
	})
	mux.HandleFunc("GET "+p+"check", func(w http.ResponseWriter, r *http.Request) {
		controlReply(w, struct{}{}, s.Check())
	})
	mux.HandleFunc("GET "+p+"audit/verify", func(w http.ResponseWriter, r *http.Request) {
		sum, err := s.VerifyAudit()
		controlReply(w, sum, err)
	})
	mux.HandleFunc("GET "+p+"audit/log", func(w http.ResponseWriter, r *http.Request) {
		before, _ := strconv.ParseUint(r.URL.Query().Get("before"), 10, 64)
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		entries, err := s.AuditLog(before, limit)
		controlReply(w, entries, err)
	})
	// Streams: the count (or the error) comes in a trailer, after the body.
	mux.HandleFunc("POST "+p+"export", func(w http.ResponseWriter, r *http.Request) {
		var wf Filter
		if controlBody(w, r, &wf) {
			f, err := wf.spool()
			if err != nil {
				controlReply(w, nil, err)
				return
			}
			controlStream(w, func(out io.Writer) (int64, error) {
				n, err := s.Export(out, f)
				return int64(n), err
			})
		}
	})
	mux.HandleFunc("GET "+p+"backup", func(w http.ResponseWriter, r *http.Request) {
		controlStream(w, s.Backup)
	})
	return mux
}

// controlPrefix is where the spool commands live on the control socket.
const controlPrefix = "/control/v1/spool/"

// controlActor is who the audit trail names for changes made over the
// control socket, as for the same commands offline.
const controlActor = "cli"

// ListRequest is the body of a control socket list: the arguments of
// spool.Store.List.
type ListRequest struct {
	Filter Filter `json:"filter"`
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// Filter is spool.Filter on the wire: its zero state (any) has no name.
type Filter struct {
	spool.Filter
	State string `json:"State,omitempty"`
}

func wireFilter(f spool.Filter) Filter {
	w := Filter{Filter: f}
	if f.State != 0 {
		w.State = f.State.String()
	}
	w.Filter.State = 0
	return w
}

func (w Filter) spool() (spool.Filter, error) {
	f := w.Filter
	if w.State != "" {
		st, err := spool.ParseState(w.State)
		if err != nil {
			return f, fmt.Errorf("%w: %v", spool.ErrInvalid, err)
		}
		f.State = st
	}
	return f, nil
}

// EnqueueReply is the answer to a control socket enqueue.
type EnqueueReply struct {
	Message  *spool.Message `json:"message"`
	Replayed bool           `json:"replayed"`
}

// controlError is the body of a refused control request.
type controlError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// controlErrors maps the spool's errors to a code and status, both ways.
var controlErrors = []struct {
	err    error
	code   string
	status int
}{
	{spool.ErrNotFound, "not_found", http.StatusNotFound},
	{spool.ErrFinal, "final", http.StatusConflict},
	{spool.ErrNotCancellable, "not_cancellable", http.StatusConflict},
	{spool.ErrIdempotencyConflict, "idempotency_conflict", http.StatusConflict},
	{spool.ErrAuditBroken, "audit_broken", http.StatusConflict},
	{spool.ErrInvalid, "invalid", http.StatusBadRequest},
	{spool.ErrSpoolFull, "spool_full", http.StatusInsufficientStorage},
	{spool.ErrClosed, "closed", http.StatusServiceUnavailable},
}

func controlReply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		e, status := controlError{Code: "internal", Message: err.Error()}, http.StatusInternalServerError
		for _, c := range controlErrors {
			if errors.Is(err, c.err) {
				e.Code, status = c.code, c.status
				break
			}
		}
		var refused *policy.Error
		if errors.As(err, &refused) { // the tenant's rules said no: its code, as the API gives it
			e.Code, status = refused.ErrorCode(), http.StatusUnprocessableEntity
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]controlError{"error": e})
		return
	}
	json.NewEncoder(w).Encode(v)
}

// controlBody decodes a request body into v, or answers 400.
func controlBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		controlReply(w, nil, fmt.Errorf("%w: request body: %v", spool.ErrInvalid, err))
		return false
	}
	return true
}

// controlStream writes what fn writes as the body, then the trailers
// X-Smsgw-Count (what fn returned) or X-Smsgw-Error.
func controlStream(w http.ResponseWriter, fn func(io.Writer) (int64, error)) {
	w.Header().Set("Trailer", "X-Smsgw-Count, X-Smsgw-Error")
	w.Header().Set("Content-Type", "application/octet-stream")
	n, err := fn(w)
	if err != nil {
		w.Header().Set("X-Smsgw-Error", err.Error())
		return
	}
	w.Header().Set("X-Smsgw-Count", strconv.FormatInt(n, 10))
}
