package httpapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A board that booted with its clock behind checks a receiver's
// certificate against the spool's time (WebhookOptions.Now), not the
// system clock's, or every HTTPS webhook would fail as "not yet valid".
func TestWebhookCertificateCheckedAgainstNow(t *testing.T) {
	e := newEnv(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// Valid from an hour from now: the system clock is "behind".
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cad.test"},
		NotBefore: time.Now().Add(time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(cert)

	for _, c := range []struct {
		name string
		now  func() time.Time
		ok   bool
	}{
		{"system clock", time.Now, false},
		{"spool's time", func() time.Time { return time.Now().Add(2 * time.Hour) }, true},
	} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
		wh := NewWebhooks(WebhookOptions{Now: c.now, Transport: tr, Logger: discardLogger()})
		wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: srv.URL, Secret: "s"}})
		it, m := reportItem(t, e, "")
		if err := wh.Deliver(t.Context(), it, m); (err == nil) != c.ok {
			t.Errorf("%s: delivery error %v, want success %v", c.name, err, c.ok)
		}
	}
}
