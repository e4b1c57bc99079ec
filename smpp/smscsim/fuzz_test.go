package smscsim_test

import (
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

// FuzzSession writes arbitrary bytes to a bound session: the simulator
// must neither crash nor stop serving other connections.
func FuzzSession(f *testing.F) {
	f.Add(header(16, 0x99, 1))
	f.Add(append(header(19, uint32(pdu.SubmitSMID), 2), 0, 1, 1))
	f.Add(append(header(24, uint32(pdu.BindTransceiverID), 3), 'a', 0, 'b', 0, 0, 0x34, 0, 0))
	f.Add(append(header(24, uint32(pdu.DeliverSMRespID), 4), 0, 1, 2, 3, 4, 5, 6, 7))
	f.Add(append(header(40, uint32(pdu.SubmitSMID), 5),
		0, 1, 1, '1', 0, 1, 1, '2', 0, 0x40, 0, 0, 0, 0, 1, 0, 0, 0, 4, 5, 0, 3, 1, 0x04, 0x24, 0, 1))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := newSim(t, smscsim.Options{}) // a fresh one: nothing piles up
		c := bound(t, s)
		c.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
		c.conn.Write(raw) // the server may close first: errors are fine
		c.conn.Close()

		probe := dial(t, s)
		probe.send(pdu.NewEnquireLink())
		probe.expect(pdu.EnquireLinkRespID)
		probe.conn.Close()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
