package configs

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"gopkg.in/yaml.v3"
)

// maxSecretFile bounds what a *_file may hold.
const maxSecretFile = 64 << 10

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// secret resolves the keys given for one secret into s: exactly one
// source, the variable set, the file readable, the hash bcrypt.
func (d *decoder) secret(path, base string, hash bool, given []secretKey, s *Secret) {
	errors := len(d.diags.Errors)
	defer func() {
		if len(d.diags.Errors) > errors {
			d.failed[join(path, base)] = true
		}
	}()
	if len(given) > 1 {
		names := make([]string, len(given))
		for i, g := range given {
			names[i] = g.key.Value
		}
		d.errAt(join(path, given[1].key.Value), given[1].key.Line,
			"give one of %s, not %s", sourceKeys(base, hash), strings.Join(names, " and "))
		return
	}
	g := given[0]
	p := join(path, g.key.Value)
	n := d.resolve(g.val, p)
	if n == nil {
		return
	}
	if n.Kind != yaml.ScalarNode || isNull(n) || n.Value == "" {
		d.errAt(p, g.key.Line, "want a non-empty string, got %s", describe(n))
		return
	}
	v := n.Value
	switch g.part {
	case partValue:
		*s = Secret{Value: v, Source: SourceInline}
		alt := base + "_env or " + base + "_file"
		if hash {
			alt = base + "_hash, " + alt
		}
		d.warnAt(p, g.key.Line, "inline secret: for tests and demos; use %s", alt)
	case partEnv:
		if !envNameRE.MatchString(v) {
			d.errAt(p, g.key.Line, "%q is not an environment variable name", v)
			return
		}
		val, ok := os.LookupEnv(v)
		switch {
		case !ok:
			d.errAt(p, g.key.Line, "environment variable %s is not set", v)
		case val == "":
			d.errAt(p, g.key.Line, "environment variable %s is empty", v)
		default:
			*s = Secret{Value: val, Source: SourceEnv, Ref: v}
		}
	case partFile:
		file := v
		if !filepath.IsAbs(file) {
			file = filepath.Join(d.baseDir, file)
		}
		val, err := readSecretFile(file)
		if err != nil {
			d.errAt(p, g.key.Line, "%v", err)
			return
		}
		*s = Secret{Value: val, Source: SourceFile, Ref: file}
	case partHash:
		if _, err := bcrypt.Cost([]byte(v)); err != nil {
			d.errAt(p, g.key.Line, "not a bcrypt hash (make one with smsgw hash-secret)")
			return
		}
		*s = Secret{Hash: v, Source: SourceHash}
	}
}

// sourceKeys lists the keys a secret may come from.
func sourceKeys(base string, hash bool) string {
	ks := base + ", " + base + "_env, " + base + "_file"
	if hash {
		ks += ", " + base + "_hash"
	}
	return ks
}

// readSecretFile reads a secret from a file, without its trailing newline.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxSecretFile {
		return "", &os.PathError{Op: "read", Path: path, Err: errSecretTooLarge}
	}
	val := strings.TrimRight(string(b), "\r\n")
	if val == "" {
		return "", &os.PathError{Op: "read", Path: path, Err: errSecretEmpty}
	}
	return val, nil
}
