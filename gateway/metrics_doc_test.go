package gateway

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMetricsAreDocumented: every smsgw_ series the code defines is named
// in docs/operations.md's metrics tables.
func TestMetricsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := regexp.MustCompile(`(?:Name:\s*|NewDesc\()"(smsgw_[a-z_]+)"`)
	files, _ := filepath.Glob("../*/*.go")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range defined.FindAllStringSubmatch(string(src), -1) {
			n++
			if !strings.Contains(string(doc), "`"+m[1]+"`") && !strings.Contains(string(doc), "`"+m[1]+"{") {
				t.Errorf("%s (%s) is not in docs/operations.md", m[1], f)
			}
		}
	}
	if n < 20 {
		t.Fatalf("found %d metric definitions, want at least 20", n)
	}
}
