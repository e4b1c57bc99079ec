package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Route is one endpoint: its method, its path as docs/openapi.yaml writes
// it, and whether it needs an API key.
type Route struct {
	Method string
	Path   string // "/api/v1/messages/{id}"
	Auth   bool   // Bearer key (the Kannel endpoint checks its own)
	h      func(w http.ResponseWriter, r *http.Request, c *caller)
}

// caller is who sent an authenticated request.
type caller struct {
	key APIKey
	ip  string
}

// actor is the audit and timeline name of the caller.
func (c *caller) actor() string { return "http:" + c.key.ID }

// Routes lists every route the handler serves, in one table: the mux is
// built from it and the OpenAPI test reads it.
func (a *API) Routes() []Route {
	return []Route{
		{"POST", "/api/v1/messages", true, a.submit},
		{"GET", "/api/v1/messages", true, a.listMessages},
		{"GET", "/api/v1/messages/{id}", true, a.getMessage},
		{"DELETE", "/api/v1/messages/{id}", true, a.cancel},
		{"GET", "/api/v1/inbound", true, a.listInbound},
		{"GET", "/api/v1/status", true, a.status},
		{"GET", "/healthz", false, a.healthz},
		{"GET", "/readyz", false, a.readyz},
		{"GET", "/metrics", false, a.metricsHandler},
		{"GET", "/cgi-bin/sendsms", false, a.sendsms},
		{"POST", "/cgi-bin/sendsms", false, a.sendsms},
	}
}

// buildMux registers the routes, each wrapped with the body limit, the
// timeout, the metrics and (where needed) authentication. Anything the mux
// does not route gets a JSON 404 or 405.
func (a *API) buildMux() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.Routes() {
		mux.Handle(rt.Method+" "+rt.Path, a.wrap(rt))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The body must arrive within Timeout: the context's end does not
		// interrupt a read, and without a deadline a client trickling its
		// body (to any route: the server drains a short unread one) holds
		// the connection for ever. Real time: the deadline is the socket's.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(a.o.Timeout))
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// Let the mux decide between 404 and 405 (with Allow), then
		// answer in JSON.
		rec := &recorder{header: http.Header{}}
		mux.ServeHTTP(rec, r)
		if allow := rec.Header().Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		code, status := "not_found", rec.code
		if status == http.StatusMethodNotAllowed {
			code = "method_not_allowed"
		} else if status < 400 {
			// A redirect the mux made (a cleaned path): pass it on.
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			return
		}
		a.met.requests.WithLabelValues("unmatched", strconv.Itoa(status)).Inc()
		writeJSON(w, status, errorBody{&Error{Code: code, Message: http.StatusText(status)}})
	})
}

// wrap applies the per-route middleware.
func (a *API) wrap(rt Route) http.Handler {
	label := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		ctx, cancel := context.WithTimeout(r.Context(), a.o.Timeout)
		defer cancel()
		r = r.WithContext(ctx)
		r.Body = http.MaxBytesReader(sw, r.Body, a.o.MaxBody)
		start := time.Now()
		defer func() {
			a.met.requests.WithLabelValues(label, strconv.Itoa(sw.code())).Inc()
			if rt.Method == "POST" && rt.Path == "/api/v1/messages" {
				a.met.submit.Observe(time.Since(start).Seconds())
			}
		}()
		var c *caller
		if rt.Auth {
			var ok bool
			if c, ok = a.authenticate(sw, r); !ok {
				return
			}
		}
		rt.h(sw, r, c)
	})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recorder keeps the header and status the mux's own 404/405/redirect
// handler writes, and drops its text body.
type recorder struct {
	header http.Header
	code   int
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return len(b), nil
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
