package configs

import (
	"fmt"
	"sort"
	"strings"
)

// Diagnostic is one problem found in a configuration file: where it is
// (the key path and the line) and what is wrong.
type Diagnostic struct {
	Path    string // key path, e.g. "routes[2].connectors[0]"; empty for a syntax error
	Line    int    // 1-based line in the file; 0 when unknown
	Message string // what is wrong, without the path or line
}

// String formats d as `path: message (line N)`.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", d.Line)
	}
	return b.String()
}

// Diagnostics holds every error and warning found in one file. It is the
// error Parse and Load return when the file has errors; a file with only
// warnings loads, and its warnings are in Config.Warnings.
type Diagnostics struct {
	File     string       // the file name given to Parse or Load
	Errors   []Diagnostic // problems that make the file unusable
	Warnings []Diagnostic // problems worth fixing that do not stop the gateway
}

// Error lists the errors, one per line, in line order.
func (d *Diagnostics) Error() string {
	lines := make([]string, len(d.Errors))
	for i, e := range d.Errors {
		lines[i] = e.String()
	}
	return strings.Join(lines, "\n")
}

// Err returns d when it holds errors, and nil otherwise.
func (d *Diagnostics) Err() error {
	if d == nil || len(d.Errors) == 0 {
		return nil
	}
	return d
}

// maxDiagnostics bounds the list, so that a hostile or broken file cannot
// make it grow without end.
const maxDiagnostics = 500

func (d *Diagnostics) add(list *[]Diagnostic, path string, line int, format string, args ...any) {
	if len(*list) == maxDiagnostics {
		*list = append(*list, Diagnostic{Path: path, Line: line, Message: "too many problems; stopped listing them"})
	}
	if len(*list) > maxDiagnostics {
		return
	}
	*list = append(*list, Diagnostic{Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// sort orders errors and warnings by line, then path; the order of
// discovery breaks ties.
func (d *Diagnostics) sort() {
	for _, l := range [][]Diagnostic{d.Errors, d.Warnings} {
		sort.SliceStable(l, func(i, j int) bool {
			if l[i].Line != l[j].Line {
				return l[i].Line < l[j].Line
			}
			return l[i].Path < l[j].Path
		})
	}
}
