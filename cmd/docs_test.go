package cmd

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocExamples runs every "$ smsgw ..." command in the docs' console
// blocks and compares its standard output with the lines under it, so the
// documented examples keep working as written. The examples of one file
// run in order and share a data directory: "/tmp/smsgw-docs" in a
// command is replaced by a fresh temporary directory per file. In the
// expected output, a message id (a ULID) matches any id and binds it, so
// that a later command naming the documented id gets the real one; a
// UTC timestamp with milliseconds matches any such timestamp; <*>
// matches any run of non-blank characters, and <...> anything, blanks
// included, down to none.
func TestDocExamples(t *testing.T) {
	docs, _ := filepath.Glob("../docs/*.md")
	ran := 0
	for _, doc := range docs {
		dataDir := t.TempDir()
		ids := map[string]string{} // documented id → real id
		for _, ex := range consoleExamples(t, doc) {
			t.Run(filepath.Base(doc)+": "+ex.cmd, func(t *testing.T) {
				cmdline := strings.ReplaceAll(strings.TrimPrefix(ex.cmd, "smsgw "), "/tmp/smsgw-docs", dataDir)
				for doc, real := range ids {
					cmdline = strings.ReplaceAll(cmdline, doc, real)
				}
				code, out, errOut := runCmd(t, "", splitArgs(t, cmdline)...)
				if code != ExitOK {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if !matchOutput(strings.TrimRight(out, "\n"), ex.want, ids) {
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

var (
	docULID  = regexp.MustCompile(`\b0[0-9A-HJKMNP-TV-Z]{25}\b`)
	docStamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`)
	docAny   = regexp.MustCompile(`<\*>`)
	docRest  = regexp.MustCompile(`<\.\.\.>`)
	docToken = regexp.MustCompile(docULID.String() + "|" + docStamp.String() + "|" + docAny.String() + "|" + docRest.String())
)

// matchOutput compares got with the documented output line by line, with
// the placeholders TestDocExamples describes, and records id bindings.
func matchOutput(got, want string, ids map[string]string) bool {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(gl) != len(wl) {
		return false
	}
	for i, w := range wl {
		var re strings.Builder
		var bind []string
		last := 0
		for _, loc := range docToken.FindAllStringIndex(w, -1) {
			re.WriteString(regexp.QuoteMeta(w[last:loc[0]]))
			tok := w[loc[0]:loc[1]]
			switch {
			case docULID.MatchString(tok):
				re.WriteString("(" + docULID.String() + ")")
				bind = append(bind, tok)
			case docStamp.MatchString(tok):
				re.WriteString(docStamp.String())
			case docRest.MatchString(tok):
				re.WriteString(`.*`)
			default:
				re.WriteString(`\S+`)
			}
			last = loc[1]
		}
		re.WriteString(regexp.QuoteMeta(w[last:]))
		m := regexp.MustCompile("^" + re.String() + "$").FindStringSubmatch(gl[i])
		if m == nil {
			return false
		}
		for j, doc := range bind {
			if prev, ok := ids[doc]; ok && prev != m[j+1] {
				return false // the same documented id must stay the same message
			}
			ids[doc] = m[j+1]
		}
	}
	return true
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
