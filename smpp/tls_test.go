package smpp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs/testcert"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	c := testcert.New(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	return c.TLS, c.Pool
}

// TestTLS: our carrier connector binds to our server over TLS and a
// message goes through.
func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	store, err := spool.Open(filepath.Join(t.TempDir(), "far.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := NewServer(ServerOptions{Accounts: []Account{{SystemID: "cad", Password: "pw", Tenant: "t"}}}, storeSubmitter{store})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	tln := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, tln); close(done) }()
	defer func() { cancel(); <-done }()

	near, _ := spool.Open(filepath.Join(t.TempDir(), "near.db"), spool.Options{})
	defer near.Close()
	c := NewCarrier(CarrierOptions{Name: "carrier-a", Addr: ln.Addr().String(), SystemID: "cad", Password: "pw",
		TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}, route.StoreSink{Store: near})
	cdone := make(chan struct{})
	go func() { c.Run(ctx); close(cdone) }()
	defer func() { cancel(); <-cdone }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := c.WaitReady(wctx, true); err != nil {
		t.Fatal("no bind over TLS")
	}
	ids, err := c.Send(ctx, &spool.Message{ID: "01JD0000000000000000000000", To: "+13195550123", Body: "over TLS"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("send: %v %v", ids, err)
	}
	if m, err := store.Get(ids[0]); err != nil || m.Body != "over TLS" {
		t.Fatalf("far side: %+v %v", m, err)
	}
}
