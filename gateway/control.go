package gateway

import "net/http"

// controlHandler serves the control socket: the HTTP API (smsgw send with
// a key) and, under /control/v1/, the technician's commands (smsgw spool
// … while the gateway runs). The socket is 0660: whoever can open it is
// trusted as an operator on this box.
func (g *Gateway) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", g.api.Handler())
	return mux
}
