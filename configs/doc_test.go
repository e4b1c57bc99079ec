package configs

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// configurationDoc is the reference for the file's keys.
const configurationDoc = "../docs/configuration.md"

// docKey is one key of the file, as the reference must document it.
type docKey struct {
	parent string // key path of the mapping that holds it: "", "spool.retry", "tenants[]"
	qual   string // a code span the section heading must also hold ("type: smpp"), or ""
	name   string // the key: "max_queued"
	secret bool   // also given as name_env and name_file
	hash   bool   // also given as name_hash
}

func (k docKey) path() string {
	p := join(k.parent, k.name)
	if k.qual != "" {
		p += " (" + k.qual + ")"
	}
	return p
}

// docSchemaKeys lists the keys of struct type t, whose mapping is at parent,
// by the yaml tags the decoder reads (fieldsOf): inline structs add
// their keys to the parent's, secrets stand for their _env, _file and
// _hash forms, and the fields tagged "-" that point to a struct are the
// keys of a connector's type, which sit beside name, type and enabled
// (connector_decode.go).
func docSchemaKeys(t reflect.Type, parent, qual string, out *[]docKey) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case !f.IsExported():
		case tag == "-":
			if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
				docSchemaKeys(f.Type.Elem(), parent, "type: "+strings.ToLower(f.Name), out)
			}
		case strings.Contains(opts, "inline"):
			docSchemaKeys(f.Type, parent, qual, out)
		case strings.Contains(opts, "secret"):
			*out = append(*out, docKey{parent: parent, qual: qual, name: name, secret: true, hash: strings.Contains(opts, "hash")})
		default:
			*out = append(*out, docKey{parent: parent, qual: qual, name: name})
			if et, p := elemStruct(f.Type, join(parent, name)); et != nil {
				docSchemaKeys(et, p, "", out)
			}
		}
	}
}

// elemStruct returns the struct a field of type t holds (through
// pointers, lists and maps) and the key path of that struct's mapping:
// path for a mapping or a map's values ("tenants[].optout.keywords"),
// path+"[]" for a list's items. It returns nil for scalars and for the
// types the decoder reads as one value (Secret, durations, sizes).
func elemStruct(t reflect.Type, path string) (reflect.Type, string) {
	for {
		switch {
		case t == secretType || t == durationType || t == byteSizeType:
			return nil, ""
		case t.Kind() == reflect.Pointer, t.Kind() == reflect.Map:
			t = t.Elem()
		case t.Kind() == reflect.Slice:
			t, path = t.Elem(), path+"[]"
		case t.Kind() == reflect.Struct:
			return t, path
		default:
			return nil, ""
		}
	}
}

// docSection is the text under one heading of the reference.
type docSection struct {
	spans []string   // the heading's code spans
	rows  [][]string // the rows of its key tables (header "key"), cells trimmed
}

var codeSpanRE = regexp.MustCompile("`([^`]+)`")

// codeSpans returns the contents of the code spans in s.
func codeSpans(s string) []string {
	var out []string
	for _, m := range codeSpanRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// readDocSections splits the reference at its headings (outside code
// blocks) and keeps the rows of each section's key tables: the tables
// whose header's first cell is "key".
func readDocSections(data []byte) []docSection {
	secs := []docSection{{}}
	fence, inKeyTable, prevTable := false, false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		isTable := !fence && strings.HasPrefix(line, "|")
		switch {
		case fence:
		case strings.HasPrefix(line, "#"):
			secs = append(secs, docSection{spans: codeSpans(line)})
		case isTable && !prevTable: // a header row
			cells := tableCells(line)
			inKeyTable = len(cells) > 0 && strings.EqualFold(cells[0], "key")
		case isTable && inKeyTable && !strings.HasPrefix(line, "|-") && !strings.HasPrefix(line, "| -") && !strings.HasPrefix(line, "|:"):
			s := &secs[len(secs)-1]
			s.rows = append(s.rows, tableCells(line))
		}
		prevTable = isTable
	}
	return secs
}

func tableCells(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	cells := strings.Split(line, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// heads reports whether a section heading names the mapping at parent:
// a code span that is the parent's path, or, for a list's items, the
// list's path ("tenants" for "tenants[]"), and the qualifier when there
// is one.
func (s docSection) heads(parent, qual string) bool {
	named := slices.Contains(s.spans, parent) ||
		strings.HasSuffix(parent, "[]") && slices.Contains(s.spans, strings.TrimSuffix(parent, "[]"))
	return named && (qual == "" || slices.Contains(s.spans, qual))
}

// TestConfigurationDocCoversEveryKey: docs/configuration.md documents
// every key of the file. A top-level key needs a heading with the key in
// backticks (## `spool`); any other key needs a row in a key table (a
// table whose header starts with "key") whose first cell has the key in
// backticks, in a section whose heading has its parent's path in
// backticks: ### `spool.retry` for `initial_backoff`, ### `tenants` or
// ### `tenants[]` for the keys of each tenant, ### `connectors` with
// `type: smpp` for the keys of SMPP connectors. The row of a secret also
// names its forms (`password_env`, `password_file`, and `password_hash`
// where a hash will do). Conversely, a key table under a heading that
// names a mapping may list only that mapping's keys.
func TestConfigurationDocCoversEveryKey(t *testing.T) {
	data, err := os.ReadFile(configurationDoc)
	if err != nil {
		t.Fatalf("the configuration reference is missing: %v", err)
	}
	var keys []docKey
	docSchemaKeys(reflect.TypeOf(Load).Out(0).Elem(), "", "", &keys)
	if len(keys) < 100 {
		t.Fatalf("found only %d keys in the schema: the walk is broken", len(keys))
	}
	secs := readDocSections(data)

	var missing []string
	for _, k := range keys {
		if !documented(secs, k) && !slices.Contains(missing, k.path()) {
			missing = append(missing, k.path())
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s does not document these keys (a top-level key needs a heading with it in backticks; "+
			"any other key a row of a key table under a heading naming its parent, e.g. ### `spool.retry`; "+
			"a secret's row also names its _env, _file and, where allowed, _hash forms):\n\t%s",
			configurationDoc, strings.Join(missing, "\n\t"))
	}

	// Keys documented that the file does not have.
	known := map[string]map[string]bool{}
	for _, k := range keys {
		if known[k.parent] == nil {
			known[k.parent] = map[string]bool{}
		}
		for _, n := range secretForms(k) {
			known[k.parent][n] = true
		}
	}
	var unknown []string
	for _, s := range secs {
		for parent, names := range known {
			if parent == "" || !s.heads(parent, "") {
				continue
			}
			for _, row := range s.rows {
				for _, n := range codeSpans(row[0]) {
					if !names[n] && !slices.Contains(unknown, join(parent, n)) {
						unknown = append(unknown, join(parent, n))
					}
				}
			}
		}
	}
	if len(unknown) > 0 {
		t.Errorf("%s documents keys the file does not have:\n\t%s", configurationDoc, strings.Join(unknown, "\n\t"))
	}
}

// secretForms are the names a key is given as.
func secretForms(k docKey) []string {
	if !k.secret {
		return []string{k.name}
	}
	forms := []string{k.name, k.name + "_env", k.name + "_file"}
	if k.hash {
		forms = append(forms, k.name+"_hash")
	}
	return forms
}

func documented(secs []docSection, k docKey) bool {
	for _, s := range secs {
		if k.parent == "" {
			if slices.Contains(s.spans, k.name) {
				return true
			}
			continue
		}
		if !s.heads(k.parent, k.qual) {
			continue
		}
		for _, row := range s.rows {
			if !slices.Contains(codeSpans(row[0]), k.name) {
				continue
			}
			spans := codeSpans(strings.Join(row, "|"))
			if !slices.ContainsFunc(secretForms(k), func(f string) bool { return !slices.Contains(spans, f) }) {
				return true
			}
		}
	}
	return false
}

// TestConfigurationDocExamplesLoad: every complete example in
// docs/configuration.md (a yaml code block whose first line is a comment
// naming /etc/smsgw/smsgw.yaml) loads without errors or warnings, with
// the variables its *_env keys name set.
func TestConfigurationDocExamplesLoad(t *testing.T) {
	data, err := os.ReadFile(configurationDoc)
	if err != nil {
		t.Fatalf("the configuration reference is missing: %v", err)
	}
	envRE := regexp.MustCompile(`_env:\s*"?([A-Za-z_][A-Za-z0-9_]*)`)
	var examples []string
	var block []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```yaml":
			in, block = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			if len(block) > 0 && strings.HasPrefix(block[0], "# /etc/smsgw/smsgw.yaml") {
				examples = append(examples, strings.Join(block, "\n")+"\n")
			}
		case in:
			block = append(block, line)
		}
	}
	if len(examples) < 3 {
		t.Fatalf("found %d complete examples (```yaml blocks starting with \"# /etc/smsgw/smsgw.yaml\"), want at least 3", len(examples))
	}
	for i, ex := range examples {
		for _, m := range envRE.FindAllStringSubmatch(ex, -1) {
			t.Setenv(m[1], "12345678")
		}
		cfg, err := Parse([]byte(ex), filepath.Join(t.TempDir(), "smsgw.yaml"))
		if err != nil {
			t.Errorf("example %d (%s): %v", i+1, strings.SplitN(ex, "\n", 2)[0], err)
			continue
		}
		for _, w := range cfg.Warnings {
			t.Errorf("example %d (%s): warning: %s", i+1, strings.SplitN(ex, "\n", 2)[0], w)
		}
	}
}

// TestDocSnippetsUseKnownKeys: every yaml block in the docs and the
// README, complete or not, uses only keys the configuration has (a
// fragment may leave out what its subject does not need: only unknown
// keys fail). A fragment that starts below the top (optout:) is read
// where it belongs.
func TestDocSnippetsUseKnownKeys(t *testing.T) {
	within := map[string]string{"optout": "tenants:\n  - id: t\n"} // fragment's first key → what holds it
	files, _ := filepath.Glob("../docs/*.md")
	files = append(files, "../README.md")
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var block []string
		in, start := false, 0
		for i, line := range strings.Split(string(data), "\n") {
			switch {
			case !in && strings.TrimSpace(line) == "```yaml":
				in, block, start = true, nil, i+2
			case in && strings.TrimSpace(line) == "```":
				in = false
				n++
				text := strings.Join(block, "\n") + "\n"
				first := ""
				for _, l := range block {
					if k, _, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(strings.TrimSpace(l), "#") {
						first = strings.TrimSpace(k)
						break
					}
				}
				if holder, ok := within[first]; ok {
					text = holder + indent(text, "    ")
				}
				_, err := Parse([]byte(text), "snippet.yaml")
				var diags *Diagnostics
				if !errors.As(err, &diags) {
					continue
				}
				for _, d := range diags.Errors {
					if strings.Contains(d.Message, "unknown key") {
						t.Errorf("%s, the yaml block at line %d: %s", f, start, d)
					}
				}
			case in:
				block = append(block, line)
			}
		}
	}
	if n < 8 {
		t.Fatalf("found %d yaml blocks in the docs, want at least 8", n)
	}
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = by + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
