package adminui

import (
	"testing"

	"github.com/smsgw/smsgw/modem"
)

// TestModemStatesHaveTheirColour: the dashboard shows a modem's
// registration as the modem names it; a registered modem is green with
// ✓, a denied or unregistered one red with ✗, and only searching or
// unknown stay amber. Before, "registered (home)" was amber like a
// modem still looking for the network.
func TestModemStatesHaveTheirColour(t *testing.T) {
	want := map[modem.Registration]string{
		modem.RegHome: "ok", modem.RegRoaming: "ok",
		modem.RegDenied: "bad", modem.RegNotRegistered: "bad",
		modem.RegSearching: "warn", modem.RegUnknown: "warn",
	}
	for reg, class := range want {
		if got := stateClass(reg.String()); got != class {
			t.Errorf("%q: class %q, want %q", reg, got, class)
		}
	}
	if stateMark(modem.RegHome.String()) != "✓" {
		t.Errorf("registered (home) is marked %q", stateMark(modem.RegHome.String()))
	}
}
