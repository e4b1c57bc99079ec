package policy

import (
	"strings"
	"testing"
)

func TestRecipientsAcrossRegions(t *testing.T) {
	var ts []Tenant
	for _, r := range []string{"US", "GB", "DE", "FR", "IN"} {
		ts = append(ts, Tenant{ID: strings.ToLower(r), DefaultRegion: r, AllowedCountries: []string{"*"}, Senders: []string{"*"}})
	}
	e := newEnv(t, ts...)
	for _, c := range []struct{ tenant, to, want, country string }{
		{"us", "(201) 555-0123", "+12015550123", "US"},
		{"us", "201.555.0123", "+12015550123", "US"},
		{"us", "1 201 555 0123", "+12015550123", "US"},
		{"us", "+1-201-555-0123", "+12015550123", "US"},
		{"us", "011 44 7400 123456", "+447400123456", "GB"},
		// 00 is read as "+" wherever the tenant is: the ITU's prefix,
		// written by people and systems outside the US too.
		{"us", "0044 7400 123456", "+447400123456", "GB"},
		{"us", "0013195550123", "+13195550123", "US"},
		{"gb", "07400 123456", "+447400123456", "GB"},
		{"gb", "+44 (0)7400 123456", "+447400123456", "GB"},
		{"gb", "00 49 1512 3456789", "+4915123456789", "DE"},
		{"de", "01512 3456789", "+4915123456789", "DE"},
		{"de", "0151-2345-6789", "+4915123456789", "DE"},
		{"de", "+49 (151) 23456789", "+4915123456789", "DE"},
		{"fr", "06 12 34 56 78", "+33612345678", "FR"},
		{"fr", "+33 6 12 34 56 78", "+33612345678", "FR"},
		{"in", "081234 56789", "+918123456789", "IN"},
		{"in", "+91 81234-56789", "+918123456789", "IN"},
		{"in", "8123456789", "+918123456789", "IN"},
		// International numbers written without + (as Kannel clients do):
		// the national reading would be another, valid number.
		{"de", "4917612345678", "+4917612345678", "DE"},
		{"de", "49 176 12345678", "+4917612345678", "DE"},
		{"de", "14155550123", "+14155550123", "US"},
		{"us", "4917612345678", "+4917612345678", "DE"},
		{"us", "447400123456", "+447400123456", "GB"},
		{"fr", "33612345678", "+33612345678", "FR"},
		{"gb", "447400123456", "+447400123456", "GB"},
		// National numbers stay national.
		{"us", "4155550123", "+14155550123", "US"},
		{"us", "14155550123", "+14155550123", "US"},
		{"de", "017612345678", "+4917612345678", "DE"},
		{"gb", "07400123456", "+447400123456", "GB"},
	} {
		d, err := e.check(Submission{Tenant: c.tenant, From: "+12015550100", To: c.to})
		if err != nil {
			t.Errorf("%s %q: %v", c.tenant, c.to, err)
			continue
		}
		if d.To != c.want || d.Country != c.country || d.Warning != "" {
			t.Errorf("%s %q = %s (%s) %q, want %s (%s)", c.tenant, c.to, d.To, d.Country, d.Warning, c.want, c.country)
		}
	}
}

func TestInvalidRecipients(t *testing.T) {
	e := newEnv(t, Tenant{ID: "psap-north", DefaultRegion: "US", AllowedCountries: []string{"*"}},
		Tenant{ID: "intl", AllowedCountries: []string{"*"}})
	for _, c := range []struct{ tenant, to, msg string }{
		{"psap-north", "", "required"},
		{"psap-north", "   ", "required"},
		{"psap-north", "CALLME", "letters"},
		{"psap-north", "1-800-FLOWERS", "letters"},
		{"psap-north", "+1 201 555 0123#", "unexpected character"},
		{"psap-north", "12", "too short"},
		{"psap-north", "+1 201", "too short"},
		{"psap-north", "+1 201 555 0123 4567", "too long"},
		{"psap-north", "+49 1512 3456789 1234 5678", "too long"},
		{"psap-north", "+999 123 4567", "country code"},
		{"psap-north", "555-0123", "local number"},
		{"psap-north", "+1 201 555 0123 ext. 5", "letters"},
		{"psap-north", "+1 201 555 0123;ext=5", "unexpected character"},
		{"psap-north", "+", "not a phone number"},
		{"intl", "2015550123", "international form"},
	} {
		_, err := e.check(Submission{Tenant: c.tenant, From: "+12015550100", To: c.to})
		if err == nil {
			t.Errorf("%q accepted", c.to)
			continue
		}
		pe := wantCode(t, err, CodeInvalidRecipient, "to")
		if !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("%q: message %q does not say %q", c.to, pe.Msg, c.msg)
		}
	}
}

func TestUnknownRanges(t *testing.T) {
	e := newEnv(t, Tenant{ID: "psap-north", DefaultRegion: "US", AllowedCountries: []string{"*"}, DefaultSender: "+12015550100"})
	// +44 7700 900xxx is Ofcom's drama range: a possible length, no valid range.
	d, err := e.check(Submission{To: "+44 7700 900123"})
	if err != nil || d.To != "+447700900123" || d.Warning == "" {
		t.Fatalf("lenient: %+v, %v", d, err)
	}
	strict, err := New(e.store, e.ts, Options{StrictNumbers: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = strict.Check(t.Context(), Submission{Tenant: "psap-north", To: "+44 7700 900123"})
	wantCode(t, err, CodeInvalidRecipient, "to")
}

func TestNormaliseSender(t *testing.T) {
	for _, c := range []struct {
		in, want string
		kind     SenderKind
	}{
		{"+1 (319) 555-0100", "+13195550100", SenderE164},
		{"(319) 555-0100", "+13195550100", SenderE164},
		{"+44 7400 123456", "+447400123456", SenderE164},
		{"112", "112", SenderShortCode},
		{"76543", "76543", SenderShortCode},
		{"765-43", "76543", SenderShortCode},
		{"12345678", "12345678", SenderShortCode},
		{"PSAPNORTH", "PSAPNORTH", SenderAlphanumeric},
		{"PSAP North1", "PSAP North1", SenderAlphanumeric}, // 11, with a space
		{"BANK24", "BANK24", SenderAlphanumeric},           // never +4924
		{"Ünità", "Ünità", SenderAlphanumeric},             // Ü and à are in the GSM default alphabet
	} {
		got, kind, err := NormaliseSender(c.in, "US")
		if err != nil || got != c.want || kind != c.kind {
			t.Errorf("NormaliseSender(%q) = %q %s %v, want %q %s", c.in, got, kind, err, c.want, c.kind)
		}
	}
	for _, in := range []string{
		"", "12", "PSAPNORTH123", // 12 characters
		"911 ЦЕНТР", "Ĉentro", "☎HELP", "Ünïtèd", // outside GSM 7-bit
		"AB{}[]€", // extension characters count two septets: 1+1+2*4+2 = 12
		"+1 201", "12#4", "+12015550100x", "+1 201 555 0123 4567",
	} {
		if got, kind, err := NormaliseSender(in, "US"); err == nil {
			t.Errorf("NormaliseSender(%q) = %q %s, want invalid_sender", in, got, kind)
		} else {
			wantCode(t, err, CodeInvalidSender, "from")
		}
	}
	if _, _, err := NormaliseSender("AB{}", "US"); err != nil {
		t.Errorf("extension characters within 11 septets: %v", err)
	}
	if _, _, err := NormaliseSender("3195550100", ""); err == nil {
		t.Error("a national number without a region was accepted")
	}
}

// TestRecipientForSearch: a number as people write it reads as the E.164
// form messages are stored under, with the tenant's region, or any
// tenant's when none is named.
func TestRecipientForSearch(t *testing.T) {
	de := Tenant{ID: "leitstelle", DefaultRegion: "DE", Senders: []string{"112"}, DefaultSender: "112"}
	e := newEnv(t, psapNorth(), de)
	for _, c := range []struct{ tenant, raw, want string }{
		{"psap-north", "(319) 555-0123", "+13195550123"},
		{"psap-north", "+1 319 555 0123", "+13195550123"},
		{"leitstelle", "0176 12345678", "+4917612345678"},
		{"", "(319) 555-0123", "+13195550123"},
	} {
		if got, ok := e.p.Recipient(c.tenant, c.raw); !ok || got != c.want {
			t.Errorf("%s %q: %q %v, want %q", c.tenant, c.raw, got, ok, c.want)
		}
	}
	if got, ok := e.p.Recipient("psap-north", "not a number"); ok {
		t.Errorf("a word read as %q", got)
	}
}
