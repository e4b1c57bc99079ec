//go:build !linux

package systemd

// monotonicUsec is only known on Linux, the one system with systemd.
func monotonicUsec() (uint64, bool) { return 0, false }
