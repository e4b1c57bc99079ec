//go:build unix

package spool

import "golang.org/x/sys/unix"

// diskSpace is the space free to this process and the size of the
// filesystem that holds path (the file itself: a spool.db that is a
// link into another filesystem counts there); ok is false when it
// cannot be read.
func diskSpace(path string) (free, total int64, ok bool) {
	var fs unix.Statfs_t
	if unix.Statfs(path, &fs) != nil {
		return 0, 0, false
	}
	return int64(fs.Bavail) * int64(fs.Bsize), int64(fs.Blocks) * int64(fs.Bsize), true
}
