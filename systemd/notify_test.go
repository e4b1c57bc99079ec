package systemd_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smsgw/smsgw/systemd"
)

// listen opens a datagram socket as the service manager's and points
// $NOTIFY_SOCKET at it.
func listen(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", name)
	return conn
}

func listenTemp(t *testing.T) *net.UnixConn {
	return listen(t, filepath.Join(t.TempDir(), "notify.sock"))
}

// recv waits (generously) for the next datagram.
func recv(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no datagram: %v", err)
	}
	return string(buf[:n])
}

// noDatagram checks that nothing is queued on conn. A datagram written to a
// unix socket is queued before the write returns, so callers first make sure
// the sender has finished.
func noDatagram(t *testing.T, conn *net.UnixConn) {
	t.Helper()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	n, err := conn.Read(buf)
	if err == nil {
		t.Fatalf("unexpected datagram %q", buf[:n])
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal(err)
	}
}

func TestNotifyWithoutSocket(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	sent, err := systemd.Notify("READY=1")
	if sent || err != nil {
		t.Fatalf("Notify = %v, %v; want false, nil", sent, err)
	}
	if err := systemd.Ready(); err != nil {
		t.Fatal(err)
	}
}

func TestNotifyUnsupportedAddress(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "vsock:2:1234")
	if sent, err := systemd.Notify("READY=1"); sent || err == nil {
		t.Fatalf("Notify = %v, %v; want an error", sent, err)
	}
}

func TestNotifyMissingSocket(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "gone.sock"))
	if sent, err := systemd.Notify("READY=1"); sent || err == nil {
		t.Fatalf("Notify = %v, %v; want an error", sent, err)
	}
}

func TestNotifyStates(t *testing.T) {
	conn := listenTemp(t)
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"Ready", systemd.Ready, "READY=1"},
		{"Stopping", systemd.Stopping, "STOPPING=1"},
		{"Status", func() error { return systemd.Status("2 connectors ready\nqueue 0") }, "STATUS=2 connectors ready queue 0"},
	} {
		if err := tc.call(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := recv(t, conn); got != tc.want {
			t.Errorf("%s sent %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestReloading(t *testing.T) {
	conn := listenTemp(t)
	if err := systemd.Reloading(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(recv(t, conn), "\n")
	if lines[0] != "RELOADING=1" {
		t.Fatalf("Reloading sent %q", lines)
	}
	if len(lines) > 1 {
		var usec uint64
		if _, err := fmt.Sscanf(lines[1], "MONOTONIC_USEC=%d", &usec); err != nil || usec == 0 || len(lines) != 2 {
			t.Fatalf("Reloading sent %q", lines)
		}
	}
}

func TestNotifyAbstractSocket(t *testing.T) {
	conn := listen(t, fmt.Sprintf("@smsgw-test-%d-%d", os.Getpid(), time.Now().UnixNano()))
	sent, err := systemd.Notify("READY=1")
	if !sent || err != nil {
		t.Fatalf("Notify = %v, %v", sent, err)
	}
	if got := recv(t, conn); got != "READY=1" {
		t.Fatalf("got %q", got)
	}
}
