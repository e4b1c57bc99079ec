package cmd

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocExamples runs every "$ smsgw ..." command in the docs' console
// blocks and compares its standard output with the lines under it, so the
// documented examples keep working as written.
func TestDocExamples(t *testing.T) {
	docs, _ := filepath.Glob("../docs/*.md")
	ran := 0
	for _, doc := range docs {
		for _, ex := range consoleExamples(t, doc) {
			t.Run(filepath.Base(doc)+": "+ex.cmd, func(t *testing.T) {
				args := splitArgs(t, strings.TrimPrefix(ex.cmd, "smsgw "))
				code, out, errOut := runCmd(t, "", args...)
				if code != ExitOK {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if strings.TrimRight(out, "\n") != ex.want {
					t.Errorf("output differs from the docs:\n got:\n%s\nwant:\n%s", out, ex.want)
				}
			})
			ran++
		}
	}
	if ran == 0 {
		t.Fatal("no examples found")
	}
}

type example struct{ cmd, want string }

func consoleExamples(t *testing.T, path string) []example {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	var cur *example
	var lines []string
	in := false
	sc := bufio.NewScanner(f)
	flush := func() {
		if cur != nil {
			cur.want = strings.Join(lines, "\n")
			out = append(out, *cur)
		}
		cur, lines = nil, nil
	}
	for sc.Scan() {
		l := sc.Text()
		switch {
		case l == "```console":
			in = true
		case in && l == "```":
			flush()
			in = false
		case in && strings.HasPrefix(l, "$ smsgw "):
			flush()
			cur = &example{cmd: strings.TrimPrefix(l, "$ ")}
		case in && cur != nil:
			lines = append(lines, l)
		}
	}
	return out
}

// splitArgs splits a command line with shell-style quotes.
func splitArgs(t *testing.T, s string) []string {
	var args []string
	var b strings.Builder
	quote, have := rune(0), false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			b.WriteRune(r)
		case r == '"' || r == '\'':
			quote, have = r, true
		case r == ' ':
			if have || b.Len() > 0 {
				args = append(args, b.String())
				b.Reset()
				have = false
			}
		default:
			b.WriteRune(r)
		}
	}
	if quote != 0 {
		t.Fatalf("unclosed quote in %q", s)
	}
	if have || b.Len() > 0 {
		args = append(args, b.String())
	}
	return args
}
