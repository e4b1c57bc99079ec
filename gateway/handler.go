package gateway

import (
	"net/http"
	"time"
)

// handler is the HTTP API, the admin UI under /admin/ (the API serves
// nothing at "/", which sends a browser there), plus whatever
// Options.ExtraHTTP mounts.
func (g *Gateway) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", g.api.Handler())
	mux.Handle(AdminPrefix+"/", g.adminHandler())
	mux.Handle("GET /{$}", readDeadline(http.RedirectHandler(AdminPrefix+"/", http.StatusFound), bodyTimeout))
	// Browsers ask for it with every page: no icon, and no 404 in the
	// admin UI's console.
	mux.Handle("GET /favicon.ico", readDeadline(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	}), bodyTimeout))
	if g.o.ExtraHTTP != nil {
		g.o.ExtraHTTP(mux)
	}
	return mux
}

// bodyTimeout is how long a request's body may take to arrive on the
// HTTP listener. The API and the admin UI set their own deadline (the
// same 30 s by default); the routes mounted beside them (the root
// redirect, Options.ExtraHTTP's) are wrapped in readDeadline, so that
// no request pays for two.
const bodyTimeout = 30 * time.Second

// readDeadline sets the connection's read deadline for each request, so
// a client that trickles a body cannot hold the connection for ever (the
// server only bounds the headers, and a handler's context ending does
// not interrupt a read).
func readDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		h.ServeHTTP(w, r)
	})
}
