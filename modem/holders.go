package modem

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// PortHolders lists the other processes that have the serial device at
// port open (as fuser(1) finds them, from /proc/PID/fd): a running
// gateway, ModemManager, a terminal program. Two programs on one AT port
// take each other's answers. It finds nothing for tcp:// ports, and
// nothing where /proc cannot be read (other users' processes under
// ProtectProc=invisible are seen by root only).
func PortHolders(port string) []int {
	if strings.HasPrefix(port, "tcp://") {
		return nil
	}
	dev, err := filepath.EvalSymlinks(port)
	if err != nil {
		return nil
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		fds, err := os.ReadDir(filepath.Join("/proc", p.Name(), "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join("/proc", p.Name(), "fd", fd.Name())); err == nil && target == dev {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// PortInUse is an error naming the processes that hold port, or nil.
func PortInUse(port string) error {
	pids := PortHolders(port)
	if len(pids) == 0 {
		return nil
	}
	names := make([]string, len(pids))
	for i, pid := range pids {
		names[i] = strconv.Itoa(pid)
		if b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm")); err == nil {
			names[i] += " (" + strings.TrimSpace(string(b)) + ")"
		}
	}
	return fmt.Errorf("modem: %s is open by process %s: two programs on one AT port take each other's answers, "+
		"and the gateway's modem is out of service meanwhile; stop it first (systemctl stop smsgw), or give --force",
		port, strings.Join(names, ", "))
}
