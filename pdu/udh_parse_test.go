package pdu

import (
	"errors"
	"testing"
)

func TestParseUDH(t *testing.T) {
	h, err := ParseUDH([]byte{0x05, 0x00, 0x03, 0x2A, 0x02, 0x01})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := h.Concat(); !ok || c.Ref != 0x2A || c.Total != 2 || c.Seq != 1 {
		t.Fatalf("concat = %+v %v", c, ok)
	}
	if b, err := h.MarshalBinary(); err != nil || string(b) != "\x05\x00\x03\x2a\x02\x01" {
		t.Fatalf("MarshalBinary = % x, %v", b, err)
	}
	if _, err := ParseUDH([]byte{0x05, 0x00, 0x03, 0x2A}); !errors.Is(err, ErrShort) {
		t.Fatalf("short header: %v", err)
	}
	if _, err := ParseUDH([]byte{0x00, 0x99}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("trailing octets: %v", err)
	}
}
