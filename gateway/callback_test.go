package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs"
)

// A tenant's callback_hosts, set by a reload: a Kannel dlr-url naming
// another host is refused (403, Kannel's words) and audited; one naming
// a listed host is taken, and its report is fetched.
func TestCallbackHostsLimitDLRURL(t *testing.T) {
	got := make(chan url.Values, 10)
	dlr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.URL.Query() }))
	defer dlr.Close()
	port := dlr.URL[strings.LastIndex(dlr.URL, ":")+1:]

	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	next := *r.g.cfg.Load()
	next.Tenants = append([]configs.Tenant(nil), next.Tenants...)
	next.Tenants[0].CallbackHosts = configs.HostList{"127.0.0.1"}
	if err := r.g.Reload(&next); err != nil {
		t.Fatal(err)
	}

	send := func(dlrURL string) (int, string) {
		q := url.Values{"username": {"cad-1"}, "password": {testKey}, "to": {"+13195550150"}, "text": {"Kannel style"},
			"dlr-mask": {"1"}, "dlr-url": {dlrURL}}
		resp, err := http.Get(r.url + "/cgi-bin/sendsms?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// "localhost" is the same machine, but not a listed host: names are
	// never resolved.
	if code, body := send("http://localhost:" + port + "/dlr?s=%d"); code != http.StatusForbidden || body != "DLR-URL host not allowed, rejected" {
		t.Fatalf("unlisted host: %d %q", code, body)
	}
	if code, body := send("http://127.0.0.1:" + port + "/dlr?s=%d&id=%I"); code != http.StatusAccepted {
		t.Fatalf("listed host: %d %q", code, body)
	}
	select {
	case q := <-got:
		if q.Get("s") != "1" || q.Get("id") == "" {
			t.Fatalf("dlr-url fetched with %v", q)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the listed host's dlr-url was never fetched")
	}
	entries, err := r.g.Store().AuditLog(0, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == "refused" && strings.Contains(e.Detail, `"localhost" is not one of tenant psap-north's callback hosts`) {
			return
		}
	}
	t.Fatal("the refusal was not audited")
}
