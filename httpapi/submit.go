package httpapi

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool"
)

// maxIdempotencyKey is the longest Idempotency-Key header taken.
const maxIdempotencyKey = 128

// submit serves POST /api/v1/messages.
func (a *API) submit(w http.ResponseWriter, r *http.Request, c *caller) {
	var req SubmitRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.toSpool(&req, c)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if len(k) > maxIdempotencyKey {
			a.writeError(w, r, apiErr(http.StatusUnprocessableEntity, "invalid_request", "Idempotency-Key",
				"Idempotency-Key is longer than %d bytes", maxIdempotencyKey))
			return
		}
		m.Idempotency = k
	}
	stored, replayed, err := a.b.Submit(r.Context(), m)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/messages/"+stored.ID)
	status := http.StatusAccepted
	if replayed {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, toJSON(stored, view{owner: c.actor()}))
}

// toSpool checks a request and makes the message to submit.
func (a *API) toSpool(req *SubmitRequest, c *caller) (*spool.Message, error) {
	bad := func(field, format string, args ...any) error {
		return apiErr(http.StatusUnprocessableEntity, "invalid_request", field, format, args...)
	}
	m := &spool.Message{
		Tenant: c.key.Tenant, To: strings.TrimSpace(req.To), From: strings.TrimSpace(req.From),
		Body: req.Text, Binary: req.Binary, UDH: req.UDH, Class0: req.Flash, ClientRef: req.ClientRef,
		ReportReq: req.Report == nil || *req.Report, Source: c.actor(), SourceAddr: c.ip,
	}
	switch {
	case m.To == "":
		return nil, bad("to", "to is required")
	case req.Text == "" && len(req.Binary) == 0:
		return nil, bad("text", "give text or binary")
	case req.Text != "" && len(req.Binary) > 0:
		return nil, bad("binary", "give text or binary, not both")
	case len(req.UDH) > 0 && len(req.Binary) == 0:
		return nil, bad("udh", "udh goes with binary")
	case len(req.UDH) > 0 && int(req.UDH[0])+1 != len(req.UDH):
		return nil, bad("udh", "udh length octet says %d, udh has %d octets after it", req.UDH[0], len(req.UDH)-1)
	}
	p, err := spool.ParsePriority(req.Priority)
	if err != nil {
		return nil, bad("priority", "priority must be normal, high or emergency")
	}
	m.Priority = p
	now := a.o.Now()
	if req.SendAt != "" {
		if m.SendAt, err = time.Parse(time.RFC3339Nano, req.SendAt); err != nil {
			return nil, bad("send_at", "send_at must be an RFC 3339 time")
		}
	}
	if req.Validity != "" {
		if m.ValidUntil, err = parseValidity(req.Validity, now, m.SendAt); err != nil {
			return nil, bad("validity", "%v", err)
		}
	}
	if !m.SendAt.IsZero() && !m.ValidUntil.IsZero() && !m.SendAt.Before(m.ValidUntil) {
		return nil, bad("send_at", "send_at is not before the end of the validity")
	}
	start := now // of the validity
	if m.SendAt.After(now) {
		start = m.SendAt
	}
	switch {
	case m.SendAt.After(now.Add(maxAhead)):
		return nil, bad("send_at", "send_at is more than a year ahead")
	case m.ValidUntil.After(start.Add(maxAhead)):
		return nil, bad("validity", "validity is longer than a year")
	}
	return m, nil
}

// maxAhead is how far ahead send_at may be, and how long a validity
// (from send_at, or from now).
const maxAhead = 366 * 24 * time.Hour

// parseValidity reads a duration ("90m", "3d") or an RFC 3339 time. A
// duration counts from sendAt when the message is scheduled for later,
// as the default validity does, else from now.
func parseValidity(s string, now, sendAt time.Time) (time.Time, error) {
	if d, err := configs.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, errors.New("validity must be positive")
		}
		if sendAt.After(now) {
			return sendAt.Add(d), nil
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New(`validity must be a duration ("90m", "48h", "3d") or an RFC 3339 time`)
	}
	if !t.After(now) {
		return time.Time{}, errors.New("validity is in the past")
	}
	return t, nil
}

// decodeJSON reads one JSON object into v, strictly: unknown fields,
// wrong types and trailing data are 400 invalid_json, naming the field
// where it is known.
func decodeJSON(body io.Reader, v any) error {
	raw, err := io.ReadAll(body)
	if err == nil {
		if bad := invalidUTF8(raw); bad >= 0 {
			return apiErr(http.StatusBadRequest, "invalid_json", "",
				"the body is not valid UTF-8 (at byte %d); send text as UTF-8", bad)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil && len(bytes.Trim(raw[dec.InputOffset():], " \t\r\n")) > 0 {
			err = errors.New("data after the JSON object")
		}
	}
	if err == nil {
		return strictJSON(raw, v)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return apiErr(http.StatusRequestTimeout, "request_timeout", "", "the request body did not arrive in time")
	}
	e := apiErr(http.StatusBadRequest, "invalid_json", "", "the body is not a valid JSON request: %v", err)
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute) && ute.Field == "":
		e.Message = "the body must be a JSON object, not a JSON " + ute.Value
	case errors.As(err, &ute):
		e.Field = ute.Field
		e.Message = fmt.Sprintf("%s must be a JSON %s", ute.Field, jsonKind(ute.Type.Kind().String()))
	case errors.As(err, &se):
		e.Message = fmt.Sprintf("the body is not valid JSON (at byte %d): %v", se.Offset, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		e.Field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e.Message = "unknown field " + e.Field
	case errors.Is(err, io.EOF):
		e.Message = "the body is empty; a JSON object is expected"
	case errors.As(err, new(base64.CorruptInputError)):
		e.Field = notBase64(raw)
		e.Message = cmp.Or(e.Field, "binary and udh") + " must be base64"
	}
	return e
}

// invalidUTF8 is the offset of the first byte in b that is not UTF-8,
// or -1. encoding/json would quietly read it as U+FFFD: a caller's
// "café" in Latin-1 went out as "caf\uFFFD".
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// strictJSON checks what encoding/json lets pass in a body that decoded
// into v (a struct): a field name in another case than v's ("To"), a
// field given twice (the last one won), and a \u escape that is half a
// UTF-16 surrogate pair (read as U+FFFD).
func strictJSON(raw []byte, v any) error {
	names := jsonNames(reflect.TypeOf(v).Elem())
	dec := json.NewDecoder(bytes.NewReader(raw))
	seen := map[string]bool{}
	if _, err := dec.Token(); err != nil { // {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		k, _ := tok.(string)
		switch {
		case !names[k]:
			return apiErr(http.StatusBadRequest, "invalid_json", k, "unknown field %s (field names are lower case)", k)
		case seen[k]:
			return apiErr(http.StatusBadRequest, "invalid_json", k, "%s is given twice", k)
		}
		seen[k] = true
		if err := dec.Decode(new(json.RawMessage)); err != nil {
			return nil
		}
	}
	if at := loneSurrogate(raw); at >= 0 {
		return apiErr(http.StatusBadRequest, "invalid_json", "",
			"%s at byte %d is half a UTF-16 surrogate pair, not a character", raw[at:at+6], at)
	}
	return nil
}

// jsonFields caches jsonNames.
var jsonFields sync.Map // reflect.Type → map[string]bool

// jsonNames are the JSON field names of struct type t.
func jsonNames(t reflect.Type) map[string]bool {
	if v, ok := jsonFields.Load(t); ok {
		return v.(map[string]bool)
	}
	names := map[string]bool{}
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			names[name] = true
		}
	}
	jsonFields.Store(t, names)
	return names
}

// loneSurrogate is the offset of the first \u escape in raw (valid
// JSON) that is a UTF-16 surrogate without its other half, or -1.
func loneSurrogate(raw []byte) int {
	hex4 := func(i int) rune { // the \uXXXX escape at raw[i]
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return -1
		}
		n, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		if err != nil {
			return -1
		}
		return rune(n)
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r := hex4(i)
		switch {
		case r >= 0xD800 && r < 0xDC00: // a high half: its low half must follow
			if lo := hex4(i + 6); lo < 0xDC00 || lo >= 0xE000 {
				return i
			}
			i += 11
		case r >= 0xDC00 && r < 0xE000:
			return i
		default:
			i++ // past the escaped character: "\\u0041" is not an escape
		}
	}
	return -1
}

// notBase64 names the field of a submit body that is not base64.
func notBase64(raw []byte) string {
	var f struct{ Binary, UDH string }
	if json.Unmarshal(raw, &f) != nil {
		return ""
	}
	for _, c := range []struct{ name, v string }{{"binary", f.Binary}, {"udh", f.UDH}} {
		if _, err := base64.StdEncoding.DecodeString(c.v); err != nil {
			return c.name
		}
	}
	return ""
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice":
		return "base64 string"
	case "ptr":
		return "boolean"
	case "struct":
		return "object"
	}
	return k
}
