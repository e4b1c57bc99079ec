package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries a webhook's signature.
const SignatureHeader = "X-Smsgw-Signature"

// Errors returned by VerifySignature.
var (
	// ErrSignatureMissing: no header, or no t= or v1= in it.
	ErrSignatureMissing = errors.New("httpapi: webhook signature missing or malformed")
	// ErrSignatureExpired: t= is further from now than the tolerance
	// (a replayed or delayed request).
	ErrSignatureExpired = errors.New("httpapi: webhook signature timestamp outside the tolerance")
	// ErrSignatureMismatch: no v1= matches the body under the secret, or
	// the secret is empty (anyone can compute an HMAC under an empty key).
	ErrSignatureMismatch = errors.New("httpapi: webhook signature does not match")
)

// Sign returns the X-Smsgw-Signature value for body sent at t:
// "t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// VerifySignature checks a webhook request's X-Smsgw-Signature header
// against its raw body: the HMAC must match (any of several v1= values,
// for secret rotation) and t= must be within tolerance of now (0: 5
// minutes). Receivers call it before trusting an event. An empty secret
// (a receiver whose secret was not set) verifies nothing: smsgw signs only
// with a secret.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	var ts string
	var sigs []string
	for _, kv := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureMissing
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureExpired
	}
	if secret == "" {
		return ErrSignatureMismatch
	}
	want := []byte(mac(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
