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

// connectorType peeks at a connector's "type" key.
func connectorType(n *yaml.Node) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == "type" && v.Kind == yaml.ScalarNode {
			return v.Value
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
