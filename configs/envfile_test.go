package configs

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		warnings int
	}{
		{"plain", "A=1\nB=two\n", map[string]string{"A": "1", "B": "two"}, 0},
		{"no final newline", "A=1", map[string]string{"A": "1"}, 0},
		{"comments and blanks", "# a comment\n; another\n\n   \n  # indented\nA=1\n", map[string]string{"A": "1"}, 0},
		{"blanks around name and value", "  A  =  x y  \n", map[string]string{"A": "x y"}, 0},
		{"empty value", "A=\nB=\"\"\n", map[string]string{"A": "", "B": ""}, 0},
		{"no dollar expansion", "H=$HOME\nD=\"a$b\"\n", map[string]string{"H": "$HOME", "D": "a$b"}, 0},
		{"hash inside a value is kept", "A=a#b\n", map[string]string{"A": "a#b"}, 0},
		{"equals inside a value", "A=b=c\n", map[string]string{"A": "b=c"}, 0},
		{"single quotes verbatim", `A='x \n "y" $z'` + "\n", map[string]string{"A": `x \n "y" $z`}, 0},
		{"single quotes span lines", "A='one\ntwo'\nB=3\n", map[string]string{"A": "one\ntwo", "B": "3"}, 0},
		{"double quote escapes", `A="q\" b\\ t\` + "`" + ` d\$ other\n"` + "\n", map[string]string{"A": `q" b\ t` + "`" + ` d$ other\n`}, 0},
		{"double quotes keep blanks", "A=\"  padded  \"\n", map[string]string{"A": "  padded  "}, 0},
		{"pieces join", `A="a"'b'c` + "\n", map[string]string{"A": "abc"}, 0},
		{"quotes after the start are literal", `A=x 'y'` + "\n", map[string]string{"A": "x 'y'"}, 0},
		{"backslash unquoted", `A=a\ \\b\"` + "\n", map[string]string{"A": `a \b"`}, 0},
		{"escaped trailing blank is kept", "A=a\\ \n", map[string]string{"A": "a "}, 0},
		{"continuation", "A=one\\\ntwo\nB=3\n", map[string]string{"A": "onetwo", "B": "3"}, 0},
		{"continuation in double quotes", "A=\"one\\\ntwo\"\n", map[string]string{"A": "onetwo"}, 0},
		{"CRLF", "A=1\r\nB='2'\r\n", map[string]string{"A": "1", "B": "2"}, 0},
		{"line without equals", "JUNK\nA=1\n", map[string]string{"A": "1"}, 1},
		{"export is not shell", "export A=1\n", map[string]string{}, 1},
		{"bad name", "1A=x\nA-B=y\n", map[string]string{}, 2},
		{"last one wins, as in systemd", "A=1\nA=2\n", map[string]string{"A": "2"}, 0},
		{"not UTF-8", "A=\xff\n", map[string]string{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars, warnings, err := ParseEnvFile(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, v := range vars {
				got[v.Name] = v.Value
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if len(warnings) != tt.warnings {
				t.Errorf("warnings %q, want %d", warnings, tt.warnings)
			}
		})
	}
}

func TestParseEnvFileLines(t *testing.T) {
	vars, warnings, err := ParseEnvFile(strings.NewReader("# c\nA='x\ny'\n\nB=2\nnope\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vars) != 2 || vars[0].Line != 2 || vars[1].Line != 5 {
		t.Errorf("lines: %+v", vars)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "line 6: ") {
		t.Errorf("warnings: %q", warnings)
	}
}

func TestParseEnvFileUnclosedQuote(t *testing.T) {
	for _, in := range []string{"A=1\nB='open\nC=3\n", "B=\"open", "B=\"x\\"} {
		_, _, err := ParseEnvFile(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), "never closed") {
			t.Errorf("%q: got %v, want an unclosed quote error", in, err)
		}
	}
}

func TestReadEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smsgw.env")
	if err := os.WriteFile(path, []byte("SMSGW_X=secret\nbroken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, warnings, err := ReadEnvFile(path)
	if err != nil || len(vars) != 1 || vars[0].Value != "secret" {
		t.Fatalf("got %+v, %v", vars, err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], path+": line 2: ") {
		t.Errorf("warnings: %q", warnings)
	}
	if _, _, err := ReadEnvFile(path + ".missing"); err == nil {
		t.Error("a missing file: no error")
	}
}

// quoteEnv writes v so that ParseEnvFile (and systemd) read it back.
func quoteEnv(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(v) + `"`
}

// FuzzParseEnvFile: no input panics; what is read has valid names and
// UTF-8 values; any UTF-8 value written double-quoted reads back whole.
func FuzzParseEnvFile(f *testing.F) {
	f.Add([]byte("A=1\n# c\nB='x\ny'\nC=\"q\\\"\" d\\\ne\n"))
	f.Add([]byte("export A=1\nJUNK\n  K  =  v  \n"))
	f.Add([]byte("A=\"open"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, _, err := ParseEnvFile(strings.NewReader(string(data)))
		if err == nil {
			for _, v := range vars {
				if !envNameRE.MatchString(v.Name) || !utf8.ValidString(v.Value) {
					t.Fatalf("bad assignment %+v", v)
				}
			}
		}
		v := string(data)
		if !utf8.ValidString(v) {
			return
		}
		vars, warnings, err := ParseEnvFile(strings.NewReader("K=" + quoteEnv(v) + "\n"))
		if err != nil || len(warnings) != 0 || len(vars) != 1 || vars[0].Value != v {
			t.Fatalf("%q: got %+v %q %v", v, vars, warnings, err)
		}
	})
}
