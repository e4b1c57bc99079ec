package httpapi

import (
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

func TestClient(t *testing.T) {
	e := newEnv(t)
	c, err := NewClient(e.srv.URL+"/", keyNorth)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	m, replayed, err := c.Send(ctx, SubmitRequest{To: "+13195550123", Text: "from the client", Priority: "high"}, "cli-1")
	if err != nil || replayed || m.Encoding != "gsm7" || m.Priority != "high" {
		t.Fatalf("send: %+v %v %v", m, replayed, err)
	}
	if again, replayed, err := c.Send(ctx, SubmitRequest{To: "+13195550123", Text: "from the client", Priority: "high"}, "cli-1"); err != nil || !replayed || again.ID != m.ID {
		t.Errorf("replay: %v %v", replayed, err)
	}
	got, err := c.Get(ctx, m.ID)
	if err != nil || len(got.Timeline) != 2 || !got.Created.Equal(e.clk.Now()) {
		t.Errorf("get: %+v %v", got, err)
	}
	p, err := c.List(ctx, ListOptions{To: "+13195550123", Status: "queued", Since: e.clk.Now().Add(-time.Hour), Limit: 10})
	if err != nil || len(p.Messages) != 1 {
		t.Errorf("list: %+v %v", p, err)
	}
	if p, err := c.List(ctx, ListOptions{Inbound: true}); err != nil || len(p.Messages) != 0 {
		t.Errorf("inbound: %+v %v", p, err)
	}
	if st, err := c.Status(ctx); err != nil || st.Queue["high"] != 1 {
		t.Errorf("status: %+v %v", st, err)
	}
	if m, err := c.Cancel(ctx, m.ID); err != nil || m.Status != "cancelled" {
		t.Errorf("cancel: %+v %v", m, err)
	}
	_, err = c.Cancel(ctx, m.ID)
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 409 || ae.Code != "final" {
		t.Errorf("cancel again: %v", err)
	}
	_, _, err = c.Send(ctx, SubmitRequest{To: "+9991", Text: "x"}, "")
	if !errors.As(err, &ae) || ae.Status != 422 || ae.ErrorCode() != "invalid_recipient" || ae.ErrorField() != "to" {
		t.Errorf("refusal: %v", err)
	}
	bad, _ := NewClient(e.srv.URL, "wrong")
	if _, err := bad.Status(ctx); !errors.As(err, &ae) || ae.Status != 401 {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := NewClient("ftp://x", ""); err == nil {
		t.Error("ftp target accepted")
	}
}

func TestClientUnixSocket(t *testing.T) {
	e := newEnv(t)
	sock := filepath.Join(t.TempDir(), "api.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip("no unix sockets:", err)
	}
	srv := &http.Server{Handler: e.api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	for _, target := range []string{sock, "unix://" + sock} {
		c, err := NewClient(target, keySouth)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := c.Send(t.Context(), SubmitRequest{To: "+13195550123", Text: "over the socket"}, "")
		if err != nil || m.ID == "" {
			t.Fatalf("%s: %v", target, err)
		}
		// The submitter's address names the socket, not the peer's "@".
		if m.SourceAddr != "unix:"+sock {
			t.Errorf("%s: source_addr %q, want unix:%s", target, m.SourceAddr, sock)
		}
	}
}
