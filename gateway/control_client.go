package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// ControlClient makes the spool calls of `smsgw spool …` on a running
// gateway, over its control socket. Its methods are spool.Store's, so
// the commands work the same on the file and on the gateway; errors
// wrap the same spool errors (spool.ErrNotFound, …).
type ControlClient struct {
	http *http.Client
}

// DialControl returns a client for the control socket at path once a
// connection to it succeeds: a socket file left by a gateway that is not
// running gives an error.
func DialControl(ctx context.Context, path string) (*ControlClient, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	c.Close()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "unix", path)
	}}
	return &ControlClient{http: &http.Client{Transport: tr}}, nil
}

// remoteError is a refusal from the gateway: its message, wrapping the
// spool error its code names.
type remoteError struct {
	msg string
	err error
}

func (e remoteError) Error() string { return e.msg }
func (e remoteError) Unwrap() error { return e.err }

// call sends one request and decodes the JSON answer into out.
func (c *ControlClient) call(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

// send sends a request; a refusal comes back as its error.
func (c *ControlClient) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://smsgw"+controlPrefix+path, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct {
		Error controlError `json:"error"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) != nil || e.Error.Message == "" {
		return nil, fmt.Errorf("control socket: %s", resp.Status)
	}
	for _, ce := range controlErrors {
		if ce.code == e.Error.Code {
			return nil, remoteError{e.Error.Message, ce.err}
		}
	}
	return nil, errors.New(e.Error.Message)
}

// stream copies a streamed answer to w and returns the count its trailer
// gives; an answer cut short, or one whose trailer says it failed, is an
// error.
func (c *ControlClient) stream(ctx context.Context, method, path string, in any, w io.Writer) (int64, error) {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return 0, err
	}
	if msg := resp.Trailer.Get("X-Smsgw-Error"); msg != "" {
		return 0, errors.New(msg)
	}
	n, err := strconv.ParseInt(resp.Trailer.Get("X-Smsgw-Count"), 10, 64)
	if err != nil {
		return 0, errors.New("control socket: the answer was cut short")
	}
	return n, nil
}

// The methods have spool.Store's signatures; those without a context use
// a minute's timeout.

func background() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

func (c *ControlClient) Stats() (spool.Stats, error) {
	ctx, cancel := background()
	defer cancel()
	var st spool.Stats
	return st, c.call(ctx, "GET", "stats", nil, &st)
}

func (c *ControlClient) List(f spool.Filter, cursor string, limit int) (spool.Page, error) {
	ctx, cancel := background()
	defer cancel()
	var p spool.Page
	return p, c.call(ctx, "POST", "list", ListRequest{wireFilter(f), cursor, limit}, &p)
}

func (c *ControlClient) Get(id string) (*spool.Message, error) {
	ctx, cancel := background()
	defer cancel()
	return c.message(ctx, "GET", id, "")
}

// message makes a call about one message and returns it.
func (c *ControlClient) message(ctx context.Context, method, id, verb string) (*spool.Message, error) {
	path := "messages/" + url.PathEscape(id)
	if verb != "" {
		path += "/" + verb
	}
	var m spool.Message
	if err := c.call(ctx, method, path, nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func (c *ControlClient) Enqueue(ctx context.Context, m *spool.Message) (*spool.Message, bool, error) {
	if m.State == 0 { // Enqueue sets it; the zero state has no JSON
		cp := *m
		cp.State = spool.StateAccepted
		m = &cp
	}
	var r EnqueueReply
	err := c.call(ctx, "POST", "messages", m, &r)
	return r.Message, r.Replayed, err
}

// Retry and Cancel are audited as the gateway's control actor, whatever
// actor is given.
func (c *ControlClient) Retry(ctx context.Context, id, _ string) (*spool.Message, error) {
	return c.message(ctx, "POST", id, "retry")
}

func (c *ControlClient) Cancel(ctx context.Context, id, _ string) (*spool.Message, error) {
	return c.message(ctx, "POST", id, "cancel")
}

func (c *ControlClient) Purge(ctx context.Context, r spool.Retention) (spool.PurgeResult, error) {
	var res spool.PurgeResult
	return res, c.call(ctx, "POST", "purge", r, &res)
}

func (c *ControlClient) Check() error {
	ctx, cancel := background()
	defer cancel()
	return c.call(ctx, "GET", "check", nil, &struct{}{})
}

func (c *ControlClient) VerifyAudit() (spool.AuditSummary, error) {
	ctx, cancel := background()
	defer cancel()
	var sum spool.AuditSummary
	return sum, c.call(ctx, "GET", "audit/verify", nil, &sum)
}

func (c *ControlClient) AuditLog(before uint64, limit int) ([]spool.AuditEntry, error) {
	ctx, cancel := background()
	defer cancel()
	var es []spool.AuditEntry
	q := url.Values{"before": {strconv.FormatUint(before, 10)}, "limit": {strconv.Itoa(limit)}}
	return es, c.call(ctx, "GET", "audit/log?"+q.Encode(), nil, &es)
}

// Export and Backup stream without a timeout: a large spool takes a
// while.
func (c *ControlClient) Export(w io.Writer, f spool.Filter) (int, error) {
	n, err := c.stream(context.Background(), "POST", "export", wireFilter(f), w)
	return int(n), err
}

func (c *ControlClient) Backup(w io.Writer) (int64, error) {
	return c.stream(context.Background(), "GET", "backup", nil, w)
}
