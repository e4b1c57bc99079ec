package smscsim_test

import (
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

func TestThrottle(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := bound(t, s)
	s.SetThrottle(3)
	for i := range 3 {
		if st := c.submitStatus(plain); st != 0 {
			t.Fatalf("submit %d: %#x", i, uint32(st))
		}
	}
	if st := c.submitStatus(plain); st != smscsim.StatusThrottled {
		t.Fatalf("4th submit in a second: %#x, want ESME_RTHROTTLED", uint32(st))
	}
	s.SetThrottle(0)
	if st := c.submitStatus(plain); st != 0 {
		t.Fatalf("after SetThrottle(0): %#x", uint32(st))
	}
	if n := len(s.Submits()); n != 4 {
		t.Fatalf("%d submits recorded, want 4 (the throttled one is not)", n)
	}
}

func TestQueueFull(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := bound(t, s)
	s.SetQueueFull(2)
	for _, want := range []pdu.Status{smscsim.StatusMsgQFul, smscsim.StatusMsgQFul, 0} {
		if st := c.submitStatus(plain); st != want {
			t.Fatalf("status %#x, want %#x", uint32(st), uint32(want))
		}
	}
}

func TestResponseDelay(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := bound(t, s)
	const delay = 200 * time.Millisecond
	s.SetResponseDelay(delay)
	start := time.Now()
	seq := c.submit(plain)
	c.send(pdu.NewEnquireLink()) // the reader is not blocked by the delay
	c.expect(pdu.EnquireLinkRespID)
	r := c.expect(pdu.SubmitSMRespID)
	if r.Header().Seq != seq || time.Since(start) < delay {
		t.Fatalf("submit_sm_resp seq %d after %v", r.Header().Seq, time.Since(start))
	}
}

func TestDropAfter(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := bound(t, s)
	s.DropAfter(2)
	c.send(pdu.NewEnquireLink())
	c.expect(pdu.EnquireLinkRespID)
	c.send(pdu.NewEnquireLink()) // the 2nd PDU: dropped unanswered
	c.expectClosed()
	if err := s.WaitSessions(testCtx(t), 0); err != nil {
		t.Fatal(err)
	}
	bound(t, s) // the fault fired once
}

func TestServerUnbind(t *testing.T) {
	t.Run("answered", func(t *testing.T) {
		s := newSim(t, smscsim.Options{UnbindTimeout: time.Minute})
		c := bound(t, s)
		if n := s.Unbind(""); n != 1 {
			t.Fatalf("unbound %d sessions, want 1", n)
		}
		u := c.expect(pdu.UnbindID)
		r := pdu.NewUnbindResp()
		r.Header().Seq = u.Header().Seq
		c.seq--
		c.send(r)
		c.expectClosed()
		if err := s.WaitSessions(testCtx(t), 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("not answered", func(t *testing.T) {
		s := newSim(t, smscsim.Options{UnbindTimeout: 300 * time.Millisecond})
		c := bound(t, s)
		if n := s.Unbind(smscsim.DefaultSystemID); n != 1 {
			t.Fatalf("unbound %d sessions, want 1", n)
		}
		c.expect(pdu.UnbindID)
		if st := c.submitStatus(plain); st != smscsim.StatusInvBndSts {
			t.Fatalf("submit while unbinding: %#x", uint32(st))
		}
		c.expectClosed()
	})
}

func TestIgnoreSubmits(t *testing.T) {
	s := newSim(t, smscsim.Options{})
	c := bound(t, s)
	s.IgnoreSubmits(func(m smscsim.Submit) bool { return string(m.ShortMessage) == "lost" })
	lost := plain
	lost.sm = []byte("lost")
	lost.reg = 1
	c.submit(lost)
	seq := c.submit(plain)
	r := c.expect(pdu.SubmitSMRespID) // the first answer is the second submit's
	if r.Header().Seq != seq {
		t.Fatalf("submit_sm_resp seq %d, want %d", r.Header().Seq, seq)
	}
	subs := s.Submits()
	if len(subs) != 2 || !subs[0].Ignored || subs[0].MessageID != "" || subs[1].Ignored {
		t.Fatalf("submits %+v", subs)
	}
	if r.Fields()[pdufield.MessageID].String() == "" || len(s.Deliveries()) != 0 {
		t.Fatal("want an id for the answered submit and no receipt for the ignored one")
	}
}
