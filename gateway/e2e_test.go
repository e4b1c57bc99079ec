package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"

	"github.com/smsgw/smsgw/modem/modemsim"
	"github.com/smsgw/smsgw/smpp"
	"github.com/smsgw/smsgw/smpp/smscsim"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// TestHTTPToCarrier: HTTP submit → spool → carrier connector → smscsim →
// receipt → delivered → a signed webhook.
func TestHTTPToCarrier(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, sim: smscsim.Options{IDFormat: smscsim.IDHexLower, ReceiptIDFormat: smscsim.IDDecimal}})
	r.waitReady("carrier-a")
	code, body := r.post(testKey, map[string]any{"to": "(319) 555-0123", "text": "Shelter at Lincoln High", "client_ref": "cad-77"})
	if code != http.StatusAccepted || body["encoding"] != "gsm7" || body["segments"] != 1.0 || body["to"] != "+13195550123" {
		t.Fatalf("submit: %d %v", code, body)
	}
	ev := r.waitHook(body["id"].(string))
	if ev.Type != "message.status" || ev.Message.Status != "delivered" || ev.Message.ClientRef != "cad-77" || ev.Message.Connector != "carrier-a" {
		t.Fatalf("webhook %+v", ev)
	}
	// The simulated carrier's receipt ends "text:Shelter at Lincoln H", as
	// SMSCs' do: none of it may leave the message's body.
	if ev.Message.Text != "" || strings.Contains(ev.Message.Reason, "Shelter") || !strings.Contains(ev.Message.Reason, "DELIVRD") {
		t.Fatalf("status event text %q, reason %q: want the receipt's fields and no text", ev.Message.Text, ev.Message.Reason)
	}
	log, err := r.g.store.AuditLog(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range log {
		if strings.Contains(e.Detail, "Shelter") {
			t.Fatalf("the audit trail holds the message's text: %+v", e)
		}
	}
}

// TestHTTPToModem: the same through the modem (the carrier is not
// enabled: fail closed), the status report closing the message.
func TestHTTPToModem(t *testing.T) {
	r := newRig(t, rigOptions{modemEnabled: true})
	r.waitReady("modem-1")
	text := strings.Repeat("Boil water notice for the north district. ", 5) // 2 parts
	code, body := r.post(testKey, map[string]any{"to": "+13195550124", "text": text, "priority": "high"})
	if code != http.StatusAccepted || body["segments"] != 2.0 {
		t.Fatalf("submit: %d %v", code, body)
	}
	ev := r.waitHook(body["id"].(string))
	if ev.Message.Status != "delivered" || ev.Message.Connector != "modem-1" {
		t.Fatalf("webhook %+v", ev.Message)
	}
	if n := len(r.sim.Submits()); n != 0 {
		t.Fatalf("the disabled carrier got %d submits", n)
	}
}

// esme is an upstream application bound to the gateway's SMPP server;
// deliver_sm it receives go to inbox.
func esme(t *testing.T, addr string, inbox chan pdu.Body) *smpp.Session {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := smpp.NewSession(c, func(s *smpp.Session, req pdu.Body) {
		s.Respond(req, pdu.NewDeliverSMResp())
		inbox <- req
	}, smpp.SessionOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	go s.Run(ctx)
	t.Cleanup(cancel)
	b := pdu.NewBindTransceiver()
	b.Fields().Set(pdufield.SystemID, "cad")
	b.Fields().Set(pdufield.Password, testSMPPPass)
	if _, err := s.Request(context.Background(), b); err != nil {
		t.Fatal("bind:", err)
	}
	return s
}

// TestSMPPToCarrierAndReceiptBack: an upstream ESME submits over SMPP →
// carrier → receipt → deliver_sm back to the ESME with our id.
func TestSMPPToCarrierAndReceiptBack(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	inbox := make(chan pdu.Body, 10)
	s := esme(t, r.g.SMPPAddr(), inbox)
	p := pdu.NewSubmitSM(nil)
	f := p.Fields()
	f.Set(pdufield.SourceAddr, "13195550100")
	f.Set(pdufield.SourceAddrTON, uint8(1))
	f.Set(pdufield.DestinationAddr, "13195550125")
	f.Set(pdufield.DestAddrTON, uint8(1))
	f.Set(pdufield.RegisteredDelivery, uint8(1))
	f.Set(pdufield.ShortMessage, pdutext.Raw("Units dispatched"))
	resp, err := s.Request(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Fields()[pdufield.MessageID].String()
	select {
	case d := <-inbox:
		if !strings.Contains(string(d.Fields()[pdufield.ShortMessage].Bytes()), "id:"+id) ||
			!strings.Contains(string(d.Fields()[pdufield.ShortMessage].Bytes()), "stat:DELIVRD") {
			t.Fatalf("receipt %q for %s", d.Fields()[pdufield.ShortMessage].Bytes(), id)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no receipt came back to the ESME")
	}
}

// TestPolicyRefusals: every refusal over HTTP, each with its own code.
func TestPolicyRefusals(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, quota: 3})
	for _, tc := range []struct {
		name string
		key  string
		body map[string]any
		code int
		want string
	}{
		{"international", testKey, map[string]any{"to": "+442079460000", "text": "x"}, 403, "country_not_allowed"},
		{"invalid number", testKey, map[string]any{"to": "12", "text": "x"}, 422, "invalid_recipient"},
		{"unknown sender", testKey, map[string]any{"to": "+13195550126", "text": "x", "from": "OTHER"}, 403, "sender_not_allowed"},
		{"wrong key", "nope", map[string]any{"to": "+13195550126", "text": "x"}, 401, "unauthorized"},
	} {
		code, body := r.post(tc.key, tc.body)
		if code != tc.code || errCode(body) != tc.want {
			t.Errorf("%s: %d %v, want %d %s", tc.name, code, body, tc.code, tc.want)
		}
	}
	// Quota: three a day.
	var first string
	for i := range 3 {
		code, body := r.post(testKey, map[string]any{"to": fmt.Sprintf("+1319555020%d", i), "text": "x"})
		if code != 202 {
			t.Fatalf("message %d: %d %v", i, code, body)
		}
		if first == "" {
			first = body["id"].(string)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, r.url+"/api/v1/messages", strings.NewReader(`{"to":"+13195550209","text":"x"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Retry when the quota resets, at 00:00 UTC, not every minute.
	now := time.Now().UTC()
	untilMidnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour).Sub(now)
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 ||
		(time.Duration(ra)*time.Second-untilMidnight).Abs() > 5*time.Second {
		t.Fatalf("past the quota: %d, Retry-After %q; the day ends in %v", resp.StatusCode, resp.Header.Get("Retry-After"), untilMidnight)
	}
	// Another tenant's message id is not found.
	if code, _ := r.do(http.MethodGet, "/api/v1/messages/"+first, otherKey, nil); code != 404 {
		t.Fatalf("another tenant's message: %d", code)
	}
}

// TestOptOutFromHandset: STOP from a handset to the modem's line
// suppresses the number (the confirmation goes back), and a submit to it
// is then refused on HTTP and on SMPP alike, with its own code.
func TestOptOutFromHandset(t *testing.T) {
	r := newRig(t, rigOptions{modemEnabled: true})
	r.waitReady("modem-1")
	if _, err := r.modem.DeliverMO(modemsim.MO{From: "+13195550130", Text: "STOP"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	for {
		code, body := r.post(testKey, map[string]any{"to": "+13195550130", "text": "x"})
		if code == 403 && errCode(body) == "suppressed" {
			break
		}
		if code == 202 {
			t.Logf("accepted before the STOP was stored: %v", body["id"])
		}
		select {
		case ev := <-r.hooks: // the MO (webhook) is the signal that the STOP was stored
			if ev.Type == "message.inbound" && ev.Message.Text != "STOP" {
				t.Fatalf("inbound %+v", ev.Message)
			}
		case <-deadline:
			t.Fatal("the number was never suppressed")
		}
	}
	inbox := make(chan pdu.Body, 10)
	s := esme(t, r.g.SMPPAddr(), inbox)
	p := pdu.NewSubmitSM(nil)
	p.Fields().Set(pdufield.DestinationAddr, "13195550130")
	p.Fields().Set(pdufield.DestAddrTON, uint8(1))
	p.Fields().Set(pdufield.ShortMessage, pdutext.Raw("x"))
	var st pdu.Status
	if _, err := s.Request(context.Background(), p); !errorsAs(err, &st) || st != StatusSuppressed {
		t.Fatalf("SMPP submit to a suppressed number: %v", err)
	}
}

// TestInboundReachesWebhookAndSMPP: a caller's text goes to the tenant's
// webhook and, as deliver_sm, to its SMPP account (the CAD system) alike.
func TestInboundReachesWebhookAndSMPP(t *testing.T) {
	r := newRig(t, rigOptions{modemEnabled: true})
	r.waitReady("modem-1")
	inbox := make(chan pdu.Body, 10)
	esme(t, r.g.SMPPAddr(), inbox)
	const text = "Fire at 5th and Main"
	if _, err := r.modem.DeliverMO(modemsim.MO{From: "+13195550131", Text: text}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	for hook, smpp := false, false; !hook || !smpp; {
		select {
		case ev := <-r.hooks:
			hook = hook || ev.Type == "message.inbound" && ev.Message.Text == text
		case d := <-inbox:
			smpp = smpp || string(d.Fields()[pdufield.ShortMessage].Bytes()) == text &&
				d.Fields()[pdufield.SourceAddr].String() == "13195550131"
		case <-deadline:
			t.Fatalf("webhook %v, deliver_sm %v: want both", hook, smpp)
		}
	}
}

// TestInboundWaitsForTheCADBind: a caller's text that came while the
// CAD system was not bound goes to it as soon as it binds, not at the
// spool's next retry (here 10 minutes away). Before, it waited for the
// retry: up to 10 minutes with the default backoff.
func TestInboundWaitsForTheCADBind(t *testing.T) {
	r := newRig(t, rigOptions{modemEnabled: true, backoff: 10 * time.Minute})
	r.waitReady("modem-1")
	const text = "Intruder downstairs, I am hiding upstairs"
	if _, err := r.modem.DeliverMO(modemsim.MO{From: "+13195550131", Text: text}); err != nil {
		t.Fatal(err)
	}
	// The webhook gets it; the deliver_sm to the unbound account fails
	// and waits for its retry.
	r.waitOutboxRetry()
	inbox := make(chan pdu.Body, 10)
	esme(t, r.g.SMPPAddr(), inbox)
	select {
	case d := <-inbox:
		if got := string(d.Fields()[pdufield.ShortMessage].Bytes()); got != text {
			t.Fatalf("deliver_sm %q", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the caller's text did not reach the CAD system when it bound")
	}
}

func errorsAs(err error, st *pdu.Status) bool {
	s, ok := err.(pdu.Status)
	if ok {
		*st = s
	}
	return ok
}

// TestFailover: the carrier goes away under load; traffic moves to the
// modem and nothing is lost; when the carrier is back, traffic moves back.
func TestFailover(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, modemEnabled: true})
	r.waitReady("carrier-a")
	r.waitReady("modem-1")
	submit := func(n int, base int) []string {
		var ids []string
		for i := range n {
			code, body := r.post(testKey, map[string]any{"to": fmt.Sprintf("+131955%05d", base+i), "text": "Flood warning"})
			if code != 202 {
				t.Fatalf("submit: %d %v", code, body)
			}
			ids = append(ids, body["id"].(string))
		}
		return ids
	}
	ids := submit(20, 1000)
	addr := r.sim.Addr()
	r.sim.Close() // the bind dies, messages in flight
	// What the dead SMSC took and never sent an acknowledged receipt for:
	// those messages are sent, and their receipts went down with it (a
	// real SMSC would send them after the next bind; this one is gone).
	// They stay "sent"; every other message must reach a final state.
	receipted := map[string]bool{}
	for _, d := range r.sim.Deliveries() {
		if d.Kind == smscsim.KindReceipt && d.Acked {
			receipted[d.MessageID] = true
		}
	}
	tookNoReceipt := map[string]bool{} // provider ids, as in submit_sm_resp
	for _, sub := range r.sim.Submits() {
		if sub.MessageID != "" && !receipted[sub.ReceiptID] {
			tookNoReceipt[sub.MessageID] = true
		}
	}
	sentToTheDead := func(m *spool.Message) bool {
		if m.State != spool.StateSent || m.Connector != "carrier-a" || len(m.Parts) == 0 {
			return false
		}
		for _, p := range m.Parts {
			if !tookNoReceipt[p.ProviderID] {
				return false
			}
		}
		return true
	}
	ids = append(ids, submit(20, 2000)...)
	final := map[string]string{}
	dead := map[string]bool{}
	pending := func() (n int) {
		for _, id := range ids {
			if _, ok := final[id]; ok {
				continue
			}
			if m, err := r.g.store.Get(id); err == nil && sentToTheDead(m) {
				dead[id] = true
				continue
			}
			n++
		}
		return n
	}
	tick := time.NewTicker(100 * time.Millisecond) // for the sent ones: no webhook comes
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for pending() > 0 {
		select {
		case ev := <-r.hooks:
			final[ev.Message.ID] = ev.Message.Connector
		case <-tick.C:
		case <-deadline:
			for _, id := range ids { // what the ones without a final webhook are doing
				if _, ok := final[id]; !ok && !dead[id] {
					m, _ := r.g.store.Get(id)
					t.Logf("no final webhook for %s: %s attempts %d connector %q next %v timeline %+v",
						id, m.State, m.Attempts, m.Connector, m.NextAt, m.Timeline)
				}
			}
			t.Fatalf("%d of %d messages without a final webhook after 30 s", pending(), len(ids))
		}
	}
	t.Logf("%d of %d messages final; %d sent to the carrier before it died, their receipts lost with it", len(final), len(ids), len(dead))
	viaModem := 0
	for _, id := range ids {
		if final[id] == "modem-1" {
			viaModem++
		}
		if dead[id] {
			continue
		}
		m, _ := r.g.store.Get(id)
		if m.State != spool.StateDelivered {
			t.Fatalf("%s %s (%s)", id, m.State, m.Reason)
		}
	}
	if viaModem == 0 {
		t.Fatal("nothing moved to the modem")
	}
	// The carrier comes back where it was.
	sim2, err := smscsim.New(smscsim.Options{Addr: addr, Accounts: []smscsim.Account{{SystemID: "smsgw", Password: "carrierpw"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim2.Close()
	r.waitReady("carrier-a")
	back := submit(5, 3000)
	for _, id := range back {
		if ev := r.waitHook(id); ev.Message.Connector != "carrier-a" {
			t.Fatalf("after the carrier came back, %s went via %s", id, ev.Message.Connector)
		}
	}
}

// TestEmergencyFirst: 10,000 normal messages queued behind a slow route
// (one modem); an emergency message submitted after them is sent next.
func TestEmergencyFirst(t *testing.T) {
	r := newRig(t, rigOptions{modemEnabled: true, modem: modemsim.Options{SendDelay: 100 * time.Millisecond}})
	r.waitReady("modem-1")
	ctx := context.Background()
	for i := range 10000 {
		m := &spool.Message{Tenant: "psap-north", To: fmt.Sprintf("+1319%07d", 5500000+i), From: "+13195550100",
			Body: "Routine notice", Source: "test"}
		if err := plan(m); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.g.store.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := r.modem.WaitSubmits(wctx, 2); err != nil { // the backlog is moving
		t.Fatal(err)
	}
	code, body := r.post(testKey, map[string]any{"to": "+13195559911", "text": "EVACUATE NOW", "priority": "emergency"})
	if code != 202 {
		t.Fatalf("emergency submit: %d %v", code, body)
	}
	before := len(r.modem.Submits())
	subs, err := r.modem.WaitSubmits(wctx, before+2)
	if err != nil {
		t.Fatal(err)
	}
	// The emergency message is the next one out (or the one after, if a
	// normal one was already at the modem when it arrived).
	for _, s := range subs[before : before+2] {
		if strings.Contains(s.Message.Destination.String(), "3195559911") {
			return
		}
	}
	t.Fatalf("the emergency message was not among the next two sent: %+v", subs[before:before+2])
}

// TestRetryAsksThePolicy: a failed message retried after its recipient
// opted out is refused with the policy's code (the admin UI and the
// control socket retry through Gateway.Retry); once the opt-out is lifted
// the retry goes.
func TestRetryAsksThePolicy(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, sim: smscsim.Options{
		Outcome: func(smscsim.Submit) smscsim.Outcome { return smscsim.Undelivered }}})
	r.waitReady("carrier-a")
	code, body := r.post(testKey, map[string]any{"to": "+13195550123", "text": "Cooling centre open"})
	if code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, body)
	}
	id := body["id"].(string)
	if ev := r.waitHook(id); ev.Message.Status != "undelivered" {
		t.Fatalf("webhook %+v", ev.Message)
	}
	ctx := context.Background()
	if err := r.g.Policy().Suppress(ctx, "psap-north", "+13195550123", "", "test", "STOP"); err != nil {
		t.Fatal(err)
	}
	_, err := r.g.Retry(ctx, id, "ui:tech")
	var refused *policy.Error
	if !errors.As(err, &refused) || refused.Code != policy.CodeSuppressed {
		t.Fatalf("retry to a suppressed number: %v", err)
	}
	if err := r.g.Policy().Unsuppress(ctx, "psap-north", "+13195550123", "", "test"); err != nil {
		t.Fatal(err)
	}
	m, err := r.g.Retry(ctx, id, "ui:tech")
	if err != nil || m.RetryOf != id {
		t.Fatalf("retry after the opt-out was lifted: %+v %v", m, err)
	}
}

// A spool full of ordinary messages (no connector to drain them) refuses
// the next ordinary one with 503 spool_full, and still takes an
// emergency message: a backlog must not keep a 911 centre's callback out.
func TestEmergencyPastAFullQueue(t *testing.T) {
	r := newRig(t, rigOptions{maxQueued: 3})
	for i := range 3 {
		if code, body := r.post(testKey, map[string]any{"to": fmt.Sprintf("+1319555012%d", i), "text": "routine"}); code != http.StatusAccepted {
			t.Fatalf("submit %d: %d %v", i, code, body)
		}
	}
	if code, body := r.post(testKey, map[string]any{"to": "+13195550129", "text": "routine"}); code != http.StatusServiceUnavailable || errCode(body) != "spool_full" {
		t.Fatalf("an ordinary submit past max_queued: %d %v", code, body)
	}
	if code, body := r.post(testKey, map[string]any{"to": "+13195559911", "text": "EVACUATE NOW", "priority": "emergency"}); code != http.StatusAccepted {
		t.Fatalf("an emergency submit past max_queued: %d %v", code, body)
	}
}

// TestReadyzSaysTheQueueIsFull: a gateway that can send but whose spool
// takes emergency messages only is not ready (/readyz 503, and why): it
// answered 200 while refusing every ordinary submit with 503.
func TestReadyzSaysTheQueueIsFull(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, maxQueued: 2})
	r.waitReady("carrier-a")
	readyz := func() (int, string) {
		resp, err := http.Get(r.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := readyz(); code != http.StatusOK {
		t.Fatalf("before: %d %s", code, body)
	}
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for i := range 2 {
		if code, body := r.post(testKey, map[string]any{"to": fmt.Sprintf("+1319555015%d", i), "text": "later", "send_at": later}); code != http.StatusAccepted {
			t.Fatalf("submit %d: %d %v", i, code, body)
		}
	}
	if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "emergency messages only") ||
		!strings.Contains(body, "2 messages queued (limit 2)") {
		t.Fatalf("full: %d %s", code, body)
	}
}

// TestStopIsBoundedWithSendsInFlight: a carrier that never answers,
// with a response_timeout (60 s) longer than the stop timeout (the
// rig's 5 s): the stop ends within its bound, and the message is sent
// again after the restart. The stop waited the whole response_timeout.
func TestStopIsBoundedWithSendsInFlight(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, responseWait: time.Minute})
	r.waitReady("carrier-a")
	r.sim.IgnoreSubmits(func(smscsim.Submit) bool { return true })
	code, body := r.post(testKey, map[string]any{"to": "+13195550160", "text": "in flight at the stop"})
	if code != http.StatusAccepted {
		t.Fatalf("%d %v", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := r.sim.WaitSubmits(ctx, 1); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("gateway stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the stop did not end within 30 s (the carrier's response_timeout is 60 s)")
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("the stop took %v, over its bound", took)
	}
	s, err := spool.Open(filepath.Join(r.dir, "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	page, err := s.List(spool.Filter{}, "", 10)
	if err != nil || len(page.Messages) != 1 || page.Messages[0].State != spool.StateQueued {
		t.Fatalf("after the stop: %v %+v", err, page.Messages)
	}
}

// TestFailoverFromACarrierThatTakesNothing: a carrier that stays bound
// but answers every submit_sm with ESME_RTHROTTLED, or never answers,
// is taken out of the route after the first such send, and the modem
// delivers: the throttled one held each attempt 70 s and never failed
// over (throttling did not count for the route's breaker), and an
// unanswered one failed over only after five attempts, the rebind in
// between making it ready again.
func TestFailoverFromACarrierThatTakesNothing(t *testing.T) {
	for _, c := range []struct {
		name  string
		fault func(*smscsim.Server)
	}{
		{"throttles everything", func(s *smscsim.Server) { s.RefuseSubmits(0x58) }},
		{"never answers", func(s *smscsim.Server) { s.IgnoreSubmits(func(smscsim.Submit) bool { return true }) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, rigOptions{carrierEnabled: true, modemEnabled: true, responseWait: time.Second, maxAttempts: 3})
			r.waitReady("carrier-a")
			r.waitReady("modem-1")
			c.fault(r.sim)
			code, body := r.post(testKey, map[string]any{"to": "+13195550170", "text": "Evacuate now", "priority": "emergency"})
			if code != http.StatusAccepted {
				t.Fatalf("%d %v", code, body)
			}
			if ev := r.waitHook(body["id"].(string)); ev.Message.Status != "delivered" || ev.Message.Connector != "modem-1" {
				t.Fatalf("%s via %s (%s), want delivered via modem-1", ev.Message.Status, ev.Message.Connector, ev.Message.Reason)
			}
		})
	}
}

// TestStatusOfADisabledConnector: a connector with enabled: false is
// "disabled" and not ready in the status; it showed "connecting".
func TestStatusOfADisabledConnector(t *testing.T) {
	r := newRig(t, rigOptions{modemEnabled: true})
	r.waitReady("modem-1")
	_, st := r.do(http.MethodGet, "/api/v1/status", testKey, nil)
	conns, _ := st["connectors"].([]any)
	found := false
	for _, c := range conns {
		if c := c.(map[string]any); c["name"] == "carrier-a" {
			found = true
			if c["state"] != "disabled" || c["ready"] != false || c["enabled"] != false {
				t.Fatalf("disabled carrier: %v", c)
			}
		}
	}
	if !found {
		t.Fatalf("no carrier-a in %v", st)
	}
}

// A carrier whose front end stays bound while every submit fails (its
// backend is down: ESME_RSYSERR) is taken out of the route after a few
// failures, and the modem delivers everything; the status says why.
func TestFailoverWhenTheBoundCarrierFailsEverySend(t *testing.T) {
	// Retries a second apart (production's start at 10 s): failures that
	// come together count once, and five must come before the carrier is
	// passed over.
	r := newRig(t, rigOptions{carrierEnabled: true, modemEnabled: true, backoff: time.Second})
	r.waitReady("carrier-a")
	r.waitReady("modem-1")
	r.sim.RefuseSubmits(0x08) // ESME_RSYSERR
	var ids []string
	for i := range 8 {
		code, body := r.post(testKey, map[string]any{"to": fmt.Sprintf("+1319555014%d", i), "text": "Boil water notice"})
		if code != http.StatusAccepted {
			t.Fatalf("submit %d: %d %v", i, code, body)
		}
		ids = append(ids, body["id"].(string))
	}
	for _, id := range ids {
		if ev := r.waitHook(id); ev.Message.Status != "delivered" || ev.Message.Connector != "modem-1" {
			t.Fatalf("message %s: %s via %s, want delivered via modem-1", id, ev.Message.Status, ev.Message.Connector)
		}
	}
	code, st := r.do(http.MethodGet, "/api/v1/status", testKey, nil)
	conns, _ := st["connectors"].([]any)
	for _, c := range conns {
		if c := c.(map[string]any); c["name"] == "carrier-a" {
			if code != http.StatusOK || c["state"] != "failing" || c["ready"] != false || !strings.Contains(fmt.Sprint(c["detail"]), "0x8") {
				t.Fatalf("carrier-a status: %d %v", code, c)
			}
			return
		}
	}
	t.Fatalf("no carrier-a in the status: %v", st)
}

// TestStatusShowsRefusedCredentials: a carrier that refuses our password
// is shown as such on the status, with its answer, for the technician
// who reads it (docs/smpp.md).
func TestStatusShowsRefusedCredentials(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true, carrierPass: "old-password"})
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, c := range r.g.Status(context.Background()).Connectors {
			if c.Name == "carrier-a" && c.Info["credentials_refused"] == "true" {
				if c.Ready || !strings.Contains(c.Detail, "password") {
					t.Fatalf("refused carrier: %+v", c)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never showed the refused credentials: %+v", r.g.Status(context.Background()).Connectors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInboundBelongsToTheLineWrittenTo: two tenants share a carrier; a
// caller's text to the second tenant's number is the second tenant's,
// whatever tenant the connector's routes name. It went to the first:
// posted to its webhook, listed in its inbound, and never seen by the
// tenant whose line it was. A text to a number no tenant lists stays
// with the connector's tenant.
func TestInboundBelongsToTheLineWrittenTo(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	for _, mo := range []struct{ to, text string }{
		{"13195550999", "Pothole on Elm St"}, // council's line, as the carrier writes it (TON international)
		{"13195550444", "To a number no one lists"},
	} {
		if err := r.sim.DeliverMO(smscsim.MO{Source: smscsim.Address{TON: 1, NPI: 1, Addr: "13195550132"},
			Dest: smscsim.Address{TON: 1, NPI: 1, Addr: mo.to}, Text: mo.text}); err != nil {
			t.Fatal(err)
		}
	}
	texts := func(key string) []string {
		_, out := r.do(http.MethodGet, "/api/v1/inbound", key, nil)
		var got []string
		items, _ := out["messages"].([]any)
		for _, it := range items {
			got = append(got, it.(map[string]any)["text"].(string))
		}
		slices.Sort(got)
		return got
	}
	for deadline := time.Now().Add(20 * time.Second); len(texts(otherKey))+len(texts(testKey)) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("inbound: council %q, psap-north %q", texts(otherKey), texts(testKey))
		}
		time.Sleep(10 * time.Millisecond) // polling: no signal for an inbound stored
	}
	if c, n := texts(otherKey), texts(testKey); !slices.Equal(c, []string{"Pothole on Elm St"}) ||
		!slices.Equal(n, []string{"To a number no one lists"}) {
		t.Fatalf("inbound: council %q, psap-north %q", c, n)
	}
}

// TestWebhookBackGetsWhatWaited: events that failed while the webhook
// was down go as soon as it answers again, not at their own next retry
// (here 10 minutes away): a caller's texts reached the CAD up to
// max_backoff after it was back, the newest first.
func TestWebhookBackGetsWhatWaited(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprint("restart=", restart), func(t *testing.T) { webhookBack(t, restart) })
	}
}

func webhookBack(t *testing.T, restart bool) {
	r := newRig(t, rigOptions{modemEnabled: true, backoff: 10 * time.Minute})
	r.waitReady("modem-1")
	r.hookDown.Store(true)
	texts := []string{"caller update 1", "caller update 2"}
	for _, text := range texts {
		if _, err := r.modem.DeliverMO(modemsim.MO{From: "+13195550133", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	for range texts {
		select {
		case <-r.hookRefused:
		case <-time.After(20 * time.Second):
			t.Fatal("the webhook was never tried")
		}
	}
	r.waitOutboxRetry() // both refusals recorded
	if restart {
		// The gateway restarts while the events wait: it does not know
		// the webhook failed, and brings them forward all the same.
		cfg := r.g.cfg.Load()
		r.stop()
		r.start(cfg)
		r.waitReady("modem-1")
	}
	r.hookDown.Store(false)
	code, out := r.post(testKey, map[string]any{"to": "+13195550134", "text": "the webhook answers this one"})
	if code != http.StatusAccepted {
		t.Fatalf("%d %v", code, out)
	}
	got := map[string]bool{}
	for deadline := time.After(20 * time.Second); len(got) < len(texts); {
		select {
		case ev := <-r.hooks:
			if ev.Type == "message.inbound" {
				got[ev.Message.Text] = true
			}
		case <-deadline:
			t.Fatalf("after the webhook came back, got %v of %q", got, texts)
		}
	}
}

// waitOutboxRetry waits until nothing in the outbox is due for the next
// 5 minutes: every item delivery failed went into its retry (the rig's
// backoff set to 10 minutes).
func (r *rig) waitOutboxRetry() {
	r.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		next, err := r.g.store.NextOutboxDue()
		if err != nil {
			r.t.Fatal(err)
		}
		if next.After(time.Now().Add(5 * time.Minute)) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the outbox's failed items never went into their retry (next due %v)", next)
		}
		time.Sleep(10 * time.Millisecond) // polling: no signal for a retry recorded
	}
}
