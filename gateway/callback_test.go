package gateway

import (
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
		code, body, _ := r.sendsms(url.Values{"username": {"cad-1"}, "password": {testKey}, "to": {"+13195550150"},
			"text": {"Kannel style"}, "dlr-mask": {"1"}, "dlr-url": {dlrURL}})
		return code, body
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

// A Kannel client asking for dlr-mask 8 ("accepted by the SMSC") as well
// as 1 (delivered) gets both reports, in that order: the first with the
// carrier's message id (%F), as Kannel sends it on submit_sm_resp; one
// asking for 1 alone gets only the delivery.
func TestKannelDLRMaskAccepted(t *testing.T) {
	got := make(chan url.Values, 10)
	dlr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.URL.Query() }))
	defer dlr.Close()
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	send := func(mask, tag string) {
		code, body, _ := r.sendsms(url.Values{"username": {"cad-1"}, "password": {testKey}, "to": {"13195550151"},
			"text": {"Kannel style"}, "dlr-mask": {mask}, "dlr-url": {dlr.URL + "/dlr?tag=" + tag + "&d=%d&F=%F&p=%p"}})
		if code != http.StatusAccepted {
			t.Fatalf("sendsms: %d %s", code, body)
		}
	}
	next := func() url.Values {
		t.Helper()
		select {
		case q := <-got:
			return q
		case <-time.After(20 * time.Second):
			t.Fatal("no dlr-url fetch")
			return nil
		}
	}
	send("9", "both")
	acc, del := next(), next()
	if acc.Get("tag") != "both" || acc.Get("d") != "8" || acc.Get("F") == "" || acc.Get("p") != "13195550151" {
		t.Fatalf("first report %v; want d=8 with the carrier's id", acc)
	}
	if del.Get("tag") != "both" || del.Get("d") != "1" || del.Get("F") != acc.Get("F") {
		t.Fatalf("second report %v; want d=1 for the same id", del)
	}
	send("1", "final")
	if q := next(); q.Get("tag") != "final" || q.Get("d") != "1" {
		t.Fatalf("dlr-mask 1: %v; want the delivery alone", q)
	}
	select {
	case q := <-got:
		t.Fatalf("a report outside the mask: %v", q)
	case <-time.After(200 * time.Millisecond): // nothing more is owed; a bound, not a wait for an event
	}
}
