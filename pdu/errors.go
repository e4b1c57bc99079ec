package pdu

import (
	"errors"
	"fmt"
)

// Sentinel errors. Decoders wrap them in a *DecodeError that names the
// field and the byte offset; encoders wrap them with the value at fault.
var (
	// ErrShort means the input ended before the field it was reading.
	ErrShort = errors.New("input too short")
	// ErrInvalid means a field holds a value the specification does not allow.
	ErrInvalid = errors.New("invalid value")
	// ErrUnsupported means the input is valid but uses a feature this codec
	// does not implement (compressed user data, TS 23.042).
	ErrUnsupported = errors.New("unsupported")
	// ErrUnencodable means a character is not in the alphabet asked for.
	ErrUnencodable = errors.New("character not in alphabet")
	// ErrTooLong means the message needs more than 255 segments, or an
	// address or a user data field is longer than its field allows.
	ErrTooLong = errors.New("too long")
	// ErrInvalidUTF8 means the text to encode is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("text is not valid UTF-8")
)

// DecodeError reports where a PDU could not be decoded: the TS 23.040
// field name (for example "TP-OA") and the byte offset of that field in
// the input given to the decoder.
type DecodeError struct {
	Field  string
	Offset int
	Err    error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("pdu: decode %s at offset %d: %v", e.Field, e.Offset, e.Err)
}

// Unwrap returns the underlying sentinel, for errors.Is.
func (e *DecodeError) Unwrap() error { return e.Err }

// decodeErr builds a *DecodeError; err may itself be a *DecodeError from a
// nested field, in which case the offset is shifted by base and the inner
// field name kept.
func decodeErr(field string, base int, err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		name := de.Field
		if name == "" {
			name = field
		}
		return &DecodeError{Field: name, Offset: base + de.Offset, Err: de.Err}
	}
	return &DecodeError{Field: field, Offset: base, Err: err}
}
