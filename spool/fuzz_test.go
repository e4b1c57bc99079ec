package spool

import (
	"strings"
	"testing"
)

// FuzzProviderKeys: an id and the same id written in another case or with
// leading zeros always share a correlation key, and nothing panics.
func FuzzProviderKeys(f *testing.F) {
	for _, s := range []string{"1A2B", "6699", "0x1a2b", "00001a2b", "abc-DEF", "", " 42 ", "0", "0x", "ffffffffffffffffffffffffffff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		keys := providerKeys(id)
		if strings.TrimSpace(id) == "" {
			if keys != nil {
				t.Fatalf("keys for a blank id: %v", keys)
			}
			return
		}
		variants := []string{strings.ToUpper(id), strings.ToLower(id)}
		if trimmed := strings.TrimSpace(id); isHex(trimmed) {
			variants = append(variants, "000"+trimmed)
		}
		for _, variant := range variants {
			if !shareKey(keys, providerKeys(variant)) && isAlnum(strings.TrimSpace(id)) {
				t.Fatalf("%q and %q share no key: %v / %v", id, variant, keys, providerKeys(variant))
			}
		}
	})
}

// FuzzDecodeRecord: a damaged record is an error, never a panic.
func FuzzDecodeRecord(f *testing.F) {
	m, _ := encodeMessage(msg("+13195550001"))
	f.Add(m)
	f.Add([]byte{1, '{', '}'})
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := decodeMessage(b); err == nil {
			if _, err := encodeMessage(m); err != nil {
				t.Fatalf("decoded but cannot encode: %v", err)
			}
		}
	})
}

func shareKey(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return s != ""
}
