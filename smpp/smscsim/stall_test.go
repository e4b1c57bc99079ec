package smscsim_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

// TestStalledClient: a receiver that stops reading is disconnected after
// WriteTimeout; the simulator goes on serving others.
func TestStalledClient(t *testing.T) {
	s := newSim(t, smscsim.Options{WriteTimeout: 100 * time.Millisecond})
	stalled := boundAs(t, s, pdu.BindReceiverID)
	stalled.conn.(*net.TCPConn).SetReadBuffer(1024)
	other := boundAs(t, s, pdu.BindTransmitterID)
	text := strings.Repeat("x", 140*255)
	start := time.Now()
	for i := 0; i < 400 && s.Bound() == 2; i++ { // until the stalled one is dropped
		if err := s.DeliverMO(smscsim.MO{Source: handset, Dest: shortCode, Text: text, PartSize: 140}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitSessions(testCtx(t), 1); err != nil {
		t.Fatalf("stalled receiver not dropped after %v: %v", time.Since(start), err)
	}
	t.Logf("dropped after %v", time.Since(start))
	if id := other.submitOK(plain); id == "" {
		t.Fatal("no message id")
	}
}
