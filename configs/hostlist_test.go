package configs

import "testing"

func TestHostListAllows(t *testing.T) {
	l := HostList{"cad.example", "*.psap.example", "10.0.0.0/8", "192.168.1.5", "fd00::/8", "::1"}
	for host, want := range map[string]bool{
		"cad.example": true, "CAD.Example.": true, "cad.example.evil": false, "evilcad.example": false,
		"a.psap.example": true, "b.a.psap.example": true, "psap.example": false, "xpsap.example": false,
		"10.20.30.40": true, "11.0.0.1": false, "192.168.1.5": true, "192.168.1.6": false,
		"::ffff:10.1.1.1": true, "fd12::1": true, "::1": true, "127.0.0.1": false, "localhost": false, "": false,
	} {
		if got := l.Allows(host); got != want {
			t.Errorf("Allows(%q) = %v, want %v", host, got, want)
		}
	}
	if !(HostList{}).Allows("anything.example") {
		t.Error("an empty list allows any host")
	}
}

func TestHostEntryProblem(t *testing.T) {
	for e, bad := range map[string]bool{
		"cad.example": false, "*.psap.example": false, "10.0.0.0/8": false, "::1": false, "cad-1.example.": false,
		"": true, "http://cad.example": true, "cad.example:8080": true, "10.0.0.0/33": true, "cad_1.example": true,
		"*.": true, "a..b": true, "cad.example/path": true,
	} {
		if got := hostEntryProblem(e); (got != "") != bad {
			t.Errorf("hostEntryProblem(%q) = %q, want a problem: %v", e, got, bad)
		}
	}
}
