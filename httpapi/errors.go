package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Error is the body of every error answer, inside {"error": …}, and what
// the Client returns for one. Code is stable (see docs/http-api.md);
// Message is for people; Field names the request field at fault.
type Error struct {
	Status  int    `json:"-"` // the HTTP status (filled in by the Client)
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// RetryAfter is the Retry-After header's seconds, when one was sent.
	RetryAfter int `json:"-"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("httpapi: %d %s: %s", e.Status, e.Code, e.Message)
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// ErrorCode returns e.Code (the same interface policy errors implement).
func (e *Error) ErrorCode() string { return e.Code }

// ErrorField returns e.Field.
func (e *Error) ErrorField() string { return e.Field }

// errorBody is the JSON envelope of an error.
type errorBody struct {
	Error *Error `json:"error"`
}

// coded is what a policy refusal implements.
type coded interface {
	ErrorCode() string
	ErrorField() string
}

// codeStatus maps the policy codes to HTTP statuses; a code not listed
// is a 422.
var codeStatus = map[string]int{
	"suppressed":           http.StatusForbidden,
	"country_not_allowed":  http.StatusForbidden,
	"sender_not_allowed":   http.StatusForbidden,
	"quota_exceeded":       http.StatusTooManyRequests,
	"unknown_tenant":       http.StatusForbidden,
	"callback_not_allowed": http.StatusForbidden,
}

// spoolFullRetry is the Retry-After sent with 503 spool_full, in seconds.
const spoolFullRetry = 30

// apiErr makes an *Error.
func apiErr(status int, code, field, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// classify turns an error from the Backend (or our own *Error) into the
// answer; ok is false for an unknown error (a 500).
func classify(err error) (e *Error, ok bool) {
	var ae *Error
	if errors.As(err, &ae) {
		return ae, true
	}
	var c coded
	if errors.As(err, &c) && c.ErrorCode() != "" {
		st, found := codeStatus[c.ErrorCode()]
		if !found {
			st = http.StatusUnprocessableEntity
		}
		e := &Error{Status: st, Code: c.ErrorCode(), Field: c.ErrorField(), Message: err.Error()}
		var ra interface{ RetryAfter() time.Duration }
		switch {
		case errors.As(err, &ra) && ra.RetryAfter() > 0: // the quota: when the day ends
			e.RetryAfter = int(math.Ceil(ra.RetryAfter().Seconds()))
		case st == http.StatusTooManyRequests:
			e.RetryAfter = 60
		}
		return e, true
	}
	msg := strings.TrimPrefix(err.Error(), "spool: ")
	switch {
	case errors.Is(err, spool.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "message not found"}, true
	case errors.Is(err, spool.ErrSpoolFull):
		return &Error{Status: http.StatusServiceUnavailable, Code: "spool_full",
			Message: "the gateway is not taking new messages now; try later", RetryAfter: spoolFullRetry}, true
	case errors.Is(err, spool.ErrIdempotencyConflict):
		return &Error{Status: http.StatusConflict, Code: "idempotency_conflict", Field: "Idempotency-Key", Message: msg}, true
	case errors.Is(err, spool.ErrInvalid):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: invalidField(msg), Message: msg}, true
	case errors.Is(err, spool.ErrNotCancellable):
		return &Error{Status: http.StatusConflict, Code: "not_cancellable", Message: msg}, true
	case errors.Is(err, spool.ErrFinal):
		return &Error{Status: http.StatusConflict, Code: "final", Message: msg}, true
	case errors.Is(err, spool.ErrClosed), errors.Is(err, spool.ErrReadOnly):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable",
			Message: "the spool is not writable", RetryAfter: spoolFullRetry}, true
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}, true
	}
	return nil, false
}

// fieldRE finds the field in spool's ErrInvalid texts ("invalid message:
// to: required").
var fieldRE = regexp.MustCompile(`invalid message: ([a-z_]+):`)

func invalidField(msg string) string {
	if m := fieldRE.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// writeError answers err as JSON. An unknown error is logged with an id
// that the answer quotes, and never shown.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := classify(err)
	if !ok {
		id := errorID()
		a.log.Error("request failed", "err", err, "error_id", id, "method", r.Method, "path", r.URL.Path)
		e = &Error{Status: http.StatusInternalServerError, Code: "internal",
			Message: "internal error (logged as " + id + ")"}
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	writeJSON(w, e.Status, errorBody{e})
}

// errorID is a short random id tying an answer to its log line.
func errorID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"could not encode the answer"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
