//go:build !unix

package spool

// diskSpace cannot be read here: no disk reserve is kept, and a full
// disk shows as a failed commit.
func diskSpace(string) (free, total int64, ok bool) { return 0, 0, false }
