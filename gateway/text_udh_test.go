package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gopdu "github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"

	"github.com/smsgw/smsgw/httpapi"
	"github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/smpp"
)

// A text with the caller's UDH goes in one part after it. A Kannel client
// that splits its long texts itself sends each part with
// its own UDH (the concatenation element) and coding 0 or 2. Each goes
// out as one text part with that header, as Kannel sends it: through the
// carrier (esm_class UDHI, data_coding 0 or 8, the UDH then the text) and
// through a modem (one SMS-SUBMIT, fill bits after the header). A part
// longer than the header leaves room for is refused, not cut again.
func TestTextWithUDH(t *testing.T) {
	udh1, udh2 := "\x05\x00\x03\x42\x02\x01", "\x05\x00\x03\x42\x02\x02"
	send := func(r *rig, to, udh, text, coding string) (int, string, string) {
		t.Helper()
		return r.sendsms(url.Values{"username": {"cad-1"}, "password": {testKey}, "to": {to}, "text": {text},
			"udh": {udh}, "coding": {coding}, "dlr-mask": {"1"}})
	}

	t.Run("carrier", func(t *testing.T) {
		r := newRig(t, rigOptions{carrierEnabled: true})
		r.waitReady("carrier-a")
		for _, c := range []struct {
			to, udh, text, coding string
			dc                    uint8
			wire                  string
		}{
			{"+13195550170", udh1, "Part one of two, ", "0", 0x00, "Part one of two, "},
			{"+13195550171", udh2, "\x04\x16\x00!", "2", 0x08, "\x04\x16\x00!"}, // "Ж!" as UCS-2 octets
		} {
			code, body, id := send(r, c.to, c.udh, c.text, c.coding)
			if code != http.StatusAccepted {
				t.Fatalf("%s: %d %s", c.to, code, body)
			}
			if ev := r.waitHook(id); ev.Message.Status != "delivered" || ev.Message.Segments != 1 {
				t.Fatalf("%s: %+v", c.to, ev.Message)
			}
			found := false
			for _, s := range r.sim.Submits() {
				if s.Dest.Addr != strings.TrimPrefix(c.to, "+") {
					continue
				}
				found = true
				if s.ESMClass&0x40 == 0 || string(s.UDH) != c.udh || s.DataCoding != c.dc || string(s.Text()) != c.wire {
					t.Errorf("%s: esm_class %#x udh % x data_coding %#x text % x; want the UDH % x, %#x, % x",
						c.to, s.ESMClass, s.UDH, s.DataCoding, s.Text(), c.udh, c.dc, c.wire)
				}
			}
			if !found {
				t.Fatalf("%s: no submit_sm", c.to)
			}
		}
		if code, body, _ := send(r, "+13195550172", udh1, strings.Repeat("a", 154), "0"); code != http.StatusBadRequest ||
			body != "Text does not fit one message after its UDH, rejected" {
			t.Fatalf("a part of 154 septets after a 6-octet UDH: %d %s; want it refused", code, body)
		}
	})

	t.Run("smpp", func(t *testing.T) {
		// An application's text to a port (a UDH that is not a
		// concatenation) goes out with its UDH, in one part.
		r := newRig(t, rigOptions{carrierEnabled: true})
		r.waitReady("carrier-a")
		s := esme(t, r.g.SMPPAddr(), make(chan gopdu.Body, 10))
		ports := "\x06\x05\x04\x15\x81\x23\xf0"
		submit := func(to, text string) (string, error) {
			p := gopdu.NewSubmitSM(nil)
			f := p.Fields()
			f.Set(pdufield.DestinationAddr, to)
			f.Set(pdufield.DestAddrTON, uint8(1))
			f.Set(pdufield.ESMClass, uint8(0x40))
			f.Set(pdufield.ShortMessage, pdutext.Raw(ports+text))
			resp, err := s.Request(context.Background(), p)
			if err != nil {
				return "", err
			}
			return resp.Fields()[pdufield.MessageID].String(), nil
		}
		if _, err := submit("13195550174", "wake up"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		subs, err := r.sim.WaitSubmits(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if sub := subs[0]; sub.ESMClass&0x40 == 0 || string(sub.UDH) != ports || sub.DataCoding != 0 || string(sub.Text()) != "wake up" {
			t.Fatalf("esm_class %#x udh % x data_coding %#x text %q", sub.ESMClass, sub.UDH, sub.DataCoding, sub.Text())
		}
		// 153 septets after a 7-octet UDH: one more than a part holds.
		if _, err := submit("13195550175", strings.Repeat("a", 153)); !errors.Is(err, smpp.StatusSubmitFail) {
			t.Fatalf("too long for its UDH: %v; want ESME_RSUBMITFAIL", err)
		}
	})

	t.Run("modem", func(t *testing.T) {
		r := newRig(t, rigOptions{modemEnabled: true})
		r.waitReady("modem-1")
		code, body, id := send(r, "+13195550173", udh1, "Part one of two, ", "0")
		if code != http.StatusAccepted {
			t.Fatalf("%d %s", code, body)
		}
		if ev := r.waitHook(id); ev.Message.Status != "delivered" {
			t.Fatalf("%+v", ev.Message)
		}
		subs := r.modem.Submits()
		if len(subs) != 1 {
			t.Fatalf("%d SMS-SUBMITs, want 1", len(subs))
		}
		ud := subs[0].Message.UserData
		got, err := ud.Text()
		h, _ := ud.UDH.MarshalBinary()
		if err != nil || got != "Part one of two, " || !bytes.Equal(h, []byte(udh1)) || ud.Encoding() != pdu.GSM7 {
			t.Fatalf("SMS-SUBMIT: text %q (%v), udh % x, %v", got, err, h, ud.Encoding())
		}
	})
}

// TestUCS2AskedForIsSent: a client that asks for UCS-2 (Kannel coding=2)
// for a text the GSM alphabet has gets UCS-2 on the wire, as its message
// says: the carrier connector and the modem re-planned it as GSM 7-bit.
func TestUCS2AskedForIsSent(t *testing.T) {
	send := func(r *rig, to string) httpapi.WebhookEvent {
		t.Helper()
		code, body, id := r.sendsms(url.Values{"username": {"cad-1"}, "password": {testKey}, "to": {to}, "text": {"Hello"},
			"coding": {"2"}, "charset": {"UTF-8"}, "dlr-mask": {"1"}})
		if code != http.StatusAccepted {
			t.Fatalf("%d %s", code, body)
		}
		ev := r.waitHook(id)
		if ev.Message.Status != "delivered" || ev.Message.Encoding != "ucs2" {
			t.Fatalf("%+v", ev.Message)
		}
		return ev
	}
	t.Run("carrier", func(t *testing.T) {
		r := newRig(t, rigOptions{carrierEnabled: true})
		r.waitReady("carrier-a")
		send(r, "+13195550176")
		subs := r.sim.Submits()
		if len(subs) != 1 || subs[0].DataCoding != 0x08 || string(subs[0].Text()) != "\x00H\x00e\x00l\x00l\x00o" {
			t.Fatalf("submit_sm %+v", subs)
		}
	})
	t.Run("modem", func(t *testing.T) {
		r := newRig(t, rigOptions{modemEnabled: true})
		r.waitReady("modem-1")
		send(r, "+13195550177")
		subs := r.modem.Submits()
		if len(subs) != 1 || subs[0].Message.UserData.Encoding() != pdu.UCS2 {
			t.Fatalf("SMS-SUBMIT %+v", subs)
		}
	})
}

// TestBinaryWithoutUDHIsSent: 8-bit data with no header (the API's
// binary without udh, Kannel coding=1 without udh) goes out through the
// carrier and the modem alike, one part and several. The carrier failed
// it for good ("decode UDHL at offset 0"), with no failover.
func TestBinaryWithoutUDHIsSent(t *testing.T) {
	for _, n := range []int{4, 300} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i)
		}
		send := func(t *testing.T, r *rig, to string) {
			t.Helper()
			code, body, id := r.sendsms(url.Values{"username": {"cad-1"}, "password": {testKey}, "to": {to},
				"text": {string(data)}, "coding": {"1"}, "dlr-mask": {"1"}})
			if code != http.StatusAccepted {
				t.Fatalf("%d %s", code, body)
			}
			if ev := r.waitHook(id); ev.Message.Status != "delivered" || ev.Message.Encoding != "8bit" {
				t.Fatalf("%+v", ev.Message)
			}
		}
		t.Run(fmt.Sprintf("carrier/%d bytes", n), func(t *testing.T) {
			r := newRig(t, rigOptions{carrierEnabled: true})
			r.waitReady("carrier-a")
			send(t, r, "+13195550178")
			var got []byte
			for _, s := range r.sim.Submits() {
				if s.DataCoding != 0x04 {
					t.Fatalf("data_coding %#x", s.DataCoding)
				}
				got = append(got, s.Text()...) // after the concatenation header of a long one
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("the carrier got %x, want %x", got, data)
			}
		})
		t.Run(fmt.Sprintf("modem/%d bytes", n), func(t *testing.T) {
			r := newRig(t, rigOptions{modemEnabled: true})
			r.waitReady("modem-1")
			send(t, r, "+13195550179")
			if subs := r.modem.Submits(); len(subs) != (n+133)/134 {
				t.Fatalf("%d SMS-SUBMITs for %d bytes", len(subs), n)
			}
		})
	}
}
