package configs

import (
	"crypto/subtle"
	"log/slog"

	"golang.org/x/crypto/bcrypt"
)

// SecretSource says where a secret came from.
type SecretSource string

// Sources of a secret; for a field "password" the keys are "password",
// "password_env", "password_file" and, where a hash will do,
// "password_hash".
const (
	SourceNone   SecretSource = ""       // not given
	SourceInline SecretSource = "inline" // in the file (tests and demos; config check warns)
	SourceEnv    SecretSource = "env"    // from an environment variable (*_env)
	SourceFile   SecretSource = "file"   // from a file (*_file), trailing newline removed
	SourceHash   SecretSource = "hash"   // a bcrypt hash (*_hash): can verify, cannot be sent
)

// Secret is a password, key or PIN, resolved when the file is loaded.
// Printing it (fmt, slog, encoding/json) shows "[redacted]", never the
// value.
type Secret struct {
	Value  string       // the secret itself; empty for SourceHash and SourceNone
	Hash   string       // the bcrypt hash, for SourceHash
	Source SecretSource // where it came from
	Ref    string       // the variable name (SourceEnv) or file path (SourceFile)
}

// IsSet reports whether the secret was given.
func (s Secret) IsSet() bool { return s.Source != SourceNone }

// Verify reports whether candidate is the secret: against the bcrypt hash,
// or compared in constant time with the value.
func (s Secret) Verify(candidate string) bool {
	switch s.Source {
	case SourceNone:
		return false
	case SourceHash:
		return bcrypt.CompareHashAndPassword([]byte(s.Hash), []byte(candidate)) == nil
	}
	return subtle.ConstantTimeCompare([]byte(s.Value), []byte(candidate)) == 1
}

const redacted = "[redacted]"

// String returns "[redacted]" for a given secret and "" otherwise.
func (s Secret) String() string {
	if !s.IsSet() {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `configs.Secret{Source:"` + string(s.Source) + `"}` }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoders from printing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
