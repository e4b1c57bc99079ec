package httpapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

// Webhook is where a tenant's reports and inbound messages go, and the
// secret that signs them.
type Webhook struct {
	URL    string
	Secret string
}

// WebhookOptions configures Webhooks. The zero value of each field means
// its default.
type WebhookOptions struct {
	// Timeout bounds one delivery. Default 10s.
	Timeout time.Duration
	// Transport sends the requests. Default: a clone of
	// http.DefaultTransport that keeps up to 64 idle connections per
	// receiver (the default 2 would open a new connection for most posts
	// from the outbox's concurrent workers).
	Transport http.RoundTripper
	// UserAgent, default "smsgw-webhook/1".
	UserAgent string
	// Logger, default slog.Default().
	Logger *slog.Logger
	// Registerer receives the delivery metrics (shared with the API's when
	// it is the same registry). Default: not registered.
	Registerer prometheus.Registerer
	// Now is the clock (signatures, %t, certificates' validity): the
	// spool's (spool.Store.Now). Default time.Now.
	Now func() time.Time
}

// Webhooks delivers outbox items to HTTP applications; it implements
// spool.Deliverer. A report for a message submitted with a Kannel dlr-url
// is a GET of that URL with its escape codes replaced (ExpandDLRURL);
// every other item is a signed JSON POST to the tenant's webhook.
//
// Outcomes: 2xx is delivered; 5xx, 408, 429, network errors and timeouts
// are retryable; other statuses (and a redirect to another host, which is
// never followed) are permanent; a tenant without a webhook is permanent
// with code no_webhook.
type Webhooks struct {
	o      WebhookOptions
	client *http.Client
	log    *slog.Logger
	met    *metrics
	mu     sync.RWMutex
	hooks  map[string]Webhook
	// callbackHosts restrict each tenant's dlr-url hosts (checked again
	// here on the expanded URL: the policy checked the template).
	callbackHosts map[string]configs.HostList
}

// Event types.
const (
	EventStatus  = "message.status"
	EventInbound = "message.inbound"
)

// EventHeader carries the event id (the outbox item id): the same event
// delivered twice has the same id.
const EventHeader = "X-Smsgw-Event-Id"

// WebhookEvent is the JSON body of a webhook POST.
type WebhookEvent struct {
	ID      string  `json:"id"`   // the event id, also in X-Smsgw-Event-Id
	Type    string  `json:"type"` // message.status or message.inbound
	Created Time    `json:"created"`
	Message Message `json:"message"`
}

// NewWebhooks makes the deliverer; SetWebhooks gives it the tenants'
// webhooks.
func NewWebhooks(o WebhookOptions) *Webhooks {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		o.Transport = t
	}
	if t, ok := o.Transport.(*http.Transport); ok && (t.TLSClientConfig == nil || t.TLSClientConfig.Time == nil) {
		// Certificates are checked against Now (the spool's time): a box
		// that booted with its clock in 1970 still reaches its HTTPS
		// receivers.
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.Time = o.Now
		o.Transport = t
	}
	if o.UserAgent == "" {
		o.UserAgent = "smsgw-webhook/1"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	w := &Webhooks{o: o, log: o.Logger.With("comp", "webhook"), met: newMetrics(o.Registerer)}
	w.client = &http.Client{Transport: o.Transport, Timeout: o.Timeout, CheckRedirect: sameHost}
	return w
}

// sameHost follows at most 3 redirects, and none to another host.
func sameHost(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 || req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		return http.ErrUseLastResponse
	}
	return nil
}

// SetWebhooks replaces the tenants' webhooks (tenant id → webhook).
func (w *Webhooks) SetWebhooks(hooks map[string]Webhook) {
	c := make(map[string]Webhook, len(hooks))
	for k, v := range hooks {
		c[k] = v
	}
	w.mu.Lock()
	w.hooks = c
	w.mu.Unlock()
}

// SetCallbackHosts replaces the tenants' callback_hosts (tenant id → the
// hosts a dlr-url may name; none listed: any).
func (w *Webhooks) SetCallbackHosts(hosts map[string]configs.HostList) {
	c := make(map[string]configs.HostList, len(hosts))
	for k, v := range hosts {
		c[k] = slices.Clone(v)
	}
	w.mu.Lock()
	w.callbackHosts = c
	w.mu.Unlock()
}

// Deliver implements spool.Deliverer.
func (w *Webhooks) Deliver(ctx context.Context, it *spool.OutboxItem, m *spool.Message) error {
	kind := "webhook"
	var err error
	if it.Kind == spool.OutboxReport && m.Callback != "" {
		kind = "dlr_url"
		err = w.dlrURL(ctx, it, m)
	} else {
		err = w.post(ctx, it, m)
	}
	result := "ok"
	switch {
	case err == nil:
	case spool.IsPermanent(err):
		result = "failed"
	default:
		result = "retry"
	}
	w.met.webhooks.WithLabelValues(kind, result).Inc()
	if err != nil {
		w.log.Info("delivery failed", "msg_id", m.ID, "event", it.ID, "kind", kind, "result", result, "err", err)
	}
	return err
}

// post sends the signed JSON event.
func (w *Webhooks) post(ctx context.Context, it *spool.OutboxItem, m *spool.Message) error {
	w.mu.RLock()
	hook, ok := w.hooks[it.Tenant]
	w.mu.RUnlock()
	if !ok || hook.URL == "" {
		return spool.Permanent("no_webhook", fmt.Errorf("tenant %q has no webhook configured", it.Tenant))
	}
	body, err := json.Marshal(event(it, m))
	if err != nil {
		return spool.Permanent("encode", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return spool.Permanent("bad_url", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(EventHeader, it.ID)
	req.Header.Set("X-Smsgw-Event", eventType(it))
	if hook.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(hook.Secret, w.o.Now(), body))
	}
	return w.do(req)
}

// dlrURL fetches the message's Kannel dlr-url, unless the report is
// outside the dlr-mask it was submitted with.
func (w *Webhooks) dlrURL(ctx context.Context, it *spool.OutboxItem, m *spool.Message) error {
	tmpl, mask := splitMask(m.Callback)
	if mask > 0 && mask&dlrValue(it.State) == 0 {
		return nil // not asked for
	}
	u := ExpandDLRURL(tmpl, m, it.State, w.o.Now())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return spool.Permanent("bad_url", err)
	}
	w.mu.RLock()
	allowed := w.callbackHosts[it.Tenant]
	w.mu.RUnlock()
	if !allowed.Allows(req.URL.Hostname()) {
		return spool.Permanent("callback_not_allowed",
			fmt.Errorf("the dlr-url's host %q is not one of tenant %s's callback hosts", req.URL.Hostname(), it.Tenant))
	}
	req.Header.Set(EventHeader, it.ID)
	return w.do(req)
}

// do sends req and classifies the outcome.
func (w *Webhooks) do(req *http.Request) error {
	req.Header.Set("User-Agent", w.o.UserAgent)
	resp, err := w.client.Do(req)
	if err != nil {
		return spool.Retryable("network", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := "http_" + strconv.Itoa(resp.StatusCode)
	st := resp.StatusCode
	switch {
	case st >= 200 && st < 300:
		return nil
	case st >= 500, st == http.StatusRequestTimeout, st == http.StatusTooManyRequests,
		// A refused signature is the receiver's secret or clock being
		// wrong (a rotation half done, a drifting clock), which gets
		// fixed: dropping would lose every event, callers' texts
		// included, until then.
		st == http.StatusUnauthorized, st == http.StatusForbidden:
		return spool.Retryable(code, errors.New(resp.Status))
	case st >= 300 && st < 400:
		return spool.Permanent("redirect", fmt.Errorf("%s to %q not followed (another host, or too many)",
			resp.Status, resp.Header.Get("Location")))
	}
	return spool.Permanent(code, errors.New(resp.Status))
}

func eventType(it *spool.OutboxItem) string {
	if it.Kind == spool.OutboxInbound {
		return EventInbound
	}
	return EventStatus
}

// event is the body of a webhook for an item: the message as the API
// shows it, less the submitter's details, with the reported status.
func event(it *spool.OutboxItem, m *spool.Message) WebhookEvent {
	msg := toJSON(m, view{})
	if it.Kind == spool.OutboxReport && it.State != 0 {
		msg.Status = it.State.String()
	}
	msg.Text, msg.Binary, msg.UDH = "", nil, nil
	if it.Kind == spool.OutboxInbound {
		msg.Text, msg.Binary, msg.UDH = m.Body, m.Binary, m.UDH
	} else {
		// A report carries the per-segment outcome.
		msg.Parts = toJSON(m, view{full: true}).Parts
	}
	return WebhookEvent{ID: it.ID, Type: eventType(it), Created: at(it.Created), Message: msg}
}
