package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDocLinks checks every relative link in the project's Markdown (the
// README, docs/ and the packages' READMEs): the file it names exists, and
// an #anchor into a Markdown file names one of its headings, as GitHub
// makes anchors. Links to web addresses are not followed.
func TestDocLinks(t *testing.T) {
	root := ".."
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d Markdown files: %v", len(files), files)
	}
	checked := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, link := range markdownLinks(string(src)) {
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			checked++
			target, anchor, _ := strings.Cut(link, "#")
			path := file
			if target != "" {
				path = filepath.Join(filepath.Dir(file), target)
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: link %q: %v", file, link, err)
					continue
				}
			}
			if anchor == "" || !strings.HasSuffix(path, ".md") {
				continue
			}
			doc, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !hasAnchor(string(doc), anchor) {
				t.Errorf("%s: link %q: no heading with that anchor in %s", file, link, path)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d links: the pattern is wrong", checked)
	}
}

var (
	mdLink  = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdFence = regexp.MustCompile("(?ms)^\\s*```.*?^\\s*```")
	mdCode  = regexp.MustCompile("`[^`\n]*`")
)

// markdownLinks returns the targets of [text](target) links outside code.
func markdownLinks(src string) []string {
	src = mdFence.ReplaceAllString(src, "")
	src = mdCode.ReplaceAllString(src, "")
	var out []string
	for _, m := range mdLink.FindAllStringSubmatch(src, -1) {
		out = append(out, m[1])
	}
	return out
}

// hasAnchor reports whether a heading of doc has the GitHub anchor a:
// lower case, spaces to hyphens, punctuation other than - and _ dropped;
// repeated headings get -1, -2, ...
func hasAnchor(doc, a string) bool {
	seen := map[string]int{}
	for _, line := range strings.Split(mdFence.ReplaceAllString(doc, ""), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r > 127:
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			seen[slug]++
			slug = slug + "-" + strconv.Itoa(n)
		} else {
			seen[slug] = 1
		}
		if slug == a {
			return true
		}
	}
	return false
}
