package spool

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// encodeRecord is the stored form of a message or outbox item: a
// version byte, then JSON.
func encodeRecord(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(1024)
	buf.WriteByte(recordVersion)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // Encode ends with a newline
}

func decodeRecord(b []byte, v any) error {
	if len(b) == 0 || b[0] != recordVersion {
		return fmt.Errorf("spool: unknown record version")
	}
	if err := json.Unmarshal(b[1:], v); err != nil {
		return fmt.Errorf("spool: decode record: %w", err)
	}
	return nil
}

func decodeMessage(b []byte) (*Message, error) {
	m := new(Message)
	if len(b) > 0 && b[0] == recordVersion && parseMessage(b[1:], m) {
		if !m.State.valid() {
			return nil, fmt.Errorf("spool: decode record: no state")
		}
		return m, nil
	}
	*m = Message{} // what parseMessage left
	if err := decodeRecord(b, m); err != nil {
		return nil, err
	}
	if !m.State.valid() {
		return nil, fmt.Errorf("spool: decode record: no state")
	}
	return m, nil
}
