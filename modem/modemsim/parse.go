package modemsim

import (
	"strconv"
	"strings"
)

// Op is the form of a command (ITU-T V.250 section 5.4).
type Op int

// Command forms.
const (
	Exec Op = iota // AT+CMD, and basic commands such as ATE0
	Read           // AT+CMD?
	Test           // AT+CMD=?
	Set            // AT+CMD=<args>
)

// Command is one command of a command line, such as +CMGS=23 in
// AT+CMGS=23 or E0 in ATE0V1.
type Command struct {
	// Name is upper case: "+CSQ", "+QCCID", "E", "&F", "S0"; "" for a
	// bare AT.
	Name string
	Op   Op
	// Args is what follows '=' (Set), or the digits of a basic command
	// ("0" in E0).
	Args string
}

// Params splits Args at commas outside quotes, and removes the quotes
// and spaces around each parameter.
func (c Command) Params() []string {
	if strings.TrimSpace(c.Args) == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range c.Args {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// intParams returns the parameters as integers; an empty parameter is
// def. It fails on anything else.
func (c Command) intParams(def int) ([]int, bool) {
	ps := c.Params()
	out := make([]int, len(ps))
	for i, p := range ps {
		if p == "" {
			out[i] = def
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// parseLine splits what follows "AT" into commands: basic ones (E0, V1,
// &F, S0=0) one after the other, extended ones (+CMGF=0) separated by
// ';'.
func parseLine(s string) ([]Command, error) {
	var cmds []Command
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ';' || c == ' ':
			i++
		case strings.IndexByte("+^$#%", c) >= 0:
			j := i + 1
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			cmd := Command{Name: strings.ToUpper(s[i:j])}
			rest := s[j:]
			switch {
			case strings.HasPrefix(rest, "=?"):
				cmd.Op, j = Test, j+2
			case strings.HasPrefix(rest, "?"):
				cmd.Op, j = Read, j+1
			case strings.HasPrefix(rest, "="):
				k := j + 1
				quoted := false
				for ; k < len(s) && (quoted || s[k] != ';'); k++ {
					if s[k] == '"' {
						quoted = !quoted
					}
				}
				cmd.Op, cmd.Args, j = Set, s[j+1:k], k
			}
			cmds = append(cmds, cmd)
			i = j
		case c == 'S' || c == 's':
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			cmd := Command{Name: "S" + s[i+1:j]}
			switch {
			case strings.HasPrefix(s[j:], "?"):
				cmd.Op, j = Read, j+1
			case strings.HasPrefix(s[j:], "="):
				k := j + 1
				for k < len(s) && isDigit(s[k]) {
					k++
				}
				cmd.Op, cmd.Args, j = Set, s[j+1:k], k
			}
			cmds = append(cmds, cmd)
			i = j
		case isAlpha(c) || (c == '&' && i+1 < len(s) && isAlpha(s[i+1])):
			j := i + 1
			if c == '&' {
				j++
			}
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			cmds = append(cmds, Command{Name: strings.ToUpper(s[i:j]), Args: s[j:k]})
			i = k
		default:
			return nil, errPlain
		}
	}
	return cmds, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) || c == '_' }
