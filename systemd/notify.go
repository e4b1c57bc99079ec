package systemd

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// Notify sends state (newline-separated VAR=value assignments, see
// sd_notify(3)) to the service manager over the datagram socket named by
// $NOTIFY_SOCKET. A name starting with "@" is an abstract socket. Without
// $NOTIFY_SOCKET it does nothing and returns (false, nil); sent is true once
// the datagram has been handed to the socket.
func Notify(state string) (sent bool, err error) {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return false, nil
	}
	if name[0] != '/' && name[0] != '@' {
		return false, fmt.Errorf("systemd: notify: unsupported NOTIFY_SOCKET %q", name)
	}
	// Go maps a leading "@" to the abstract namespace (a leading NUL byte).
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return false, fmt.Errorf("systemd: notify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return false, fmt.Errorf("systemd: notify: %w", err)
	}
	return true, nil
}

// Ready tells systemd that start-up has finished (READY=1): with
// Type=notify, systemctl start returns and dependent units start. Call it
// once the listeners are bound, and again when a reload has finished.
func Ready() error {
	_, err := Notify("READY=1")
	return err
}

// Stopping tells systemd that the orderly shutdown has begun (STOPPING=1).
func Stopping() error {
	_, err := Notify("STOPPING=1")
	return err
}

// Reloading tells systemd that a configuration reload has begun
// (RELOADING=1, with MONOTONIC_USEC as Type=notify-reload in systemd 253 and
// later wants it). Call [Ready] when the reload has finished, whether or not
// the new configuration was taken.
func Reloading() error {
	state := "RELOADING=1"
	if usec, ok := monotonicUsec(); ok {
		state += fmt.Sprintf("\nMONOTONIC_USEC=%d", usec)
	}
	_, err := Notify(state)
	return err
}

// Status sets the one-line text systemctl status shows for the service
// (STATUS=...). Line breaks in text become spaces.
func Status(text string) error {
	text = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(text)
	_, err := Notify("STATUS=" + text)
	return err
}
