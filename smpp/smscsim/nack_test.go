package smscsim_test

import (
	"encoding/binary"
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

func header(length, id, seq uint32) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b, length)
	binary.BigEndian.PutUint32(b[4:], id)
	binary.BigEndian.PutUint32(b[12:], seq)
	return b
}

func TestGenericNack(t *testing.T) {
	cases := []struct {
		label string
		raw   []byte
		want  pdu.Status
	}{
		{"unknown command", header(16, 0x00000099, 77), smscsim.StatusInvCmdID},
		{"data_sm unsupported", append(header(20, uint32(pdu.DataSMID), 77), 0, 0, 0, 0), smscsim.StatusInvCmdID},
		{"query_sm unsupported", append(header(22, uint32(pdu.QuerySMID), 77), '1', 0, 1, 1, '2', 0), smscsim.StatusInvCmdID},
		{"truncated submit_sm", append(header(19, uint32(pdu.SubmitSMID), 77), 0, 1, 1), smscsim.StatusInvMsgLen},
		{"TLV longer than the PDU", append(header(16+24, uint32(pdu.SubmitSMID), 77),
			0, 1, 1, '1', 0, 1, 1, '2', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // mandatory fields, sm_length 0
			0x04, 0x24, 0x00, 0x10), smscsim.StatusInvMsgLen}, // message_payload of 16 bytes, none there
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			s := newSim(t, smscsim.Options{})
			c := bound(t, s)
			c.sendRaw(tc.raw)
			r := c.expect(pdu.GenericNACKID)
			if r.Header().Seq != 77 || r.Header().Status != tc.want || r.Header().Len != 16 {
				t.Fatalf("generic_nack seq %d status %#x len %d", r.Header().Seq, uint32(r.Header().Status), r.Header().Len)
			}
			c.send(pdu.NewEnquireLink()) // the session goes on
			c.expect(pdu.EnquireLinkRespID)
		})
	}
}

func TestBadCommandLengthCloses(t *testing.T) {
	for _, n := range []uint32{8, 4097, 1 << 30} {
		s := newSim(t, smscsim.Options{})
		c := bound(t, s)
		c.sendRaw(header(n, uint32(pdu.EnquireLinkID), 5))
		c.expectClosed()
		if err := s.WaitSessions(testCtx(t), 0); err != nil {
			t.Fatalf("length %d: %v", n, err)
		}
	}
}
