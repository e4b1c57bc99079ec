package smscsim_test

import (
	"bytes"
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

var (
	handset   = smscsim.Address{TON: 1, NPI: 1, Addr: "4917012345678"}
	shortCode = smscsim.Address{TON: 3, NPI: 0, Addr: "12345"}
)

func TestMO(t *testing.T) {
	text := "abcdefghijklmnopqrstuvwxy" // 25 bytes: parts of 10, 10, 5
	cases := []struct {
		label  string
		mo     smscsim.MO
		esm    byte
		udh    func(ref uint16, total, seq int) []byte
		sar    bool
		chunks []string // in the order expected on the wire
		seqs   []int
	}{
		{label: "single", mo: smscsim.MO{Text: "hello"}, chunks: []string{"hello"}, seqs: []int{1}},
		{label: "udh8 out of order", mo: smscsim.MO{Text: text, PartSize: 10, Concat: smscsim.ConcatUDH8, Ref: 0x2a, Order: []int{3, 1, 2}},
			esm: 0x40, udh: func(ref uint16, total, seq int) []byte { return []byte{5, 0, 3, byte(ref), byte(total), byte(seq)} },
			chunks: []string{"uvwxy", "abcdefghij", "klmnopqrst"}, seqs: []int{3, 1, 2}},
		{label: "udh16", mo: smscsim.MO{Text: text, PartSize: 10, Concat: smscsim.ConcatUDH16, Ref: 0x1234},
			esm: 0x40, udh: func(ref uint16, total, seq int) []byte {
				return []byte{6, 8, 4, byte(ref >> 8), byte(ref), byte(total), byte(seq)}
			},
			chunks: []string{"abcdefghij", "klmnopqrst", "uvwxy"}, seqs: []int{1, 2, 3}},
		{label: "sar out of order", mo: smscsim.MO{Text: text, PartSize: 10, Concat: smscsim.ConcatSAR, Ref: 0x0102, Order: []int{2, 3, 1}},
			sar: true, chunks: []string{"klmnopqrst", "uvwxy", "abcdefghij"}, seqs: []int{2, 3, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			s := newSim(t, smscsim.Options{})
			c := boundAs(t, s, pdu.BindReceiverID)
			mo := tc.mo
			mo.Source, mo.Dest = handset, shortCode
			if err := s.DeliverMO(mo); err != nil {
				t.Fatal(err)
			}
			total := len(tc.chunks)
			for i, chunk := range tc.chunks {
				d := c.expect(pdu.DeliverSMID)
				f := d.Fields()
				if f[pdufield.SourceAddr].String() != handset.Addr || f[pdufield.DestinationAddr].String() != shortCode.Addr ||
					f[pdufield.DestAddrTON].Bytes()[0] != 3 {
					t.Fatalf("part %d addresses %q %q", i, f[pdufield.SourceAddr], f[pdufield.DestinationAddr])
				}
				if esm := f[pdufield.ESMClass].Bytes()[0]; esm != tc.esm {
					t.Fatalf("esm_class %#x, want %#x", esm, tc.esm)
				}
				want := []byte(chunk)
				if tc.udh != nil {
					want = append(tc.udh(mo.Ref, total, tc.seqs[i]), want...)
				}
				if got := f[pdufield.ShortMessage].Bytes(); !bytes.Equal(got, want) {
					t.Fatalf("part %d short_message %x, want %x", i, got, want)
				}
				tlv := d.TLVFields()
				if tc.sar {
					ref, tot, seq := tlv[pdutlv.TagSarMsgRefNum], tlv[pdutlv.TagSarTotalSegments], tlv[pdutlv.TagSarSegmentSeqnum]
					if ref == nil || tot == nil || seq == nil || !bytes.Equal(ref.Bytes(), []byte{1, 2}) ||
						tot.Bytes()[0] != byte(total) || seq.Bytes()[0] != byte(tc.seqs[i]) {
						t.Fatalf("part %d sar TLVs %v", i, tlv)
					}
				} else if len(tlv) != 0 {
					t.Fatalf("unexpected TLVs %v", tlv)
				}
				c.ack(d, 0)
			}
			ds, err := s.WaitAcked(testCtx(t), total)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range ds {
				if d.Kind != smscsim.KindMO || d.Part != tc.seqs[i] || d.Parts != total || !d.Acked {
					t.Fatalf("delivery %d: %+v", i, d)
				}
			}
		})
	}
}

func TestMOWaitsForReceiver(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	tx := boundAs(t, s, pdu.BindTransmitterID)
	if err := s.DeliverMO(smscsim.MO{Source: handset, Dest: shortCode, Text: "queued"}); err != nil {
		t.Fatal(err)
	}
	tx.send(pdu.NewEnquireLink()) // a transmitter gets no deliver_sm
	tx.expect(pdu.EnquireLinkRespID)
	rx := boundAs(t, s, pdu.BindReceiverID)
	d := rx.expect(pdu.DeliverSMID)
	if got := d.Fields()[pdufield.ShortMessage].String(); got != "queued" {
		t.Fatalf("short_message %q", got)
	}
	rx.ack(d, 0)
	if _, err := s.WaitAcked(testCtx(t), 1); err != nil {
		t.Fatal(err)
	}
}

func TestResendAfterRebind(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	if err := s.DeliverMO(smscsim.MO{Source: handset, Dest: shortCode, Text: "one"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeliverMO(smscsim.MO{Source: handset, Dest: shortCode, Text: "two"}); err != nil {
		t.Fatal(err)
	}
	c := boundAs(t, s, pdu.BindReceiverID)
	one := c.expect(pdu.DeliverSMID)
	c.ack(one, 0)
	c.expect(pdu.DeliverSMID) // "two" is never acknowledged
	if _, err := s.WaitAcked(testCtx(t), 1); err != nil {
		t.Fatal(err)
	}
	c.conn.Close()
	if err := s.WaitSessions(testCtx(t), 0); err != nil {
		t.Fatal(err)
	}

	c = boundAs(t, s, pdu.BindTransceiverID)
	d := c.expect(pdu.DeliverSMID)
	if got := d.Fields()[pdufield.ShortMessage].String(); got != "two" {
		t.Fatalf("resent %q, want two", got)
	}
	c.ack(d, smscsim.StatusMsgQFul) // refused: held until the next bind
	c.send(pdu.NewEnquireLink())
	c.expect(pdu.EnquireLinkRespID)
	c.send(pdu.NewUnbind())
	c.expect(pdu.UnbindRespID)
	c.expectClosed()

	c = boundAs(t, s, pdu.BindReceiverID)
	d = c.expect(pdu.DeliverSMID)
	c.ack(d, 0)
	ds, err := s.WaitAcked(testCtx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Sent != 1 || ds[1].Sent != 3 || ds[1].Status != 0 {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestMORefusedWithGenericNack(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := boundAs(t, s, pdu.BindReceiverID)
	if err := s.DeliverMO(smscsim.MO{Source: handset, Dest: shortCode, Text: "nacked"}); err != nil {
		t.Fatal(err)
	}
	d := c.expect(pdu.DeliverSMID)
	n := pdu.NewGenericNACK()
	n.Header().Status = smscsim.StatusInvCmdID
	n.Header().Seq = d.Header().Seq
	var b bytes.Buffer
	n.SerializeTo(&b)
	c.sendRaw(b.Bytes())
	c.send(pdu.NewEnquireLink()) // held: not resent on this bind
	c.expect(pdu.EnquireLinkRespID)
	if ds := s.Deliveries(); ds[0].Acked || ds[0].Status != smscsim.StatusInvCmdID || ds[0].Sent != 1 {
		t.Fatalf("delivery %+v", ds[0])
	}
	c.conn.Close()
	if err := s.WaitSessions(testCtx(t), 0); err != nil {
		t.Fatal(err)
	}
	c = boundAs(t, s, pdu.BindReceiverID)
	c.ack(c.expect(pdu.DeliverSMID), 0)
	if ds, err := s.WaitAcked(testCtx(t), 1); err != nil || ds[0].Sent != 2 {
		t.Fatalf("deliveries %+v, err %v", ds, err)
	}
}
