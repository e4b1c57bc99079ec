package policy

import (
	"strings"
	"testing"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

func TestCheckAllows(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ from, wantFrom string }{
		{"", "+13195550100"}, // the default sender
		{"+1 319 555 0101", "+13195550101"},
		{"(319) 555-0101", "+13195550101"},
		{"psapnorth", "PSAPNORTH"}, // the configured spelling
		{"76543", "76543"},
	} {
		d, err := e.check(Submission{From: c.from, To: "(319) 555-0123"})
		if err != nil {
			t.Fatalf("from %q: %v", c.from, err)
		}
		if d.From != c.wantFrom || d.To != "+13195550123" || d.Country != "US" || d.Tenant != "psap-north" || d.Bypassed {
			t.Errorf("from %q: %+v", c.from, d)
		}
	}
}

func TestCheckRefusals(t *testing.T) {
	e := newEnv(t, psapNorth(),
		Tenant{ID: "no-default", DefaultRegion: "US"},
		Tenant{ID: "quota", DefaultRegion: "US", DefaultSender: "COUNCIL", QuotaPerDay: 1})
	if err := e.p.Suppress(t.Context(), "psap-north", "+13195550199", "", "ui:ana", "asked by phone"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.check(Submission{Tenant: "quota", To: "+13195550123"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		s           Submission
		code, field string
	}{
		{"unknown tenant", Submission{Tenant: "psap-south", To: "+13195550123"}, CodeUnknownTenant, "tenant"},
		{"invalid recipient", Submission{To: "911"}, CodeInvalidRecipient, "to"},
		{"international", Submission{To: "+44 7400 123456"}, CodeCountryNotAllowed, "to"},
		{"NANP but Canada", Submission{To: "+1 416 555 0123"}, CodeCountryNotAllowed, "to"},
		{"invalid sender", Submission{From: "PSAP-NORTH-1", To: "+13195550123"}, CodeInvalidSender, "from"},
		{"non-GSM sender", Submission{From: "Ĉentro", To: "+13195550123"}, CodeInvalidSender, "from"},
		{"no sender at all", Submission{Tenant: "no-default", To: "+13195550123"}, CodeInvalidSender, "from"},
		{"sender not allowed", Submission{From: "+13195550999", To: "+13195550123"}, CodeSenderNotAllowed, "from"},
		{"alphanumeric not allowed", Submission{From: "OTHER", To: "+13195550123"}, CodeSenderNotAllowed, "from"},
		{"suppressed", Submission{To: "+13195550199"}, CodeSuppressed, "to"},
		{"quota", Submission{Tenant: "quota", To: "+13195550123"}, CodeQuotaExceeded, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := e.check(c.s)
			if err == nil {
				t.Fatalf("allowed: %+v", d)
			}
			pe := wantCode(t, err, c.code, c.field)
			if pe.Msg == "" || strings.Contains(pe.Msg, "%!") {
				t.Errorf("message %q", pe.Msg)
			}
		})
	}
	codes := map[string]bool{}
	for _, c := range Codes {
		codes[c.Code] = true
		if c.HTTPStatus < 400 || c.Description == "" {
			t.Errorf("Codes: %+v", c)
		}
	}
	if len(codes) != 8 {
		t.Errorf("Codes lists %d codes, want 8", len(codes))
	}
}

func TestAllowedCountries(t *testing.T) {
	e := newEnv(t,
		Tenant{ID: "nanp", DefaultRegion: "US", AllowedCountries: []string{"us", "CA"}, DefaultSender: "+13195550100"},
		Tenant{ID: "world", DefaultRegion: "GB", AllowedCountries: []string{"*"}, DefaultSender: "COUNCIL"})
	if d, err := e.check(Submission{Tenant: "nanp", To: "+1 416 555 0123"}); err != nil || d.Country != "CA" {
		t.Errorf("Canada from nanp: %+v %v", d, err)
	}
	_, err := e.check(Submission{Tenant: "nanp", To: "+52 55 1234 5678"})
	wantCode(t, err, CodeCountryNotAllowed, "to")
	for _, to := range []string{"+12015550123", "+33612345678", "+918123456789", "07400 123456"} {
		if _, err := e.check(Submission{Tenant: "world", To: to}); err != nil {
			t.Errorf("world %s: %v", to, err)
		}
	}
}

// TestAnySender: "*" in senders allows any valid sender id.
func TestAnySender(t *testing.T) {
	e := newEnv(t, Tenant{ID: "demo", DefaultRegion: "US", AllowedCountries: []string{"*"}, Senders: []string{"*"}})
	for _, from := range []string{"DEMO", "+447400123456", "12345", "Hello World"} {
		if d, err := e.check(Submission{Tenant: "demo", From: from, To: "+12015550123"}); err != nil {
			t.Errorf("%q: %v", from, err)
		} else if d.From != from && from != "+447400123456" {
			t.Errorf("%q became %q", from, d.From)
		}
	}
	_, err := e.check(Submission{Tenant: "demo", To: "+12015550123"})
	wantCode(t, err, CodeInvalidSender, "from")
}

// TestNoSendersFailsClosed: a tenant with no senders may give none but
// its default sender: any other is refused, as one not in a list is.
func TestNoSendersFailsClosed(t *testing.T) {
	e := newEnv(t, Tenant{ID: "plain", DefaultRegion: "US"}, Tenant{ID: "dflt", DefaultRegion: "US", DefaultSender: "+13195550100"})
	_, err := e.check(Submission{Tenant: "plain", From: "POLICE", To: "+12015550123"})
	wantCode(t, err, CodeSenderNotAllowed, "from")
	_, err = e.check(Submission{Tenant: "dflt", From: "POLICE", To: "+12015550123"})
	wantCode(t, err, CodeSenderNotAllowed, "from")
	for _, from := range []string{"", "+13195550100", "3195550100"} {
		if d, err := e.check(Submission{Tenant: "dflt", From: from, To: "+12015550123"}); err != nil || d.From != "+13195550100" {
			t.Errorf("the default sender as %q: %q, %v", from, d.From, err)
		}
	}
}

func TestBadTenants(t *testing.T) {
	for _, c := range []struct {
		name string
		ts   []Tenant
		want string
	}{
		{"no id", []Tenant{{DefaultRegion: "US"}}, "id is empty"},
		{"duplicate", []Tenant{{ID: "a", DefaultRegion: "US"}, {ID: "a", DefaultRegion: "US"}}, "duplicate"},
		{"region", []Tenant{{ID: "a", DefaultRegion: "XX"}}, "default_region"},
		{"nothing allowed", []Tenant{{ID: "a"}}, "allowed_countries is empty"},
		{"country", []Tenant{{ID: "a", DefaultRegion: "US", AllowedCountries: []string{"USA"}}}, "allowed_countries"},
		{"sender", []Tenant{{ID: "a", DefaultRegion: "US", Senders: []string{"TOOLONGSENDER"}}}, "senders"},
		{"default sender", []Tenant{{ID: "a", DefaultRegion: "US", Senders: []string{"A1"}, DefaultSender: "B1"}}, "default_sender"},
		{"quota", []Tenant{{ID: "a", DefaultRegion: "US", QuotaPerDay: -1}}, "quota"},
		{"keyword", []Tenant{{ID: "a", DefaultRegion: "US", OptOut: OptOut{Keywords: map[string]Keywords{
			"es": {Stop: []string{"ALTO"}, Start: []string{"alto"}}}}}}, "means both"},
		{"two words", []Tenant{{ID: "a", DefaultRegion: "US", OptOut: OptOut{Keywords: map[string]Keywords{
			"es": {Stop: []string{"NO MAS"}}}}}}, "not one word"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := compileTenants(c.ts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	// Every problem at once, with the tenant's index.
	_, err := compileTenants([]Tenant{{ID: "a", DefaultRegion: "XX", QuotaPerDay: -1}, {ID: "b"}})
	if msg := err.Error(); !strings.Contains(msg, "tenants[0] (a): default_region") ||
		!strings.Contains(msg, "quota_per_day") || !strings.Contains(msg, "tenants[1] (b)") {
		t.Errorf("err = %v", err)
	}
}

func TestPriorityDoesNotChangeChecks(t *testing.T) {
	e := newEnv(t)
	_, err := e.check(Submission{To: "+44 7400 123456", Priority: spool.PriorityEmergency})
	wantCode(t, err, CodeCountryNotAllowed, "to")
}

// A tenant's callback_hosts restrict the hosts a per-message report URL
// (dlr-url) may name; refusals are audited. Without the list any host
// goes, as in Kannel.
func TestCallbackHosts(t *testing.T) {
	limited := psapNorth()
	limited.CallbackHosts = configs.HostList{"cad.psap.example", "10.0.0.0/8"}
	open := psapNorth()
	open.ID = "open"
	e := newEnv(t, limited, open)
	for _, c := range []struct {
		tenant, url string
		ok          bool
	}{
		{"psap-north", "http://cad.psap.example/dlr?s=%d&id=%I", true},
		{"psap-north", "https://user@CAD.psap.example:8443/x", true},
		{"psap-north", "http://10.1.2.3:8080/dlr", true},
		{"psap-north", "http://127.0.0.1:8080/admin/", false},
		{"psap-north", "http://[::1]/x", false},
		{"psap-north", "http://cad.psap.example.evil.example/x", false},
		{"psap-north", "http://%P.cad.psap.example/x", false}, // a value would choose the host
		{"psap-north", "", true},
		{"open", "http://127.0.0.1:8080/anything", true},
	} {
		_, err := e.check(Submission{Tenant: c.tenant, To: "+13195550123", Callback: c.url, Source: "http:cad-1"})
		if c.ok && err != nil {
			t.Errorf("%s %q: %v", c.tenant, c.url, err)
		}
		if !c.ok {
			wantCode(t, err, CodeCallbackNotAllowed, "dlr-url")
		}
	}
	entries, err := e.store.AuditLog(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, a := range entries {
		if a.Action == "refused" && strings.Contains(a.Detail, "callback hosts") {
			refused++
		}
	}
	if refused != 4 {
		t.Errorf("%d refusals audited, want 4", refused)
	}
}

func TestCallbackHost(t *testing.T) {
	for u, want := range map[string]string{
		"http://cad.example/x": "cad.example", "https://u:p@cad.example:8443": "cad.example",
		"http://[fd00::1]:80/x": "fd00::1", "http://10.0.0.1?x=1": "10.0.0.1", "no scheme": "",
		"http://%P/x": "%P", "http://a@b@c.example/": "c.example",
		"http:://cad.example": "", "ftp://cad.example/": "", "HTTPS://cad.example": "cad.example",
	} {
		if got := CallbackHost(u); got != want {
			t.Errorf("CallbackHost(%q) = %q, want %q", u, got, want)
		}
	}
}
