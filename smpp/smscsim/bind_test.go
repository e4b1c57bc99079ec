package smscsim_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

func TestBind(t *testing.T) {
	s := newSim(t, smscsim.Options{Accounts: []smscsim.Account{{SystemID: "carrier", Password: "pw"}, {SystemID: "other", Password: "x"}}})
	cases := []struct {
		label     string
		id        pdu.ID
		sysID, pw string
		want      pdu.Status
	}{
		{"transmitter", pdu.BindTransmitterID, "carrier", "pw", 0},
		{"receiver", pdu.BindReceiverID, "carrier", "pw", 0},
		{"transceiver", pdu.BindTransceiverID, "other", "x", 0},
		{"wrong password", pdu.BindTransceiverID, "carrier", "nope", smscsim.StatusInvPaswd},
		{"unknown system_id", pdu.BindTransmitterID, "nobody", "pw", smscsim.StatusInvSysID},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			c := dial(t, s)
			if got := c.bind(tc.id, tc.sysID, tc.pw); got != tc.want {
				t.Fatalf("bind status %#x, want %#x", uint32(got), uint32(tc.want))
			}
			if tc.want != 0 {
				return
			}
			if got := c.bind(tc.id, tc.sysID, tc.pw); got != smscsim.StatusAlyBnd {
				t.Fatalf("second bind status %#x, want ESME_RALYBND", uint32(got))
			}
		})
	}
}

func TestEnquireLinkAndUnbind(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := dial(t, s)
	seq := c.send(pdu.NewEnquireLink()) // allowed before a bind
	if r := c.expect(pdu.EnquireLinkRespID); r.Header().Seq != seq {
		t.Fatalf("enquire_link_resp seq %d, want %d", r.Header().Seq, seq)
	}
	if st := c.submitStatus(plain); st != smscsim.StatusInvBndSts {
		t.Fatalf("submit before bind: %#x, want ESME_RINVBNDSTS", uint32(st))
	}
	if st := c.bind(pdu.BindTransceiverID, smscsim.DefaultSystemID, smscsim.DefaultPassword); st != 0 {
		t.Fatal(st)
	}
	if err := s.WaitBound(testCtx(t), 1); err != nil {
		t.Fatal(err)
	}
	seq = c.send(pdu.NewUnbind())
	if r := c.expect(pdu.UnbindRespID); r.Header().Seq != seq {
		t.Fatalf("unbind_resp seq %d, want %d", r.Header().Seq, seq)
	}
	c.expectClosed()
	if err := s.WaitSessions(testCtx(t), 0); err != nil {
		t.Fatal(err)
	}
}

func TestReceiverCannotSubmit(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := dial(t, s)
	if st := c.bind(pdu.BindReceiverID, smscsim.DefaultSystemID, smscsim.DefaultPassword); st != 0 {
		t.Fatal(st)
	}
	if st := c.submitStatus(plain); st != smscsim.StatusInvBndSts {
		t.Fatalf("submit on a receiver: %#x, want ESME_RINVBNDSTS", uint32(st))
	}
}

func TestTrace(t *testing.T) {
	var buf bytes.Buffer // written under the server's trace lock, read after Close
	s := newSim(t, smscsim.Options{Trace: &buf})
	c := bound(t, s)
	c.submitOK(plain)
	s.Close()
	out := buf.String()
	for _, want := range []string{"in  BindTransceiver seq=1", "out BindTransceiverResp seq=1", "in  SubmitSM seq=2", "out SubmitSMResp seq=2"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}
