package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// maxFileSize bounds a configuration file.
const maxFileSize = 4 << 20

// Load reads and checks the configuration file at path. See Parse.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("configs: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes and checks one configuration file; name is the file's
// path, used in messages and as the directory relative *_file paths are
// read from. It applies the defaults and resolves every secret (from the
// environment and files). When the file has errors it returns a
// *Diagnostics with all of them, each with its key path and line, and no
// Config; warnings are in the Diagnostics, or in Config.Warnings when the
// file loads.
func Parse(data []byte, name string) (*Config, error) {
	diags := &Diagnostics{File: name}
	d := &decoder{diags: diags, lines: map[string]int{}, failed: map[string]bool{}, expanding: map[*yaml.Node]bool{}, budget: maxNodes, baseDir: filepath.Dir(name)}
	cfg := Default()
	cfg.File = name
	if len(data) > maxFileSize {
		d.errAt("", 0, "file larger than %d bytes", maxFileSize)
		return nil, diags
	}
	if root := d.document(data); root != nil {
		d.decodeValue(root, reflect.ValueOf(cfg).Elem(), "")
	}
	if len(diags.Errors) == 0 || !syntaxOnly(diags) {
		cfg.derive()
		d.validate(cfg)
	}
	diags.sort()
	if err := diags.Err(); err != nil {
		return nil, err
	}
	cfg.Warnings = diags.Warnings
	return cfg, nil
}

// syntaxOnly reports whether the only errors are the file's syntax (the
// document could not be read, so checking its content would mislead).
func syntaxOnly(d *Diagnostics) bool {
	for _, e := range d.Errors {
		if e.Path != "" {
			return false
		}
	}
	return true
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data into its root node: nil for an empty file or a
// syntax error (recorded).
func (d *decoder) document(data []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 has panicked on malformed input before; a config file
		// must never crash the gateway or config check.
		if r := recover(); r != nil {
			d.errAt("", 0, "syntax error: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			d.syntaxError(err)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.errAt("", next.Line, "syntax error: more than one document (---): put everything in one")
		return nil
	case !errors.Is(err, io.EOF):
		d.syntaxError(err)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

func (d *decoder) syntaxError(err error) {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errAt("", line, "syntax error: %s", m[2])
		return
	}
	d.errAt("", 0, "syntax error: %v", err)
}
