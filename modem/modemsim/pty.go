//go:build linux

package modemsim

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pty is one pseudo-terminal: the simulator holds the master and keeps
// a descriptor of the slave open in raw mode.
//
// The master is opened by os.OpenFile, so it is non-blocking and in the
// runtime poller: Close interrupts a pending Read, and closing it hangs
// the slave up, which is how a gateway sees an unplug. (*os.File).Fd is
// never called on it, because that switches the descriptor to blocking
// mode and Close could then no longer interrupt the Read; the ioctls go
// through SyscallConn instead. That is also why github.com/creack/pty is
// not used: its Open calls Fd on the master.
//
// The slave descriptor the simulator keeps (keeper) holds the terminal
// settings: Linux resets a pts to cooked mode with echo when its last
// descriptor closes, and a gateway that closes and reopens the port
// would otherwise meet the tty's own echo until it set raw mode again.
// It also keeps the master from reading EIO between a gateway's close
// and its reopen. The simulator never reads it.
type pty struct {
	master *os.File
	keeper *os.File
	name   string // /dev/pts/N
}

func openPTY() (*pty, error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("modemsim: open pty: %w", err)
	}
	name, err := unlockPTY(m)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("modemsim: open pty: %w", err)
	}
	k, err := os.OpenFile(name, os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("modemsim: open pty: %w", err)
	}
	if err := makeRaw(k); err != nil {
		k.Close()
		m.Close()
		return nil, fmt.Errorf("modemsim: pty raw mode: %w", err)
	}
	return &pty{master: m, keeper: k, name: name}, nil
}

// unlockPTY unlocks the slave (TIOCSPTLCK) and returns its path
// (TIOCGPTN).
func unlockPTY(m *os.File) (string, error) {
	rc, err := m.SyscallConn()
	if err != nil {
		return "", err
	}
	var n uint32
	var ierr error
	err = rc.Control(func(fd uintptr) {
		var unlock int32
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, fd, unix.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
			ierr = fmt.Errorf("unlockpt: %w", e)
			return
		}
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, fd, unix.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
			ierr = fmt.Errorf("ptsname: %w", e)
		}
	})
	if err == nil {
		err = ierr
	}
	return "/dev/pts/" + strconv.FormatUint(uint64(n), 10), err
}

// makeRaw sets the terminal to raw mode as cfmakeraw(3) does: no echo,
// no canonical lines, no CR/NL translation, 8 bits.
func makeRaw(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	err = rc.Control(func(fd uintptr) {
		t, e := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if e != nil {
			ierr = e
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN] = 1
		t.Cc[unix.VTIME] = 0
		ierr = unix.IoctlSetTermios(int(fd), unix.TCSETS, t)
	})
	if err == nil {
		err = ierr
	}
	return err
}

// close hangs the slave up: a gateway's pending Read returns an error
// and its writes fail with EIO.
func (p *pty) close() {
	p.master.Close()
	p.keeper.Close()
}

// flow suspends (false) or resumes (true) the slave's output, as
// tcflow(3) TCOOFF and TCOON do: while it is suspended a write on the
// slave blocks (or gets EAGAIN without blocking).
func (p *pty) flow(on bool) error {
	rc, err := p.keeper.SyscallConn()
	if err != nil {
		return err
	}
	arg := unix.TCOOFF
	if on {
		arg = unix.TCOON
	}
	var ierr error
	err = rc.Control(func(fd uintptr) { ierr = unix.IoctlSetInt(int(fd), unix.TCXONC, arg) })
	if err == nil {
		err = ierr
	}
	if err != nil {
		return fmt.Errorf("modemsim: tcflow: %w", err)
	}
	return nil
}

// pointLink makes link a symlink to target, replacing what is there in
// one rename, so a gateway opening it never finds it half made.
func pointLink(link, target string) error {
	tmp := filepath.Join(filepath.Dir(link), "."+filepath.Base(link)+".new")
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("modemsim: link: %w", err)
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("modemsim: link: %w", err)
	}
	return nil
}
