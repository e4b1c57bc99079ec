//go:build unix

package spool

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// sameOwnerAndMode gives the file at path the mode, owner and group of
// like. Changing the owner needs root; a process that is not root made
// path its own, as like most likely is.
func sameOwnerAndMode(path string, like fs.FileInfo) error {
	if err := os.Chmod(path, like.Mode().Perm()); err != nil {
		return err
	}
	st, ok := like.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := os.Chown(path, int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}
