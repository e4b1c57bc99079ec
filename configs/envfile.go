package configs

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// EnvVar is one assignment read from an environment file.
type EnvVar struct {
	Name, Value string
	Line        int // where the assignment starts
}

// ReadEnvFile reads path as systemd reads an EnvironmentFile= (see
// ParseEnvFile).
func ReadEnvFile(path string) ([]EnvVar, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	vars, warnings, err := ParseEnvFile(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, w := range warnings {
		warnings[i] = path + ": " + w
	}
	return vars, warnings, nil
}

// ParseEnvFile parses the assignments of an environment file with the
// rules of systemd.exec(5) EnvironmentFile=, so that `smsgw config check
// --env-file` sees the values the service will:
//   - blank lines, and lines starting with # or ; (after blanks), are
//     ignored, and so are lines without "=" (with a warning);
//   - NAME=value: blanks around the name and the value are dropped, blanks
//     inside the value kept; no $ expansion;
//   - unquoted, a backslash keeps the next character, and a backslash at
//     the end of a line joins the next line;
//   - 'single quotes' keep everything up to the next single quote, new
//     lines too; "double quotes" as in a POSIX shell: \" \\ \` \$ give the
//     character, backslash-newline joins lines, any other backslash stays;
//   - quoted and unquoted pieces next to each other are joined;
//   - an assignment whose name is not a valid variable name, or whose value
//     is not UTF-8, is ignored with a warning, as systemd ignores it.
//
// An unterminated quote is an error: systemd would take everything to the
// end of the file as the value, which is never what was meant.
func ParseEnvFile(r io.Reader) ([]EnvVar, []string, error) {
	const (
		preKey = iota
		key
		preValue
		value
		valueEscape
		single
		double
		doubleEscape
		comment
	)
	var (
		vars     []EnvVar
		warnings []string
		name     strings.Builder
		val      strings.Builder
		keep     int // val's length up to its last character that is not a trailing blank
		state    = preKey
		line     = 1
		start    int
	)
	warn := func(at int, format string, args ...any) {
		warnings = append(warnings, fmt.Sprintf("line %d: ", at)+fmt.Sprintf(format, args...))
	}
	push := func() {
		n := strings.TrimRight(name.String(), " \t\r")
		v := val.String()[:keep]
		switch {
		case !envNameRE.MatchString(n):
			warn(start, "%q is not a variable name: ignored (systemd ignores it too)", n)
		case !utf8.ValidString(v):
			warn(start, "the value of %s is not UTF-8: ignored (systemd ignores it too)", n)
		default:
			vars = append(vars, EnvVar{Name: n, Value: v, Line: start})
		}
		name.Reset()
		val.Reset()
		keep = 0
	}
	add := func(c byte, counts bool) {
		val.WriteByte(c)
		if counts {
			keep = val.Len()
		}
	}
	br := bufio.NewReader(r)
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		blank := c == ' ' || c == '\t' || c == '\r'
		switch state {
		case preKey:
			switch {
			case c == '#' || c == ';':
				state = comment
			case c == '\n' || blank:
			default:
				state, start = key, line
				name.WriteByte(c)
			}
		case key:
			switch c {
			case '\n':
				warn(start, "no \"=\": ignored")
				name.Reset()
				state = preKey
			case '=':
				state = preValue
			default:
				name.WriteByte(c)
			}
		case preValue:
			switch {
			case c == '\n':
				push()
				state = preKey
			case c == '\'':
				state = single
			case c == '"':
				state = double
			case c == '\\':
				state = valueEscape
			case blank:
			default:
				state = value
				add(c, true)
			}
		case value:
			switch c {
			case '\n':
				push()
				state = preKey
			case '\\':
				state = valueEscape
			default:
				add(c, !blank)
			}
		case valueEscape:
			state = value
			if c != '\n' {
				add(c, true)
			}
		case single:
			if c == '\'' {
				state = preValue
			} else {
				add(c, true)
			}
		case double:
			switch c {
			case '"':
				state = preValue
			case '\\':
				state = doubleEscape
			default:
				add(c, true)
			}
		case doubleEscape:
			state = double
			switch c {
			case '"', '\\', '`', '$':
				add(c, true)
			case '\n':
			default:
				add('\\', true)
				add(c, true)
			}
		case comment:
			if c == '\n' {
				state = preKey
			}
		}
		if c == '\n' {
			line++
		}
	}
	switch state {
	case key:
		warn(start, "no \"=\": ignored")
	case preValue, value, valueEscape:
		push()
	case single, double, doubleEscape:
		return nil, nil, fmt.Errorf("line %d: the quote opened here is never closed", start)
	}
	return vars, warnings, nil
}
