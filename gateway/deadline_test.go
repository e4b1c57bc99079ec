package gateway

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSlowBodyIsCut: on the routes mounted beside the API (the root
// redirect, the demo's webhook receiver), a client that sends headers
// and then trickles its body loses the connection once the deadline
// passes, instead of holding it for ever.
func TestSlowBodyIsCut(t *testing.T) {
	read := make(chan error, 1)
	srv := httptest.NewServer(readDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		read <- err
	}), 200*time.Millisecond))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-read:
		if err == nil {
			t.Fatal("the handler read a whole body that never came")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the slow body still holds the handler")
	}
}
