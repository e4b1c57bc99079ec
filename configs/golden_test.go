package configs

import (
	"errors"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestEveryErrorAtOnce loads a file with many problems and compares the
// whole report with testdata/bad.golden (go test -update rewrites it).
func TestEveryErrorAtOnce(t *testing.T) {
	data, err := os.ReadFile("testdata/bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(data, "testdata/bad.yaml")
	var d *Diagnostics
	if !errors.As(err, &d) {
		t.Fatalf("want *Diagnostics, got %v", err)
	}
	got := d.Error() + "\n"
	for _, w := range d.Warnings {
		got += "warning: " + w.String() + "\n"
	}
	if *update {
		if err := os.WriteFile("testdata/bad.golden", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/bad.golden")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("report differs from testdata/bad.golden:\n%s", got)
	}
	if len(d.Errors) < 25 {
		t.Errorf("%d errors: want every one", len(d.Errors))
	}
}
