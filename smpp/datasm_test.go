package smpp

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"

	"github.com/smsgw/smsgw/spool"
)

// dataSMBody is a data_sm body (SMPP 3.4 4.7.1) to +13195550123 with
// registered_delivery rd, data_coding 0 and the TLVs given (tag, value).
func dataSMBody(rd uint8, tlvs ...any) []byte {
	b := []byte("\x00\x00\x00911\x00\x01\x0113195550123\x00\x00")
	b = append(b, rd, 0)
	for i := 0; i+1 < len(tlvs); i += 2 {
		v := tlvs[i+1].([]byte)
		b = binary.BigEndian.AppendUint16(b, tlvs[i].(uint16))
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	return b
}

// rawConn is a client that writes and reads PDUs as octets.
type rawConn struct {
	t   *testing.T
	c   net.Conn
	seq uint32
}

func (r *rawConn) send(id pdu.ID, body []byte) uint32 {
	r.t.Helper()
	r.seq++
	b := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint32(b, uint32(16+len(body)))
	binary.BigEndian.PutUint32(b[4:], uint32(id))
	binary.BigEndian.PutUint32(b[12:], r.seq)
	if _, err := r.c.Write(append(b, body...)); err != nil {
		r.t.Fatal(err)
	}
	return r.seq
}

// recv reads the next PDU: its command id, status, sequence and body.
func (r *rawConn) recv() (pdu.ID, pdu.Status, uint32, []byte) {
	r.t.Helper()
	var h [16]byte
	if _, err := io.ReadFull(r.c, h[:]); err != nil {
		r.t.Fatal(err)
	}
	body := make([]byte, binary.BigEndian.Uint32(h[:])-16)
	if _, err := io.ReadFull(r.c, body); err != nil {
		r.t.Fatal(err)
	}
	return pdu.ID(binary.BigEndian.Uint32(h[4:])), pdu.Status(binary.BigEndian.Uint32(h[8:])), binary.BigEndian.Uint32(h[12:]), body
}

// request sends a request and returns its response's command id,
// status and body.
func (r *rawConn) request(id pdu.ID, body []byte) (pdu.ID, pdu.Status, []byte) {
	r.t.Helper()
	seq := r.send(id, body)
	rid, st, rseq, rb := r.recv()
	if rseq != seq {
		r.t.Fatalf("response to sequence %d, want %d", rseq, seq)
	}
	return rid, st, rb
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c}
}

// TestDataSMSubmit: an application's data_sm is a submit: the text in
// message_payload stored and answered with a data_sm_resp and its id,
// registered_delivery and qos_time_to_live kept; a data_sm before the
// bind, one cut short and one with no text get a data_sm_resp with the
// cause.
func TestDataSMSubmit(t *testing.T) {
	r := newServerRig(t)
	c := dialRaw(t, r.addr)
	if id, st, _ := c.request(pdu.DataSMID, dataSMBody(1, uint16(0x0424), []byte("x"))); id != pdu.DataSMRespID || st != StatusInvBnd {
		t.Fatalf("before bind: %#x status %#x; want data_sm_resp ESME_RINVBNDSTS", uint32(id), uint32(st))
	}
	if id, st, _ := c.request(pdu.BindTransceiverID, []byte("cad\x00s3cret\x00\x00\x34\x00\x00\x00")); id != pdu.BindTransceiverRespID || st != StatusOK {
		t.Fatalf("bind: %#x status %#x", uint32(id), uint32(st))
	}
	text := "Fire reported at 12 Elm St; units on the way. Stay outside and away from the building."
	before := time.Now()
	id, st, body := c.request(pdu.DataSMID, dataSMBody(1,
		uint16(0x0424), []byte(text), // message_payload
		uint16(0x0017), []byte{0, 0, 0x0e, 0x10})) // qos_time_to_live 3600 s
	if id != pdu.DataSMRespID || st != StatusOK || len(body) < 2 || body[len(body)-1] != 0 {
		t.Fatalf("data_sm: %#x status %#x body %q", uint32(id), uint32(st), body)
	}
	m, err := r.store.Get(string(body[:len(body)-1]))
	if err != nil {
		t.Fatal(err)
	}
	if m.Body != text || m.To != "+13195550123" || m.From != "911" || !m.ReportReq || m.Source != "smpp:cad" {
		t.Fatalf("stored %+v", m)
	}
	if v := m.ValidUntil.Sub(before); v < 59*time.Minute || v > 61*time.Minute {
		t.Fatalf("valid for %v; want the hour of qos_time_to_live", v)
	}
	for _, tc := range []struct {
		name string
		body []byte
		want pdu.Status
	}{
		{"cut short", []byte("\x00\x01\x01911\x00\x01"), StatusInvCmdLen},
		{"no text", dataSMBody(0), StatusInvMsgLen},
		{"TLV past the end", append(dataSMBody(0), 0x04, 0x24, 0, 9, 'a'), StatusInvCmdLen},
		{"qos_time_to_live of 2 octets", dataSMBody(0, uint16(0x0424), []byte("x"), uint16(0x0017), []byte{1, 2}), StatusInvOptParam},
	} {
		if id, st, _ := c.request(pdu.DataSMID, tc.body); id != pdu.DataSMRespID || st != tc.want {
			t.Errorf("%s: %#x status %#x; want data_sm_resp %#x", tc.name, uint32(id), uint32(st), uint32(tc.want))
		}
	}
	if st, _ := r.store.Stats(); st.States[spool.StateQueued.String()] != 1 {
		t.Fatalf("states %v; want the one good data_sm queued", st.States)
	}
}
