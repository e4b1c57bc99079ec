package smpp

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"

	"github.com/smsgw/smsgw/spool"
)

// FuzzServerSession feeds arbitrary bytes to a server session as a peer
// would: no panic, and the session ends when the peer goes.
func FuzzServerSession(f *testing.F) {
	hdr := func(l, id, status, seq uint32, body ...byte) []byte {
		b := make([]byte, 16)
		binary.BigEndian.PutUint32(b, l)
		binary.BigEndian.PutUint32(b[4:], id)
		binary.BigEndian.PutUint32(b[8:], status)
		binary.BigEndian.PutUint32(b[12:], seq)
		return append(b, body...)
	}
	f.Add(hdr(16, uint32(pdu.EnquireLinkID), 0, 1))
	f.Add(hdr(19, uint32(pdu.SubmitSMID), 0, 2, 1, 2, 3))
	f.Add(hdr(16, 0x999, 0, 3))
	f.Add(hdr(3, 4, 0, 0))
	f.Add(hdr(40, uint32(pdu.BindTransceiverID), 0, 4, []byte("cad\x00pw\x00\x00\x34\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")...))
	f.Add(hdr(16, uint32(pdu.SubmitSMRespID), 0x58, 9))
	f.Add(hdr(49, uint32(pdu.DataSMID), 0, 10, dataSMBody(1, uint16(0x0424), []byte("hello"))...))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, b := net.Pipe()
		srv := NewServer(ServerOptions{FailedBind: time.Millisecond, Accounts: []Account{{SystemID: "cad", Password: "pw", Tenant: "t"}}},
			rejectAll{})
		s := NewSession(a, func(s *Session, req pdu.Body) { srv.handle(context.Background(), &binding{s: s}, req) },
			SessionOptions{EnquireLink: -1, WriteTimeout: 50 * time.Millisecond, Translate: dataSMAsSubmit})
		done := make(chan struct{})
		go func() { s.Run(context.Background()); close(done) }()
		go func() { // drain what the session writes
			buf := make([]byte, 4096)
			for {
				if _, err := b.Read(buf); err != nil {
					return
				}
			}
		}()
		b.SetWriteDeadline(time.Now().Add(time.Second))
		b.Write(in)
		b.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the session did not end when the peer went")
		}
	})
}

// rejectAll refuses every submit.
type rejectAll struct{}

func (rejectAll) Submit(context.Context, *spool.Message) (*spool.Message, error) {
	return nil, spool.ErrSpoolFull
}
