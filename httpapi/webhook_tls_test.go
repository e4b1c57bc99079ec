package httpapi

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs/testcert"
)

// A board that booted with its clock behind checks a receiver's
// certificate against the spool's time (WebhookOptions.Now), not the
// system clock's, or every HTTPS webhook would fail as "not yet valid".
func TestWebhookCertificateCheckedAgainstNow(t *testing.T) {
	e := newEnv(t)
	// Valid from an hour from now: the system clock is "behind".
	cert := testcert.New(t, time.Now().Add(time.Hour), time.Now().Add(48*time.Hour))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	srv.StartTLS()
	defer srv.Close()

	for _, c := range []struct {
		name string
		now  func() time.Time
		ok   bool
	}{
		{"system clock", time.Now, false},
		{"spool's time", func() time.Time { return time.Now().Add(2 * time.Hour) }, true},
	} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.Pool}}
		wh := NewWebhooks(WebhookOptions{Now: c.now, Transport: tr, Logger: discardLogger()})
		wh.SetWebhooks(map[string]Webhook{"psap-north": {URL: srv.URL, Secret: "s"}})
		it, m := reportItem(t, e, "")
		if err := wh.Deliver(t.Context(), it, m); (err == nil) != c.ok {
			t.Errorf("%s: delivery error %v, want success %v", c.name, err, c.ok)
		}
	}
}
