package gateway

import (
	"testing"
	"time"

	"github.com/smsgw/smsgw/configs"
)

// TestZeroMeansNone: the configuration's documented zeros (enquire_link
// 0: never; reset_after 0: never; jitter 0: none) reach the options as
// their "none", not as their zero, which means the default.
func TestZeroMeansNone(t *testing.T) {
	cfg := &configs.Config{}
	smpp := configs.Connector{Name: "c", SMPP: &configs.SMPPConnector{Host: "h", Port: 1}}
	co, err := carrierOptions(cfg, smpp, nil)
	if err != nil || co.Session.EnquireLink >= 0 {
		t.Errorf("enquire_link 0: %v (%v), want never (negative)", co.Session.EnquireLink, err)
	}
	smpp.SMPP.EnquireLink = 45 * time.Second
	if co, _ := carrierOptions(cfg, smpp, nil); co.Session.EnquireLink != 45*time.Second {
		t.Errorf("enquire_link 45s: %v", co.Session.EnquireLink)
	}
	mo, err := modemOptions(cfg, configs.Connector{Name: "m", Modem: &configs.ModemConnector{Port: "/dev/x"}}, nil)
	if err != nil || mo.ResetAfter >= 0 {
		t.Errorf("reset_after 0: %d (%v), want never (negative)", mo.ResetAfter, err)
	}
	if j := zeroMeansNone(0.0); j >= 0 {
		t.Errorf("jitter 0: %g", j)
	}
}
