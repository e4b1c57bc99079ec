package configs

import (
	"reflect"
	"sort"
	"strings"
)

// schemaKeys lists every key of the schema: plain keys as "name", and
// for a secret its base name (the example shows one of its variants).
func schemaKeys() []string {
	set := map[string]bool{}
	var walk func(t reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == secretType || seen[t] {
			return
		}
		seen[t] = true
		fields := map[string]field{}
		fieldsOf(t, 0, nil, fields)
		for k, f := range fields {
			if f.part != partNone {
				k = f.base
			}
			set[k] = true
			walk(t.FieldByIndex(f.index).Type)
		}
	}
	for _, t := range []reflect.Type{reflect.TypeFor[Config](), reflect.TypeFor[SMPPConnector](), reflect.TypeFor[ModemConnector]()} {
		walk(t)
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mentions reports whether text has key as a key ("key:") or, for a
// secret, one of its variants.
func mentions(text, key string) bool {
	for _, suffix := range []string{"", "_env", "_file", "_hash"} {
		if strings.Contains(text, key+suffix+":") {
			return true
		}
	}
	return false
}
