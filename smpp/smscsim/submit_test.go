package smscsim_test

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

func TestSubmitIDFormats(t *testing.T) {
	cases := []struct {
		label string
		opts  smscsim.Options
		re    string
		first string // "" when random
	}{
		{"decimal counter", smscsim.Options{}, `^[0-9]+$`, "1"},
		{"hex lower counter", smscsim.Options{IDFormat: smscsim.IDHexLower}, `^[0-9a-f]+$`, "1"},
		{"hex lower random", smscsim.Options{IDFormat: smscsim.IDHexLower, RandomIDs: true}, `^[0-9a-f]+$`, ""},
		{"hex upper random", smscsim.Options{IDFormat: smscsim.IDHexUpper, RandomIDs: true, Seed: 7}, `^[0-9A-F]+$`, ""},
		{"decimal random", smscsim.Options{IDFormat: smscsim.IDDecimal, RandomIDs: true}, `^[0-9]+$`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			s := newSim(t, tc.opts)
			c := bound(t, s)
			re := regexp.MustCompile(tc.re)
			seen := map[string]bool{}
			for i := range 20 {
				id := c.submitOK(plain)
				if !re.MatchString(id) {
					t.Fatalf("id %q does not match %s", id, tc.re)
				}
				if seen[id] {
					t.Fatalf("id %q repeated", id)
				}
				seen[id] = true
				if i == 0 && tc.first != "" && id != tc.first {
					t.Fatalf("first id %q, want %q", id, tc.first)
				}
			}
			subs, err := s.WaitSubmits(testCtx(t), 20)
			if err != nil || len(subs) != 20 {
				t.Fatalf("%d submits, err %v", len(subs), err)
			}
			for _, m := range subs {
				if !seen[m.MessageID] {
					t.Fatalf("recorded id %q was not answered", m.MessageID)
				}
			}
		})
	}
}

func TestSubmitDecoded(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := boundAs(t, s, pdu.BindTransmitterID) // receipts wait for a receiver
	udh := []byte{5, 0x00, 3, 0x2a, 2, 1}
	cases := []struct {
		label   string
		m       msg
		udh     []byte
		text    []byte
		sar     *smscsim.SAR
		payload bool
	}{
		{"plain", msg{src: "4917012345678", dst: "447700900123", reg: 1, sm: []byte("hi")}, nil, []byte("hi"), nil, false},
		{"udh", msg{src: "BANK", dst: "447700900123", esm: 0x40, sm: append(append([]byte{}, udh...), "part one"...)}, udh, []byte("part one"), nil, false},
		{"sar", msg{src: "1", dst: "2", dc: 8, sm: []byte{0, 'h', 0, 'i'}, tlv: map[pdutlv.Tag][]byte{
			pdutlv.TagSarMsgRefNum: {0x12, 0x34}, pdutlv.TagSarTotalSegments: {3}, pdutlv.TagSarSegmentSeqnum: {2},
		}}, nil, []byte{0, 'h', 0, 'i'}, &smscsim.SAR{Ref: 0x1234, Total: 3, Seq: 2}, false},
		{"message_payload", msg{src: "1", dst: "2", tlv: map[pdutlv.Tag][]byte{pdutlv.TagMessagePayload: []byte("a long payload")}}, nil, []byte("a long payload"), nil, true},
		{"message_payload with udh", msg{src: "1", dst: "2", esm: 0x40, tlv: map[pdutlv.Tag][]byte{pdutlv.TagMessagePayload: append(append([]byte{}, udh...), "payload"...)}}, udh, []byte("payload"), nil, true},
	}
	for i, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			c.t = t
			id := c.submitOK(tc.m)
			subs, err := s.WaitSubmits(testCtx(t), i+1)
			if err != nil {
				t.Fatal(err)
			}
			m := subs[i]
			if m.MessageID != id || m.SystemID != smscsim.DefaultSystemID {
				t.Fatalf("id %q system_id %q", m.MessageID, m.SystemID)
			}
			want := smscsim.Address{TON: 1, NPI: 1, Addr: tc.m.src}
			if m.Source != want || m.Dest.Addr != tc.m.dst || m.Dest.TON != 1 {
				t.Fatalf("addresses %+v %+v", m.Source, m.Dest)
			}
			if m.ESMClass != tc.m.esm || m.DataCoding != tc.m.dc || m.RegisteredDelivery != tc.m.reg {
				t.Fatalf("esm %#x dc %#x reg %d", m.ESMClass, m.DataCoding, m.RegisteredDelivery)
			}
			if !bytes.Equal(m.ShortMessage, tc.m.sm) || !bytes.Equal(m.UDH, tc.udh) || !bytes.Equal(m.Text(), tc.text) {
				t.Fatalf("sm %x udh %x text %q", m.ShortMessage, m.UDH, m.Text())
			}
			if (m.SAR == nil) != (tc.sar == nil) || (m.SAR != nil && *m.SAR != *tc.sar) {
				t.Fatalf("sar %+v, want %+v", m.SAR, tc.sar)
			}
			if (m.Payload != nil) != tc.payload {
				t.Fatalf("payload %q", m.Payload)
			}
		})
	}
}
