//go:build !unix

package spool

import (
	"io/fs"
	"os"
)

// sameOwnerAndMode gives the file at path the mode of like.
func sameOwnerAndMode(path string, like fs.FileInfo) error {
	return os.Chmod(path, like.Mode().Perm())
}
