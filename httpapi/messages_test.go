package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

func TestSubmit(t *testing.T) {
	e := newEnv(t)
	code, hdr, b := e.do("POST", "/api/v1/messages", keyNorth,
		`{"to":"+13195550123","text":"Help is on the way","priority":"emergency","client_ref":"inc-42","validity":"2h"}`)
	if code != http.StatusAccepted {
		t.Fatalf("status %d: %s", code, b)
	}
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.ID == "" || m.Status != "queued" || m.Encoding != "gsm7" || m.Segments != 1 || m.Priority != "emergency" ||
		m.From != "+13195550100" || m.ClientRef != "inc-42" || !m.Report {
		t.Errorf("answer %+v", m)
	}
	if hdr.Get("Location") != "/api/v1/messages/"+m.ID {
		t.Errorf("Location %q", hdr.Get("Location"))
	}
	if m.Source != "http:cad-1" || m.SourceAddr != "127.0.0.1" {
		t.Errorf("owner should see source: %q %q", m.Source, m.SourceAddr)
	}
	if want := e.clk.Now().Add(2 * time.Hour); !m.ValidUntil.Equal(want) {
		t.Errorf("valid_until %v, want %v", m.ValidUntil, want)
	}
	if !strings.Contains(string(b), `"created":"2026-11-22T10:00:00.000Z"`) {
		t.Errorf("times not RFC 3339 ms UTC: %s", b)
	}
	// Two segments of UCS-2.
	_, m2 := e.submit(keyNorth, `{"to":"+13195550123","text":"`+strings.Repeat("é€ж", 30)+`"}`)
	if m2.Encoding != "ucs2" || m2.Segments != 2 {
		t.Errorf("ucs2 plan: %s %d", m2.Encoding, m2.Segments)
	}
	// Binary with a UDH, base64.
	code, m3 := e.submit(keyNorth, `{"to":"+13195550123","binary":"AQID","udh":"BQQLhCPw","report":false}`)
	if code != 202 || m3.Encoding != "8bit" || string(m3.Binary) != "\x01\x02\x03" || m3.Report {
		t.Errorf("binary: %d %+v", code, m3)
	}
	// Escapes: a surrogate pair, an escaped backslash before "ud800"
	// (text, not an escape), é.
	code, m4 := e.submit(keyNorth, `{"to":"+13195550123","text":"\ud83d\ude00 \\ud800 \u00e9"}`)
	if code != 202 || m4.Text != "😀 \\ud800 é" {
		t.Errorf("escapes: %d %q", code, m4.Text)
	}
}

func TestSubmitIdempotent(t *testing.T) {
	e := newEnv(t)
	body := `{"to":"+13195550123","text":"once"}`
	code, first := e.submit(keyNorth, body, "Idempotency-Key", "k-1")
	if code != 202 {
		t.Fatal(code)
	}
	code, again := e.submit(keyNorth, body, "Idempotency-Key", "k-1")
	if code != http.StatusOK || again.ID != first.ID {
		t.Fatalf("replay: %d %s vs %s", code, again.ID, first.ID)
	}
	code, _, b := e.do("POST", "/api/v1/messages", keyNorth, `{"to":"+13195550124","text":"other"}`, "Idempotency-Key", "k-1")
	if ae := apiError(t, b); code != http.StatusConflict || ae.Code != "idempotency_conflict" {
		t.Fatalf("conflict: %d %+v", code, ae)
	}
	// The same key in another tenant is another message.
	code, other := e.submit(keySouth, body, "Idempotency-Key", "k-1")
	if code != 202 || other.ID == first.ID {
		t.Fatalf("other tenant: %d %s", code, other.ID)
	}
}

func TestSubmitErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"invalid recipient", `{"to":"+9991","text":"x"}`, 422, "invalid_recipient", "to"},
		{"country", `{"to":"+447700900123","text":"x"}`, 403, "country_not_allowed", "to"},
		{"suppressed", `{"to":"+13195550666","text":"x"}`, 403, "suppressed", "to"},
		{"quota", `{"to":"+13195550777","text":"x"}`, 429, "quota_exceeded", ""},
		{"sender", `{"to":"+13195550123","text":"x","from":"EVIL"}`, 403, "sender_not_allowed", "from"},
		{"missing to", `{"text":"x"}`, 422, "invalid_request", "to"},
		{"no body", `{"to":"+13195550123"}`, 422, "invalid_request", "text"},
		{"both bodies", `{"to":"+13195550123","text":"x","binary":"AQ=="}`, 422, "invalid_request", "binary"},
		{"bad udh", `{"to":"+13195550123","binary":"AQ==","udh":"BQQL"}`, 422, "invalid_request", "udh"},
		{"priority", `{"to":"+13195550123","text":"x","priority":"urgent"}`, 422, "invalid_request", "priority"},
		{"validity", `{"to":"+13195550123","text":"x","validity":"soon"}`, 422, "invalid_request", "validity"},
		{"validity past", `{"to":"+13195550123","text":"x","validity":"2020-01-01T00:00:00Z"}`, 422, "invalid_request", "validity"},
		{"send_at", `{"to":"+13195550123","text":"x","send_at":"tomorrow"}`, 422, "invalid_request", "send_at"},
		{"send_at far", `{"to":"+13195550123","text":"x","send_at":"9999-12-31T23:59:59Z"}`, 422, "invalid_request", "send_at"},
		{"validity far", `{"to":"+13195550123","text":"x","validity":"9999-12-31T23:59:59Z"}`, 422, "invalid_request", "validity"},
		{"validity long", `{"to":"+13195550123","text":"x","validity":"60w"}`, 422, "invalid_request", "validity"},
		{"spool invalid", `{"to":"+13195550123","text":"x","client_ref":"` + strings.Repeat("r", 200) + `"}`, 422, "invalid_request", "client_ref"},
		{"syntax", `{"to":`, 400, "invalid_json", ""},
		{"type", `{"to":13195550123,"text":"x"}`, 400, "invalid_json", "to"},
		{"unknown field", `{"to":"+13195550123","txt":"x"}`, 400, "invalid_json", "txt"},
		{"base64", `{"to":"+13195550123","binary":"!!"}`, 400, "invalid_json", "binary"},
		{"udh base64", `{"to":"+13195550123","binary":"AQ==","udh":"%%"}`, 400, "invalid_json", "udh"},
		{"not UTF-8", "{\"to\":\"+13195550123\",\"text\":\"caf\xe9\"}", 400, "invalid_json", ""},
		{"overlong UTF-8", "{\"to\":\"+13195550123\",\"text\":\"\xc0\xaf\"}", 400, "invalid_json", ""},
		{"lone surrogate", `{"to":"+13195550123","text":"a\ud800b"}`, 400, "invalid_json", ""},
		{"lone low surrogate", `{"to":"+13195550123","text":"\udc00"}`, 400, "invalid_json", ""},
		{"reversed pair", `{"to":"+13195550123","text":"\ude00\ud83d"}`, 400, "invalid_json", ""},
		{"field case", `{"To":"+13195550123","text":"x"}`, 400, "invalid_json", "To"},
		{"field twice", `{"to":"+13195550123","text":"x","to":"+13195550124"}`, 400, "invalid_json", "to"},
		{"trailing", `{"to":"+13195550123","text":"x"} {}`, 400, "invalid_json", ""},
		{"array", `[1]`, 400, "invalid_json", ""},
		{"too large", `{"to":"+13195550123","text":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "body_too_large", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, b := e.do("POST", "/api/v1/messages", keyNorth, c.body)
			ae := apiError(t, b)
			if code != c.status || ae.Code != c.code || ae.Field != c.field || ae.Message == "" || ae.Message[0] == ' ' {
				t.Errorf("got %d %+v, want %d %s field %q", code, ae, c.status, c.code, c.field)
			}
			if c.name == "array" && ae.Message != "the body must be a JSON object, not a JSON array" {
				t.Errorf("array body: %q", ae.Message)
			}
		})
	}
}

// A validity given as a duration counts from send_at when the message is
// scheduled (as the default validity does), else from acceptance; days
// and weeks are durations, as in the configuration.
func TestSubmitValidity(t *testing.T) {
	e := newEnv(t)
	now := e.clk.Now()
	cases := []struct {
		name, fields string
		want         time.Time
	}{
		{"duration", `"validity":"90m"`, now.Add(90 * time.Minute)},
		{"days", `"validity":"3d"`, now.Add(72 * time.Hour)},
		{"weeks", `"validity":"1w"`, now.Add(7 * 24 * time.Hour)},
		{"scheduled", `"send_at":"2026-11-22T11:00:00Z","validity":"90m"`, now.Add(150 * time.Minute)},
		{"scheduled, absolute", `"send_at":"2026-11-22T11:00:00Z","validity":"2026-11-22T11:30:00Z"`, now.Add(90 * time.Minute)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, b := e.do("POST", "/api/v1/messages", keyNorth, `{"to":"+13195550123","text":"x",`+c.fields+`}`)
			var m Message
			if err := json.Unmarshal(b, &m); err != nil || code != http.StatusAccepted {
				t.Fatalf("status %d: %s", code, b)
			}
			if !m.ValidUntil.Equal(c.want) {
				t.Errorf("valid_until %v, want %v", m.ValidUntil, c.want)
			}
		})
	}
	code, _, b := e.do("POST", "/api/v1/messages", keyNorth,
		`{"to":"+13195550123","text":"x","send_at":"2026-11-22T11:00:00Z","validity":"2026-11-22T10:30:00Z"}`)
	if ae := apiError(t, b); code != 422 || ae.Field != "send_at" {
		t.Errorf("send_at after an absolute validity: %d %+v", code, ae)
	}
}

func TestSubmitBackendErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{fmt.Errorf("enqueue: %w: 10 queued", spool.ErrSpoolFull), 503, "spool_full", "30"},
		{spool.ErrClosed, 503, "unavailable", "30"},
		{&policyErr{"unknown_tenant", ""}, 403, "unknown_tenant", ""},
		{&policyErr{"invalid_sender", "from"}, 422, "invalid_sender", ""},
		{errBoom, 500, "internal", ""},
	}
	for _, c := range cases {
		e.b.mu.Lock()
		e.b.failNext = c.err
		e.b.mu.Unlock()
		code, hdr, b := e.do("POST", "/api/v1/messages", keyNorth, `{"to":"+13195550123","text":"x"}`)
		ae := apiError(t, b)
		if code != c.status || ae.Code != c.code || hdr.Get("Retry-After") != c.retryAfter {
			t.Errorf("%v: got %d %+v Retry-After %q", c.err, code, ae, hdr.Get("Retry-After"))
		}
		if strings.Contains(string(b), "/var/lib") || strings.Contains(string(b), "goroutine") {
			t.Errorf("internal detail leaked: %s", b)
		}
	}
}

func TestGetAndTenantIsolation(t *testing.T) {
	e := newEnv(t)
	_, m := e.submit(keyNorth, `{"to":"+13195550123","text":"hello"}`)
	code, _, b := e.do("GET", "/api/v1/messages/"+m.ID, keyNorth, "")
	if code != 200 {
		t.Fatal(code, string(b))
	}
	var got Message
	_ = json.Unmarshal(b, &got)
	if len(got.Timeline) != 2 || got.Timeline[0].Status != "accepted" || got.Timeline[1].Status != "queued" ||
		got.Timeline[0].Actor != "http:cad-1" {
		t.Errorf("timeline %+v", got.Timeline)
	}
	for _, path := range []string{"/api/v1/messages/" + m.ID, "/api/v1/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/api/v1/messages/nope"} {
		code, _, b = e.do("GET", path, keySouth, "")
		if ae := apiError(t, b); code != 404 || ae.Code != "not_found" {
			t.Errorf("%s from another tenant: %d %+v", path, code, ae)
		}
	}
	code, _, _ = e.do("DELETE", "/api/v1/messages/"+m.ID, keySouth, "")
	if code != 404 {
		t.Errorf("cancel from another tenant: %d", code)
	}
	// The parts of a sent message.
	leased, _ := e.b.s.Lease(t.Context(), 10, spool.PriorityNormal)
	for _, l := range leased {
		_ = e.b.s.Complete(t.Context(), l.ID, l.Attempts, spool.Result{Connector: "modem-1", ProviderIDs: []string{"17"}})
	}
	_, _, b = e.do("GET", "/api/v1/messages/"+m.ID, keyNorth, "")
	got = Message{}
	_ = json.Unmarshal(b, &got)
	if got.Status != "sent" || len(got.Parts) != 1 || got.Parts[0].ProviderID != "17" || got.Connector != "modem-1" {
		t.Errorf("sent message: %s", b)
	}
}

func TestSourceOnlyForOwner(t *testing.T) {
	e := newEnv(t)
	e.api.SetKeys(append(testKeys, APIKey{ID: "cad-3", Tenant: "psap-north", Key: "third"}))
	_, m := e.submit(keyNorth, `{"to":"+13195550123","text":"hello"}`)
	_, _, b := e.do("GET", "/api/v1/messages/"+m.ID, "third", "")
	if strings.Contains(string(b), "source") {
		t.Errorf("another key of the tenant sees the source: %s", b)
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t)
	_, m := e.submit(keyNorth, `{"to":"+13195550123","text":"hello"}`)
	code, _, b := e.do("DELETE", "/api/v1/messages/"+m.ID, keyNorth, "")
	var got Message
	_ = json.Unmarshal(b, &got)
	if code != 200 || got.Status != "cancelled" {
		t.Fatalf("cancel: %d %s", code, b)
	}
	code, _, b = e.do("DELETE", "/api/v1/messages/"+m.ID, keyNorth, "")
	if ae := apiError(t, b); code != 409 || ae.Code != "final" {
		t.Errorf("cancel again: %d %+v", code, ae)
	}
	_, m2 := e.submit(keyNorth, `{"to":"+13195550124","text":"hello"}`)
	if _, err := e.b.s.Lease(t.Context(), 10, spool.PriorityNormal); err != nil {
		t.Fatal(err)
	}
	code, _, b = e.do("DELETE", "/api/v1/messages/"+m2.ID, keyNorth, "")
	if ae := apiError(t, b); code != 409 || ae.Code != "not_cancellable" {
		t.Errorf("cancel while sending: %d %+v", code, ae)
	}
}

func TestListPaging(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 7 {
		to := "+1319555010" + fmt.Sprint(i%2)
		_, m := e.submit(keyNorth, fmt.Sprintf(`{"to":%q,"text":"n%d","from":"PSAP%d"}`, to, i, i%2))
		ids = append(ids, m.ID)
		e.clk.Add(time.Second)
	}
	e.submit(keySouth, `{"to":"+13195550100","text":"south"}`)
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		path := "/api/v1/messages?limit=3"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		code, _, b := e.do("GET", path, keyNorth, "")
		if code != 200 {
			t.Fatal(code, string(b))
		}
		var p Page
		_ = json.Unmarshal(b, &p)
		for _, m := range p.Messages {
			seen = append(seen, m.ID)
			if m.Timeline != nil {
				t.Error("list carries timelines")
			}
		}
		if cursor = p.NextCursor; cursor == "" || pages > 5 {
			break
		}
	}
	if len(seen) != 7 || seen[0] != ids[6] || seen[6] != ids[0] {
		t.Errorf("paged %v, want newest first of %v", seen, ids)
	}
	check := func(query string, want int) {
		t.Helper()
		code, _, b := e.do("GET", "/api/v1/messages?"+query, keyNorth, "")
		var p Page
		_ = json.Unmarshal(b, &p)
		if code != 200 || len(p.Messages) != want {
			t.Errorf("%s: %d, %d messages, want %d: %s", query, code, len(p.Messages), want, b)
		}
	}
	check("to=%2B13195550101", 3)
	check("to=+13195550101", 3)   // an unescaped + arrives as a space
	check("to=(319)+555-0101", 3) // as a submit takes it
	check("from=PSAP0", 4)
	check("status=queued", 7)
	check("status=delivered", 0)
	check("since=2026-11-22T10:00:05Z", 2)
	check("until=2026-11-22T10:00:02Z", 2)
	for q, field := range map[string]string{"status=nope": "status", "limit=0": "limit", "limit=x": "limit",
		"since=yesterday": "since", "cursor=zzz": "cursor", "state=failed": "state"} {
		code, _, b := e.do("GET", "/api/v1/messages?"+q, keyNorth, "")
		if ae := apiError(t, b); code != 422 || ae.Field != field {
			t.Errorf("%s: %d %+v", q, code, ae)
		}
	}
}

func TestInbound(t *testing.T) {
	e := newEnv(t)
	if _, err := e.b.s.Receive(t.Context(), &spool.Message{Tenant: "psap-north", From: "+13195550199",
		To: "+13195550100", Body: "STOP", Connector: "modem-1"}, ""); err != nil {
		t.Fatal(err)
	}
	e.submit(keyNorth, `{"to":"+13195550123","text":"out"}`)
	code, _, b := e.do("GET", "/api/v1/inbound", keyNorth, "")
	var p Page
	_ = json.Unmarshal(b, &p)
	if code != 200 || len(p.Messages) != 1 || p.Messages[0].Text != "STOP" || p.Messages[0].Direction != "mo" ||
		p.Messages[0].Received.IsZero() || p.Messages[0].Status != "received" {
		t.Fatalf("inbound: %d %s", code, b)
	}
	_, _, b = e.do("GET", "/api/v1/inbound", keySouth, "")
	if !strings.Contains(string(b), `"messages":[]`) {
		t.Errorf("other tenant sees inbound: %s", b)
	}
	// A long one that waited for its parts is received when its first
	// part came, not when it was stored.
	first := time.Date(2026, 11, 22, 9, 58, 0, 0, time.UTC)
	long, err := e.b.s.Receive(t.Context(), &spool.Message{Tenant: "psap-north", From: "+13195550199",
		To: "+13195550100", Body: "Smoke at 120", Segments: 2, Connector: "modem-1", ReceivedAt: first,
		Reason: "parts [2] never arrived"}, "")
	if err != nil {
		t.Fatal(err)
	}
	code, _, b = e.do("GET", "/api/v1/messages/"+long.ID, keyNorth, "")
	var got Message
	if json.Unmarshal(b, &got) != nil || code != 200 || !got.Received.Equal(first) || got.Created.Equal(first) {
		t.Fatalf("long inbound: %d %s", code, b)
	}
}

func TestHealthReadyStatusMetrics(t *testing.T) {
	e := newEnv(t)
	if code, _, b := e.do("GET", "/healthz", "", ""); code != 200 || !strings.Contains(string(b), "ok") {
		t.Errorf("healthz %d %s", code, b)
	}
	if code, _, _ := e.do("GET", "/readyz", "", ""); code != 200 {
		t.Errorf("readyz %d", code)
	}
	e.b.ready = fmt.Errorf("no usable route: modem-1 not registered")
	if code, _, b := e.do("GET", "/readyz", "", ""); code != 503 || !strings.Contains(string(b), "modem-1 not registered") {
		t.Errorf("readyz unready %d %s", code, b)
	}
	e.submit(keyNorth, `{"to":"+13195550123","text":"x","priority":"high"}`)
	code, _, b := e.do("GET", "/api/v1/status", keyNorth, "")
	var st Status
	_ = json.Unmarshal(b, &st)
	if code != 200 || st.Queue["high"] != 1 || len(st.Connectors) != 1 || !st.Connectors[0].Ready {
		t.Errorf("status %d %s", code, b)
	}
	if !strings.Contains(string(b), `"started":"2026-11-22T09:00:00.412Z"`) || !strings.Contains(string(b), `"since":"2026-11-22T09:00:00.412Z"`) {
		t.Errorf("status times not RFC 3339 ms UTC: %s", b)
	}
	if code, _, _ := e.do("GET", "/api/v1/status", "", ""); code != 401 {
		t.Errorf("status without a key: %d", code)
	}
	e.do("GET", "/api/v1/messages", "wrong", "")
	code, _, b = e.do("GET", "/metrics", "", "")
	for _, name := range []string{"smsgw_http_requests_total", "smsgw_http_submit_duration_seconds",
		"smsgw_http_auth_failures_total", `code="202",route="POST /api/v1/messages"`} {
		if code != 200 || !strings.Contains(string(b), name) {
			t.Errorf("metrics lack %s", name)
		}
	}
}

func TestUnmatchedRoutes(t *testing.T) {
	e := newEnv(t)
	code, _, b := e.do("GET", "/api/v1/nothing", keyNorth, "")
	if ae := apiError(t, b); code != 404 || ae.Code != "not_found" {
		t.Errorf("404: %d %+v", code, ae)
	}
	code, hdr, b := e.do("PUT", "/api/v1/messages", keyNorth, "")
	if ae := apiError(t, b); code != 405 || ae.Code != "method_not_allowed" || !strings.Contains(hdr.Get("Allow"), "POST") {
		t.Errorf("405: %d %+v %v", code, ae, hdr)
	}
}

// TestTimelineNotes: an entry that changes no status (a report handed
// to the webhook after "delivered") is marked a note, so that a client
// counting status changes does not count "delivered" twice.
func TestTimelineNotes(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	m := &spool.Message{ID: "01JD3Q8ZB6M4S7Y2V1X0T9R5KC", State: spool.StateDelivered, Timeline: []spool.Event{
		{At: at, State: spool.StateAccepted}, {At: at, State: spool.StateQueued}, {At: at, State: spool.StateDelivered},
		{At: at, State: spool.StateDelivered, Detail: "report (delivered) handed to http:cad-1"}}}
	var notes []bool
	for _, e := range toJSON(m, view{full: true}).Timeline {
		notes = append(notes, e.Note)
	}
	if !slices.Equal(notes, []bool{false, false, false, true}) {
		t.Fatalf("notes %v", notes)
	}
}
