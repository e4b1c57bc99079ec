package configs

import (
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// secretPart is which key of a secret a field table entry stands for.
type secretPart int

const (
	partNone  secretPart = iota // a plain field
	partValue                   // "password": inline
	partEnv                     // "password_env"
	partFile                    // "password_file"
	partHash                    // "password_hash"
)

// field is one key a mapping accepts.
type field struct {
	target int   // which of the decoded values holds it
	index  []int // reflect field index within that value
	part   secretPart
	base   string // the secret's base key ("password"), for secret parts
	hash   bool   // the secret accepts a *_hash key
}

// fieldsOf adds the keys of struct type t to out.
func fieldsOf(t reflect.Type, target int, index []int, out map[string]field) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		switch {
		case tag == "-" || !f.IsExported():
		case strings.Contains(opts, "inline"):
			fieldsOf(f.Type, target, idx, out)
		case strings.Contains(opts, "secret"):
			hash := strings.Contains(opts, "hash")
			out[name] = field{target: target, index: idx, part: partValue, base: name, hash: hash}
			out[name+"_env"] = field{target: target, index: idx, part: partEnv, base: name, hash: hash}
			out[name+"_file"] = field{target: target, index: idx, part: partFile, base: name, hash: hash}
			if hash {
				out[name+"_hash"] = field{target: target, index: idx, part: partHash, base: name, hash: hash}
			}
		default:
			out[name] = field{target: target, index: idx}
		}
	}
}

// pairs returns the key/value pairs of a mapping with merge keys ("<<")
// expanded: the mapping's own keys win, then the merged mappings' in
// order. Keys that are not scalars are reported and left out.
func (d *decoder) pairs(n *yaml.Node, path string) [][2]*yaml.Node {
	var own, merged [][2]*yaml.Node
	names := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
			merged = append(merged, d.mergePairs(v, path)...)
		case k.Kind != yaml.ScalarNode:
			d.errAt(path, k.Line, "keys must be plain words, got %s", describe(k))
		default:
			own = append(own, [2]*yaml.Node{k, v})
			names[k.Value] = true
		}
	}
	for _, kv := range merged {
		if !names[kv[0].Value] {
			names[kv[0].Value] = true
			own = append(own, kv)
		}
	}
	return own
}

// mergePairs returns the pairs a merge key brings: a mapping or a list
// of mappings.
func (d *decoder) mergePairs(v *yaml.Node, path string) [][2]*yaml.Node {
	if v = d.resolve(v, path); v == nil {
		return nil
	}
	if d.merges >= maxMergeDepth || d.expanding[v] {
		if !d.deep {
			d.errAt(path, v.Line, "merges (<<) nested more than %d deep, or in a cycle", maxMergeDepth)
			d.deep = true
		}
		return nil
	}
	d.merges++
	d.expanding[v] = true
	defer func() { d.merges--; delete(d.expanding, v) }()
	switch v.Kind {
	case yaml.MappingNode:
		return d.pairs(v, path)
	case yaml.SequenceNode:
		var out [][2]*yaml.Node
		for _, m := range v.Content {
			if m = d.resolve(m, path); m != nil && m.Kind == yaml.MappingNode {
				out = append(out, d.pairs(m, path)...)
			} else if m != nil {
				d.errAt(path, m.Line, "a merge (<<) takes mappings, got %s", describe(m))
			}
		}
		return out
	}
	d.errAt(path, v.Line, "a merge (<<) takes mappings, got %s", describe(v))
	return nil
}

// maxMergeDepth bounds merges within merges (and merge cycles).
const maxMergeDepth = 10

// secretKey is one key given for a secret.
type secretKey struct {
	part secretPart
	key  *yaml.Node
	val  *yaml.Node
}

// mapping decodes a mapping node into the struct values targets, whose
// keys it shares. When strict, keys no target has are errors.
func (d *decoder) mapping(n *yaml.Node, path string, strict bool, targets ...reflect.Value) {
	foreign := d.foreign // for this mapping only, not the ones inside it
	d.foreign = nil
	fields := map[string]field{}
	for i, t := range targets {
		fieldsOf(t.Type(), i, nil, fields)
	}
	secrets := map[string][]secretKey{}
	var order []string
	d.entries(n, path, func(k, v *yaml.Node, p string) {
		f, ok := fields[k.Value]
		if !ok && path == "" && strings.HasPrefix(k.Value, "x-") {
			return // an extension key at the top level: a place for anchors
		}
		if !ok {
			base, isHash := strings.CutSuffix(k.Value, "_hash")
			switch kind, other := foreign[k.Value]; {
			case !strict:
			case isHash && fields[base].part == partValue:
				d.errAt(p, k.Line, "unknown key: smsgw sends this secret, so a hash will not do; give %s_env or %s_file", base, base)
				d.failed[join(path, base)] = true
			case other:
				d.errAt(p, k.Line, "unknown key: %s is a key of %s", k.Value, kind)
			default:
				d.errAt(p, k.Line, "unknown key%s", suggest(k.Value, keys(fields)))
			}
			return
		}
		d.lines[p] = k.Line
		fv := targets[f.target].FieldByIndex(f.index)
		if f.part == partNone {
			d.decodeValue(v, fv, p)
			return
		}
		if _, ok := secrets[f.base]; !ok {
			order = append(order, f.base)
		}
		secrets[f.base] = append(secrets[f.base], secretKey{f.part, k, v})
	})
	for _, base := range order {
		f := fields[base]
		s := targets[f.target].FieldByIndex(f.index).Addr().Interface().(*Secret)
		d.secret(path, base, f.hash, secrets[base], s)
	}
}

// entries calls fn with each key, value and key path of a mapping node,
// merges expanded, duplicates reported and skipped. A null node has no
// entries; any other node that is not a mapping is an error.
func (d *decoder) entries(n *yaml.Node, path string, fn func(k, v *yaml.Node, p string)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errAt(path, n.Line, "want a mapping, got %s", describe(n))
		return
	}
	seen := map[string]int{}
	for _, kv := range d.pairs(n, path) {
		k := kv[0]
		p := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.errAt(p, k.Line, "duplicate key (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k, kv[1], p)
	}
}

func keys(m map[string]field) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggest returns ` (did you mean "x"?)` for the known key closest to
// name, or "" when none is close.
func suggest(name string, known []string) string {
	best, bestDist := "", 3
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for _, k := range known {
		if norm(k) == norm(name) {
			return ` (did you mean "` + k + `"?)`
		}
		if dist := levenshtein(name, k); dist < bestDist && dist <= len(k)/3+1 {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return ` (did you mean "` + best + `"?)`
}

// levenshtein is the edit distance between a and b (bytes; keys are
// ASCII). Long inputs are not compared.
func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
