//go:build !linux

package modemsim

import (
	"errors"
	"os"
)

// pty is only simulated on Linux; elsewhere use Options.NoPTY.
type pty struct {
	master *os.File
	name   string
}

func openPTY() (*pty, error) {
	return nil, errors.New("modemsim: pseudo-terminals need Linux; set NoPTY")
}

func (p *pty) close() {}

func (p *pty) flow(bool) error { return errors.New("modemsim: stall needs Linux") }

func pointLink(link, target string) error { return nil }
