package configs

import (
	"reflect"

	"gopkg.in/yaml.v3"
)

// decodeNode decodes a connector: name, type and enabled, and the keys of
// its type beside them. Until the type is known, only the shared keys are
// read (the type's own error says what is wrong).
func (c *Connector) decodeNode(d *decoder, n *yaml.Node, path string) {
	self := reflect.ValueOf(c).Elem()
	if n.Kind != yaml.MappingNode {
		d.mapping(n, path, true, self)
		return
	}
	switch connectorType(n) {
	case TypeSMPP:
		d.foreign = foreignKeys[ModemConnector](TypeModem)
		c.SMPP = newDefault(reflect.TypeFor[SMPPConnector]()).Interface().(*SMPPConnector)
		d.mapping(n, path, true, self, reflect.ValueOf(c.SMPP).Elem())
	case TypeModem:
		d.foreign = foreignKeys[SMPPConnector](TypeSMPP)
		c.Modem = newDefault(reflect.TypeFor[ModemConnector]()).Interface().(*ModemConnector)
		d.mapping(n, path, true, self, reflect.ValueOf(c.Modem).Elem())
	default:
		d.mapping(n, path, false, self)
	}
}

// connectorType peeks at a connector's "type" key, its own or merged
// (<<), without reporting anything: decoding the mapping does.
func connectorType(n *yaml.Node) string {
	return lookup(n, "type", map[*yaml.Node]bool{})
}

// lookup finds key in mapping n or what it merges, visiting each node
// once (merges may form cycles or share nodes).
func lookup(n *yaml.Node, key string, seen map[*yaml.Node]bool) string {
	for hops := 0; n != nil && n.Kind == yaml.AliasNode && hops < 100; hops++ {
		n = n.Alias
	}
	if n == nil || seen[n] {
		return ""
	}
	seen[n] = true
	switch n.Kind {
	case yaml.SequenceNode: // a merge of several mappings: the first wins
		for _, m := range n.Content {
			if v := lookup(m, key, seen); v != "" {
				return v
			}
		}
		return ""
	case yaml.MappingNode:
	default:
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == key && k.ShortTag() != "!!merge" && v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].ShortTag() == "!!merge" {
			if v := lookup(n.Content[i+1], key, seen); v != "" {
				return v
			}
		}
	}
	return ""
}

// foreignKeys maps the keys of connector type T to the message naming
// its type, for "unknown key: host is a key of smpp connectors".
func foreignKeys[T any](typ string) map[string]string {
	fields := map[string]field{}
	fieldsOf(reflect.TypeFor[T](), 0, nil, fields)
	out := make(map[string]string, len(fields))
	for k := range fields {
		out[k] = typ + " connectors"
	}
	return out
}
