package modem

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/warthog618/modem/at"

	"github.com/smsgw/smsgw/spool"
)

// cmsInfo is one row of the +CMS ERROR table: what the code means and
// whether sending the same message again can succeed.
type cmsInfo struct {
	name      string
	permanent bool
}

// cmsErrors maps +CMS ERROR codes (3GPP TS 27.005 section 3.2.5; codes
// below 128 are the network's RP causes of TS 24.011, 128 to 255 the
// TP-Failure-Cause of TS 23.040) to retryable or permanent. Permanent is
// kept for what says the recipient cannot get the message from anyone
// (unassigned number, invalid or barred address): a permanent failure
// ends the message at once, with no other connector tried, and a 911
// centre's text lost to a cause that was about our SIM, the network or
// the modem is the worst outcome. Anything else is retryable: another
// attempt, or another connector, can succeed (the route's breaker moves
// traffic off a modem that keeps failing). Unknown codes are retryable.
// docs/modems.md prints this table.
var cmsErrors = map[int]cmsInfo{
	1:   {"unassigned number", true},
	8:   {"operator determined barring", false},     // our SIM barred (no credit, SMS not allowed): not the message
	10:  {"call barred", false},                     // barring for our SIM to that destination (international, premium): another connector may send it
	21:  {"short message transfer rejected", false}, // in the field: a SIM whose plan has no SMS
	27:  {"destination out of service", false},
	28:  {"unidentified subscriber", false}, // the network does not know our SIM (yet)
	29:  {"facility rejected", false},
	30:  {"unknown subscriber", false}, // the originating subscriber, our SIM, unknown to the HLR/VLR
	38:  {"network out of order", false},
	41:  {"temporary failure", false},
	42:  {"congestion", false},
	47:  {"resources unavailable", false},
	50:  {"requested facility not subscribed", false}, // our subscription lacks SMS
	69:  {"requested facility not implemented", false},
	81:  {"invalid short message transfer reference", false},
	95:  {"invalid message", false}, // 95-99: the protocol; the same message through a carrier can go
	96:  {"invalid mandatory information", false},
	97:  {"message type non-existent", false},
	98:  {"message not compatible with protocol state", false},
	99:  {"information element non-existent", false},
	111: {"protocol error", false},
	127: {"interworking unspecified", false},
	// 128-255: TS 23.040 9.2.3.22 TP-Failure-Cause.
	144: {"data coding scheme not supported", false},
	192: {"SC busy", false},
	193: {"no SC subscription", false},
	194: {"SC system failure", false},
	195: {"invalid SME address", true},
	196: {"destination SME barred", true},
	300: {"ME failure", false},
	301: {"SMS service of ME reserved", false},
	302: {"operation not allowed", false},
	303: {"operation not supported", false}, // 303-305: the modem, not the message
	304: {"invalid PDU mode parameter", false},
	305: {"invalid text mode parameter", false},
	310: {"SIM not inserted", false},
	311: {"SIM PIN required", false},
	312: {"PH-SIM PIN required", false},
	313: {"SIM failure", false},
	314: {"SIM busy", false},
	315: {"SIM wrong", false},
	316: {"SIM PUK required", false},
	320: {"memory failure", false},
	321: {"invalid memory index", false},
	322: {"memory full", false},
	330: {"SMSC address unknown", false},
	331: {"no network service", false},
	332: {"network timeout", false},
	340: {"no +CNMA acknowledgement expected", false},
	500: {"unknown error", false},
	515: {"device busy", false}, // vendor code (SIMCom, Huawei, Cinterion): busy or still starting
}

// simRefusal are the +CMS ERROR codes that are about our SIM, not the
// message: the modem is held unready (Options.SIMHold) so that routes use
// their next connector.
var simRefusal = map[int]bool{8: true, 28: true, 30: true, 50: true, 193: true}

// simRefusedText begins Health.LastError while the SIM is held.
const simRefusedText = "the network refused a send for our SIM"

// cmsOf is the code of err when it is a +CMS ERROR.
func cmsOf(err error) (int, bool) {
	var cms at.CMSError
	if !errors.As(err, &cms) {
		return 0, false
	}
	return cmsCode(string(cms))
}

// holdSIM makes the modem unready for SIMHold after a refusal for
// reasons of our SIM; the poll after that makes it ready again.
func (m *Modem) holdSIM(code int) {
	until := time.Now().Add(m.o.SIMHold)
	m.setHealth(func(h *Health) {
		h.SIMRefused++
		h.SIMHeldUntil = until
		h.LastError = fmt.Sprintf("%s (+CMS ERROR %d, %s)", simRefusedText, code, cmsErrors[code].name)
	})
	m.setReady(false)
	m.log.Error("the network refused a send for reasons of our SIM; modem held unready so that routes fail over",
		"cms", code, "reason", cmsErrors[code].name, "until", until)
}

// cmsCode reads the code of a +CMS ERROR: numeric (AT+CMEE=1) or, for a
// modem that answers in words anyway, the table's name.
func cmsCode(text string) (int, bool) {
	text = strings.TrimSpace(text)
	if n, err := strconv.Atoi(text); err == nil {
		return n, true
	}
	for code, info := range cmsErrors {
		if strings.EqualFold(info.name, text) {
			return code, true
		}
	}
	return 0, false
}

// sendError turns what AT+CMGS returned into a spool send error.
// pduWritten says the PDU reached the modem: a timeout or a lost port
// after that leaves the part possibly sent, before it not sent.
func sendError(err error, pduWritten bool) error {
	var cms at.CMSError
	switch {
	case errors.As(err, &cms):
		code, ok := cmsCode(string(cms))
		if !ok {
			return spool.Retryable("cms", fmt.Errorf("+CMS ERROR: %s", string(cms)))
		}
		info, known := cmsErrors[code]
		if !known {
			info = cmsInfo{name: "unknown code"}
		}
		e := fmt.Errorf("+CMS ERROR: %d (%s)", code, info.name)
		if info.permanent {
			return spool.Permanent(fmt.Sprintf("cms_%d", code), e)
		}
		return spool.Retryable(fmt.Sprintf("cms_%d", code), e)
	case errors.Is(err, at.ErrDeadlineExceeded) && !pduWritten:
		return spool.Retryable("no_prompt", errors.New(`the modem gave no "> " prompt for AT+CMGS in time: the part was not sent`))
	case errors.Is(err, at.ErrDeadlineExceeded):
		return spool.Retryable("timeout", errors.New("the modem did not answer AT+CMGS in time: the part may have gone out (possible duplicate)"))
	case errors.Is(err, at.ErrClosed) && pduWritten:
		return spool.Retryable("modem_gone", errors.New("the modem port closed after the part was handed to the modem: it may have gone out (possible duplicate)"))
	case errors.Is(err, at.ErrClosed):
		return spool.Retryable("modem_gone", errors.New("the modem port closed"))
	}
	return spool.Retryable("modem_error", err)
}
