package configs

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: no input panics, and a file that does not load says why,
// with every problem given a message.
func FuzzParse(f *testing.F) {
	f.Add(Example())
	if b, err := os.ReadFile("testdata/bad.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(okTenant + okConnector))
	f.Add([]byte("connectors:\n  - &m {name: a, type: modem, port: /dev/x}\n  - <<: [*m, *m]\n    name: b\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("connectors:\n  - &m {name: a, type: modem, port: /dev/x, <<: [*m, *m]}\n")) // a merge cycle overflowed the stack
	f.Add([]byte("x-a: &a {<<: *a}\nlisten: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.yaml")
		var d *Diagnostics
		switch {
		case err == nil && cfg == nil:
			t.Fatal("no config and no error")
		case err != nil && !errors.As(err, &d):
			t.Fatalf("not a *Diagnostics: %v", err)
		case d != nil:
			for _, e := range d.Errors {
				if e.Message == "" {
					t.Fatalf("empty message at %q", e.Path)
				}
			}
		}
	})
}
