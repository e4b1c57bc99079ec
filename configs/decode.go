package configs

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree into a Config by reflection over the
// yaml tags, recording the line of every key and every problem instead of
// stopping at the first.
type decoder struct {
	diags   *Diagnostics
	lines   map[string]int    // key path → line
	failed  map[string]bool   // secrets (path.base) whose keys were wrong: not reported as missing too
	foreign map[string]string // keys of another kind of mapping, for a better message (connectors)
	budget  int               // nodes left to visit (aliases can multiply them)
	baseDir string            // relative *_file paths are read from here
	merges  int               // merges (<<) being expanded, one inside the other
	deep    bool              // a merge too deep was reported
	// expanding are the merged nodes being expanded, to stop cycles.
	expanding map[*yaml.Node]bool
}

// maxNodes bounds the nodes visited, aliases counted each time they are
// followed.
const maxNodes = 1 << 20

// nodeDecoder is implemented by types that decode their own node
// (Connector, whose keys depend on its type).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

// defaulter is implemented by types with defaults of their own; a new
// element of a list or map is given them before it is decoded.
type defaulter interface{ setDefaults() }

var (
	durationType = reflect.TypeFor[time.Duration]()
	byteSizeType = reflect.TypeFor[ByteSize]()
	secretType   = reflect.TypeFor[Secret]()
)

func (d *decoder) errAt(path string, line int, format string, args ...any) {
	d.diags.add(&d.diags.Errors, path, line, format, args...)
}

func (d *decoder) warnAt(path string, line int, format string, args ...any) {
	d.diags.add(&d.diags.Warnings, path, line, format, args...)
}

// errorf records an error at path, on the line of path or of its nearest
// recorded parent.
func (d *decoder) errorf(path, format string, args ...any) {
	d.errAt(path, d.line(path), format, args...)
}

// warnf records a warning as errorf records an error.
func (d *decoder) warnf(path, format string, args ...any) {
	d.warnAt(path, d.line(path), format, args...)
}

// line returns the line of path, or of its nearest parent with one.
func (d *decoder) line(path string) int {
	for path != "" {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// join appends a key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// resolve follows aliases and spends the node budget; nil means stop.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	for hops := 0; n != nil && n.Kind == yaml.AliasNode; hops++ {
		if hops > 100 {
			return nil
		}
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	d.budget--
	if d.budget == 0 {
		d.errAt(path, n.Line, "document too large (too many nodes or aliases)")
	}
	if d.budget <= 0 {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// describe names a node's kind for an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// decodeValue decodes n into v, which must be settable.
func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, path string) {
	if n = d.resolve(n, path); n == nil {
		return
	}
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			nd.decodeNode(d, n, path)
			return
		}
	}
	switch v.Type() {
	case durationType:
		d.scalar(n, path, "a duration such as 30s, 5m, 48h or 7d", func(s string) bool {
			t, err := ParseDuration(s)
			return setIf(err == nil, func() { v.SetInt(int64(t)) })
		})
		return
	case byteSizeType:
		d.scalar(n, path, "a size such as 512MiB or 4GiB", func(s string) bool {
			b, err := ParseByteSize(s)
			return setIf(err == nil, func() { v.SetInt(int64(b)) })
		})
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		if v.IsNil() {
			v.Set(newDefault(v.Type().Elem()))
		}
		d.decodeValue(n, v.Elem(), path)
	case reflect.Struct:
		d.mapping(n, path, true, v)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		d.scalar(n, path, "a string", func(s string) bool { v.SetString(s); return true })
	case reflect.Bool:
		d.scalar(n, path, "true or false", func(s string) bool {
			b, err := strconv.ParseBool(strings.ToLower(s))
			return setIf(err == nil && n.ShortTag() == "!!bool", func() { v.SetBool(b) })
		})
	case reflect.Int:
		d.scalar(n, path, "a whole number", func(s string) bool {
			var i int64
			err := n.Decode(&i)
			return setIf(err == nil && n.ShortTag() == "!!int" && i == int64(int(i)), func() { v.SetInt(i) })
		})
	case reflect.Float64:
		d.scalar(n, path, "a number", func(s string) bool {
			var f float64
			err := n.Decode(&f)
			ok := err == nil && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") && !math.IsNaN(f) && !math.IsInf(f, 0)
			return setIf(ok, func() { v.SetFloat(f) })
		})
	default:
		d.errAt(path, n.Line, "cannot decode into %s", v.Type()) // a schema bug, not the file's
	}
}

// scalar calls set with the text of a scalar node; set reports whether
// the text was valid. A null node leaves the value alone.
func (d *decoder) scalar(n *yaml.Node, path, want string, set func(string) bool) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode || !set(n.Value) {
		d.errAt(path, n.Line, "want %s, got %s", want, describe(n))
	}
}

// setIf runs apply when ok, and returns ok: a value that does not decode
// leaves the default in place, so that checks after decoding do not
// report it a second time.
func setIf(ok bool, apply func()) bool {
	if ok {
		apply()
	}
	return ok
}

// newDefault returns a pointer to a new T with T's defaults.
func newDefault(t reflect.Type) reflect.Value {
	p := reflect.New(t)
	if df, ok := p.Interface().(defaulter); ok {
		df.setDefaults()
	}
	return p
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		v.SetZero()
		return
	}
	et := v.Type().Elem()
	if n.Kind == yaml.ScalarNode && et.Kind() == reflect.String {
		v.Set(reflect.ValueOf([]string{n.Value}).Convert(v.Type())) // a single item
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errAt(path, n.Line, "want a list, got %s", describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		p := index(path, i)
		d.lines[p] = item.Line
		e := newDefault(et).Elem()
		d.decodeValue(item, e, p)
		out = reflect.Append(out, e)
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	d.entries(n, path, func(k, val *yaml.Node, p string) {
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		d.lines[p] = k.Line
		e := newDefault(v.Type().Elem()).Elem()
		d.decodeValue(val, e, p)
		v.SetMapIndex(reflect.ValueOf(k.Value), e)
	})
}
