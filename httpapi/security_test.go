package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// A client that sends its headers and then trickles (here: never sends) its
// body is cut off after Options.Timeout, on every route: the request's
// context ending does not interrupt a read.
func TestSlowBodyTimesOut(t *testing.T) {
	e := newEnv(t)
	api := New(Options{Keys: testKeys, Timeout: 200 * time.Millisecond, Logger: discardLogger()}, e.b)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	cases := []struct {
		name, head string
		status     int
		body       string // a part of the answer's body
	}{
		{"submit", "POST /api/v1/messages HTTP/1.1\r\nAuthorization: Bearer " + keyNorth + "\r\nContent-Type: application/json\r\n",
			http.StatusRequestTimeout, `"request_timeout"`},
		{"kannel form", "POST /cgi-bin/sendsms HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n",
			http.StatusRequestTimeout, "Request body too slow, rejected"},
		{"kannel text", "POST /cgi-bin/sendsms HTTP/1.1\r\nContent-Type: text/plain\r\n",
			http.StatusRequestTimeout, "Request body too slow, rejected"},
		// A route that reads no body: the server drains a short one after
		// the answer, and must not wait for it for ever.
		{"healthz", "GET /healthz HTTP/1.1\r\n", http.StatusOK, `"ok"`},
		{"unmatched", "POST /nothing HTTP/1.1\r\n", http.StatusNotFound, `"not_found"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "%sHost: smsgw\r\nContent-Length: 1000\r\n\r\n{", c.head)
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(conn)
			r, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != c.status || !strings.Contains(string(b), c.body) {
				t.Errorf("%d %s, want %d with %s", r.StatusCode, b, c.status, c.body)
			}
			// The server lets the connection go rather than wait for the rest.
			if _, err := br.ReadByte(); err != io.EOF {
				t.Errorf("connection still held after the answer: %v", err)
			}
		})
	}
}

// The Kannel endpoint's query string is held to the body's limit, as a
// POSTed form is: a GET cannot carry thousands of recipients.
func TestKannelQueryLimited(t *testing.T) {
	e := newEnv(t)
	to := strings.TrimSpace(strings.Repeat("+13195550123 ", 6000)) // one number, repeated: over 64 KiB
	code, _, body := e.sendsms(kannelVars("to", to))
	if code != http.StatusRequestURITooLong || body != "Request URI too long, rejected" {
		t.Errorf("long query: %d %q", code, body)
	}
	if p, _ := e.b.s.List(spool.Filter{}, "", 10); len(p.Messages) != 0 {
		t.Errorf("%d messages stored from a refused query", len(p.Messages))
	}
	// Below the limit it works as before.
	if code, _, body := e.sendsms(kannelVars()); code != http.StatusAccepted {
		t.Errorf("short query: %d %q", code, body)
	}
}

// Every route answers without a key as documented, and a key of another
// tenant cannot read or cancel a message: 404, as for an unknown id.
func TestEveryRouteAuth(t *testing.T) {
	e := newEnv(t)
	_, m := e.submit(keyNorth, `{"to":"+13195550123","text":"hello"}`)
	for _, rt := range e.api.Routes() {
		path := strings.ReplaceAll(rt.Path, "{id}", m.ID)
		code, _, b := e.do(rt.Method, path, "", "", "Content-Type", "application/x-www-form-urlencoded")
		switch {
		case rt.Auth && code != http.StatusUnauthorized:
			t.Errorf("%s %s without a key: %d", rt.Method, path, code)
		case rt.Path == "/cgi-bin/sendsms" && code != http.StatusForbidden:
			t.Errorf("%s %s without credentials: %d", rt.Method, path, code)
		case !rt.Auth && rt.Path != "/cgi-bin/sendsms" && code != http.StatusOK:
			t.Errorf("%s %s (open): %d", rt.Method, path, code)
		}
		if strings.Contains(string(b), keyNorth) || strings.Contains(string(b), keySouth) {
			t.Errorf("%s %s: a key in the answer: %s", rt.Method, path, b)
		}
		if strings.Contains(rt.Path, "{id}") {
			code, _, b := e.do(rt.Method, path, keySouth, "")
			var eb errorBody
			if code != http.StatusNotFound || json.Unmarshal(b, &eb) != nil || eb.Error == nil || eb.Error.Code != "not_found" {
				t.Errorf("%s %s with another tenant's key: %d %s", rt.Method, path, code, b)
			}
		}
	}
	if got, _ := e.b.s.Get(m.ID); got.State == spool.StateCancelled {
		t.Error("another tenant cancelled the message")
	}
}

// A receiver whose secret is empty (an unset variable) must not accept a
// signature anyone can compute under the empty key.
func TestVerifySignatureEmptySecret(t *testing.T) {
	now := time.Now()
	body := []byte(`{"id":"01JD3Q9C4T8N2W6Y0B3F5H7K9M"}`)
	if err := VerifySignature("", Sign("", now, body), body, now, 0); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("empty secret: %v, want ErrSignatureMismatch", err)
	}
	if err := VerifySignature("s3cret", Sign("s3cret", now, body), body, now, 0); err != nil {
		t.Errorf("a good signature: %v", err)
	}
	// A t in the future is refused as one in the past is (the docs' shell
	// check does the same).
	if err := VerifySignature("s3cret", Sign("s3cret", now.Add(10*time.Minute), body), body, now, 0); !errors.Is(err, ErrSignatureExpired) {
		t.Errorf("future t: %v", err)
	}
}
