package smpp

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// recordingSMSC acknowledges everything and keeps the submits.
type recordingSMSC struct {
	mu   sync.Mutex
	subs []pdu.Body
}

func (r *recordingSMSC) start(t *testing.T) string {
	f := newScriptSMSC(t, nil, func(s *Session, req pdu.Body) {
		r.mu.Lock()
		r.subs = append(r.subs, req)
		r.mu.Unlock()
		resp := pdu.NewSubmitSMResp()
		resp.Fields().Set(pdufield.MessageID, "1")
		s.Respond(req, resp)
	})
	return f.ln.Addr().String()
}

func sendVia(t *testing.T, mode, text string) []pdu.Body {
	t.Helper()
	rec := &recordingSMSC{}
	addr := rec.start(t)
	c := NewCarrier(CarrierOptions{Name: "c", Addr: addr, LongMessages: mode}, route.StoreSink{Store: openSpool(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if err := c.WaitReady(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx, &spool.Message{ID: "01JD0000000000000000000000", To: "+13195550123", Body: text}); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.subs
}

func TestLongMessageModes(t *testing.T) {
	text := strings.Repeat("Road closed at the river bridge. ", 8) // 264 chars: 2 GSM parts
	udh := sendVia(t, "udh", text)
	if len(udh) != 2 || byteField(udh[0].Fields(), pdufield.ESMClass) != 0x40 || bytesField(udh[1].Fields(), pdufield.ShortMessage)[0] != 5 {
		t.Fatalf("udh: %d submits", len(udh))
	}
	sar := sendVia(t, "sar", text)
	if len(sar) != 2 || byteField(sar[0].Fields(), pdufield.ESMClass) != 0 {
		t.Fatalf("sar: %d submits", len(sar))
	}
	tlv := sar[1].TLVFields()
	if tlv[pdutlv.TagSarTotalSegments].Bytes()[0] != 2 || tlv[pdutlv.TagSarSegmentSeqnum].Bytes()[0] != 2 ||
		len(tlv[pdutlv.TagSarMsgRefNum].Bytes()) != 2 {
		t.Fatalf("sar TLVs %v", tlv)
	}
	payload := sendVia(t, "payload", text)
	if len(payload) != 1 || len(payload[0].TLVFields()[pdutlv.TagMessagePayload].Bytes()) != len(text) {
		t.Fatalf("payload: %d submits", len(payload))
	}
}

// openSpool opens a spool in a temporary directory, closed with the test.
func openSpool(t *testing.T) *spool.Store {
	t.Helper()
	s, err := spool.Open(filepath.Join(t.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
