package pdu_test

import (
	"errors"
	"testing"

	"github.com/smsgw/smsgw/pdu"
)

// TestMalformed checks that bad PDUs fail with the field and offset at fault.
func TestMalformed(t *testing.T) {
	cases := []struct {
		label, hex string
		field      string
		offset     int
		err        error
	}{
		{"empty", "", "TP-MTI", 0, pdu.ErrShort},
		{"reserved MTI", "03", "TP-MTI", 0, pdu.ErrInvalid},
		{"deliver cut in the address", "040B9172", "TP-OA", 1, pdu.ErrShort},
		{"address longer than 20 digits", "04159172", "TP-OA", 1, pdu.ErrInvalid},
		{"filler inside the digits", "040591F12345", "TP-OA", 3, pdu.ErrInvalid},
		{"deliver cut before SCTS", "040491214300", "TP-PID", 5, pdu.ErrShort},
		{"SCTS not BCD", "0404912143000031A0805120618000", "TP-SCTS", 8, pdu.ErrInvalid},
		{"SCTS month 13", "0404912143000031318051206180", "TP-SCTS", 7, pdu.ErrInvalid},
		{"UDH overruns its length", "4404912143000031308051206180050403000301", "UDH IE", 18, pdu.ErrShort},
		{"submit without TP-UDL", "0100049121430000", "TP-UDL", 8, pdu.ErrShort},
		{"status report cut before TP-ST", "0600049121433130805120618031308051206180", "TP-ST", 20, pdu.ErrShort},
	}
	for _, c := range cases {
		t.Run(c.label, func(t *testing.T) {
			_, err := pdu.DecodeTPDU(mustHex(t, c.hex))
			var de *pdu.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v, want a *DecodeError", err)
			}
			if de.Field != c.field || de.Offset != c.offset || !errors.Is(err, c.err) {
				t.Errorf("got %v (field %q offset %d), want field %q offset %d wrapping %v", err, de.Field, de.Offset, c.field, c.offset, c.err)
			}
		})
	}
}

func TestStatusOutcome(t *testing.T) {
	for _, c := range []struct {
		st   pdu.Status
		want pdu.Outcome
	}{{0x00, pdu.OutcomeDelivered}, {0x02, pdu.OutcomeDelivered}, {0x1F, pdu.OutcomeDelivered},
		{0x20, pdu.OutcomePending}, {0x25, pdu.OutcomePending}, {0x3F, pdu.OutcomePending},
		{0x40, pdu.OutcomeFailed}, {0x46, pdu.OutcomeFailed}, {0x60, pdu.OutcomeFailed}, {0x7F, pdu.OutcomeFailed}, {0xFF, pdu.OutcomeFailed}} {
		if got := c.st.Outcome(); got != c.want {
			t.Errorf("0x%02X: %v, want %v", byte(c.st), got, c.want)
		}
	}
}

func TestAddresses(t *testing.T) {
	for _, c := range []struct {
		in  string
		ton pdu.TON
		val string
		err error
	}{
		{"+1 (319) 555-0100", pdu.TONInternational, "13195550100", nil},
		{"01701234567", pdu.TONUnknown, "01701234567", nil},
		{"*100#", pdu.TONUnknown, "*100#", nil},
		{"PSAPNORTH", pdu.TONAlphanumeric, "PSAPNORTH", nil},
		{"TOOLONGSENDER", 0, "", pdu.ErrTooLong},
		{"+12ab", 0, "", pdu.ErrInvalid},
		{"Привет", 0, "", pdu.ErrUnencodable},
		{"", 0, "", pdu.ErrInvalid},
		{"+123456789012345678901", 0, "", pdu.ErrTooLong},
	} {
		a, err := pdu.ParseAddress(c.in)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%q: %v, want %v", c.in, err, c.err)
			}
			continue
		}
		if err != nil || a.TON != c.ton || a.Value != c.val {
			t.Errorf("%q: %+v %v", c.in, a, err)
		}
	}
	// An alphanumeric originator round-trips through TP-OA (7-bit packed).
	d := &pdu.Deliver{Originator: pdu.Address{TON: pdu.TONAlphanumeric, Value: "PSAP-911"}, SCTS: t0, UserData: pdu.UserData{UD: []byte{0x48}}}
	b, err := d.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pdu.DecodeTPDU(b)
	if err != nil || m.(*pdu.Deliver).Originator.String() != "PSAP-911" {
		t.Fatalf("alphanumeric originator: %v %+v", err, m)
	}
}

func TestStatusReportRoundTrip(t *testing.T) {
	r := &pdu.StatusReport{MR: 0x2A, Recipient: pdu.Address{TON: pdu.TONInternational, NPI: pdu.NPIISDN, Value: "13195550100"},
		SCTS: t0, Discharge: t0.Add(3e9), Status: 0x46}
	b, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pdu.DecodeTPDU(b)
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*pdu.StatusReport)
	if got.MR != 0x2A || got.Status.Outcome() != pdu.OutcomeFailed || got.Recipient.String() != "+13195550100" || !got.Discharge.Equal(t0.Add(3e9)) {
		t.Errorf("round trip: %+v", got)
	}
	// Trailing padding some networks add after TP-ST is ignored.
	if _, err := pdu.DecodeTPDU(append(b, 0xFF, 0xFF)); err != nil {
		t.Errorf("padded report: %v", err)
	}
}

func TestDCS(t *testing.T) {
	for _, c := range []struct {
		dcs   pdu.DCS
		enc   pdu.Encoding
		class int
	}{{0x00, pdu.GSM7, -1}, {0x08, pdu.UCS2, -1}, {0x04, pdu.Binary, -1}, {0x10, pdu.GSM7, 0}, {0x18, pdu.UCS2, 0},
		{0xF0, pdu.GSM7, 0}, {0xF6, pdu.Binary, 2}, {0xC8, pdu.GSM7, -1}, {0xE0, pdu.UCS2, -1}, {0x4A, pdu.UCS2, -1}, {0x5A, pdu.UCS2, 2}} {
		if c.dcs.Encoding() != c.enc || c.dcs.Class().Number() != c.class {
			t.Errorf("DCS %02X: %v class %d, want %v class %d", byte(c.dcs), c.dcs.Encoding(), c.dcs.Class().Number(), c.enc, c.class)
		}
	}
	if mw, ok := pdu.DCS(0xD8).MessageWaiting(); !ok || !mw.Active || !mw.Store || mw.Kind != "voicemail" {
		t.Errorf("DCS D8: %+v %v", mw, ok)
	}
	if pdu.NewDCS(pdu.GSM7, pdu.Class0) != 0x10 || pdu.NewDCS(pdu.UCS2, pdu.Class0) != 0x18 {
		t.Error("flash DCS")
	}
}
