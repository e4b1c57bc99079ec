package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to a running gateway's API: over TCP (a base URL) or a
// unix socket (a path). The CLI's `smsgw send` and `smsgw spool …` use it.
// An answer other than 2xx is returned as an *Error.
type Client struct {
	base string // scheme://host, no trailing slash
	key  string
	http *http.Client
}

// NewClient makes a client. target is a base URL ("http://127.0.0.1:8080")
// or a unix socket path ("/run/smsgw/api.sock", or "unix:///run/…").
func NewClient(target, key string) (*Client, error) {
	c := &Client{key: key}
	sock := strings.TrimPrefix(target, "unix://")
	if strings.HasPrefix(sock, "/") {
		tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}
		c.base, c.http = "http://smsgw", &http.Client{Transport: tr, Timeout: time.Minute}
		return c, nil
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("httpapi: client target %q is neither an http(s) URL nor a socket path", target)
	}
	c.base, c.http = strings.TrimRight(u.String(), "/"), &http.Client{Timeout: time.Minute}
	return c, nil
}

// Send submits a message. idempotencyKey, when set, makes a retry of the
// same request return the first message (replayed true) instead of a
// second one.
func (c *Client) Send(ctx context.Context, req SubmitRequest, idempotencyKey string) (m *Message, replayed bool, err error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, false, err
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if idempotencyKey != "" {
		h.Set("Idempotency-Key", idempotencyKey)
	}
	m = new(Message)
	status, err := c.do(ctx, http.MethodPost, "/api/v1/messages", h, body, m)
	if err != nil {
		return nil, false, err
	}
	return m, status == http.StatusOK, nil
}

// Get returns one message with its timeline and parts.
func (c *Client) Get(ctx context.Context, id string) (*Message, error) {
	m := new(Message)
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/messages/"+url.PathEscape(id), nil, nil, m); err != nil {
		return nil, err
	}
	return m, nil
}

// ListOptions are the filters of List; zero fields are not sent.
type ListOptions struct {
	Inbound      bool // GET /inbound instead of /messages
	Status       string
	To, From     string
	Since, Until time.Time
	Limit        int
	Cursor       string
}

// List returns one page; pass its NextCursor as Cursor for the next.
func (c *Client) List(ctx context.Context, o ListOptions) (*Page, error) {
	q := url.Values{}
	for k, v := range map[string]string{"status": o.Status, "to": o.To, "from": o.From, "cursor": o.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if !o.Since.IsZero() {
		q.Set("since", o.Since.UTC().Format(time.RFC3339Nano))
	}
	if !o.Until.IsZero() {
		q.Set("until", o.Until.UTC().Format(time.RFC3339Nano))
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	path := "/api/v1/messages"
	if o.Inbound {
		path = "/api/v1/inbound"
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	p := new(Page)
	if _, err := c.do(ctx, http.MethodGet, path, nil, nil, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Cancel cancels a message not yet sent.
func (c *Client) Cancel(ctx context.Context, id string) (*Message, error) {
	m := new(Message)
	if _, err := c.do(ctx, http.MethodDelete, "/api/v1/messages/"+url.PathEscape(id), nil, nil, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Status returns the gateway's connectors and queue.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	s := new(Status)
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/status", nil, nil, s); err != nil {
		return nil, err
	}
	return s, nil
}

// do makes one request and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, h http.Header, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("httpapi: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("httpapi: %s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var eb errorBody
		if json.Unmarshal(data, &eb) != nil || eb.Error == nil {
			eb.Error = &Error{Code: "http_" + strconv.Itoa(resp.StatusCode), Message: strings.TrimSpace(string(data))}
		}
		eb.Error.Status = resp.StatusCode
		eb.Error.RetryAfter, _ = strconv.Atoi(resp.Header.Get("Retry-After"))
		return resp.StatusCode, eb.Error
	}
	if err := json.Unmarshal(data, out); err != nil {
		return resp.StatusCode, fmt.Errorf("httpapi: %s %s: decoding the answer: %w", method, path, err)
	}
	return resp.StatusCode, nil
}
