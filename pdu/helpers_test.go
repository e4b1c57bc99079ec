package pdu_test

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/pdu"
)

func mustAddress(t testing.TB, s, ton string) pdu.Address {
	t.Helper()
	a, err := pdu.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	if ton == "national" {
		a.TON = pdu.TONNational
	}
	return a
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mustValidity reads "4d", "52w" or an RFC 3339 time.
func mustValidity(t testing.TB, s string) pdu.Validity {
	t.Helper()
	if ts, err := time.Parse(time.RFC3339, s); err == nil {
		return pdu.AbsoluteValidity(ts)
	}
	n := atoi(t, strings.TrimRight(s, "dw"))
	d := time.Duration(n) * 24 * time.Hour
	if strings.HasSuffix(s, "w") {
		d *= 7
	}
	v, err := pdu.RelativeValidity(d)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reencode writes s and reads it back, as a modem would receive it.
func reencode(t testing.TB, s pdu.Submit) *pdu.Submit {
	t.Helper()
	b, err := s.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pdu.DecodeTPDU(b)
	if err != nil {
		t.Fatalf("%X: %v", b, err)
	}
	return m.(*pdu.Submit)
}
