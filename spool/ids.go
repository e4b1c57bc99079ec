package spool

import (
	"crypto/rand"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// idGen makes monotonic ULIDs: within one millisecond each id is the
// previous one plus one, so ids sort in arrival order.
type idGen struct {
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
}

func newIDGen() *idGen { return &idGen{entropy: ulid.Monotonic(rand.Reader, 0)} }

func (g *idGen) next(at time.Time) ulid.ULID {
	g.mu.Lock()
	defer g.mu.Unlock()
	return ulid.MustNew(ulid.Timestamp(at), g.entropy)
}

func parseID(s string) (ulid.ULID, error) { return ulid.ParseStrict(strings.ToUpper(s)) }

func idTime(id ulid.ULID) time.Time { return ulid.Time(id.Time()).UTC() }

// providerKeys returns the index keys under which a provider (carrier or
// modem) message id is filed and looked up. Carriers are inconsistent:
// the same message can be "1A2B" in submit_sm_resp and "6699" in the
// receipt text, or "00001a2b", or differ in case. A purely numeric id is
// filed both as a decimal and as a hexadecimal number; an id with hex
// letters (optionally 0x-prefixed) as a hexadecimal number; anything else
// as its lower-case text. Numbers are canonical: lower-case hex without
// leading zeros, so leading zeros and case never matter.
func providerKeys(id string) []string {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return nil
	}
	digits := strings.TrimPrefix(id, "0x")
	prefixed := len(digits) != len(id)
	isDec, isHex := digits != "", digits != ""
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		switch {
		case '0' <= c && c <= '9':
		case 'a' <= c && c <= 'f':
			isDec = false
		default:
			isDec, isHex = false, false
		}
	}
	var keys []string
	if isDec && !prefixed {
		n, _ := new(big.Int).SetString(digits, 10)
		keys = append(keys, "n:"+n.Text(16))
	}
	if isHex {
		n, _ := new(big.Int).SetString(digits, 16)
		if k := "n:" + n.Text(16); len(keys) == 0 || keys[0] != k {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		keys = append(keys, "s:"+id)
	}
	return keys
}

// sameProviderID reports whether two provider ids are written alike,
// ignoring case and leading zeros: the tie-break when two messages match
// different readings of one id.
func sameProviderID(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimLeft(strings.ToLower(strings.TrimSpace(s)), "0")
		return strings.TrimPrefix(s, "x")
	}
	return norm(a) == norm(b)
}
