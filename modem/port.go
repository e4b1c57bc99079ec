package modem

import (
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"go.bug.st/serial"
)

// OpenPort opens a modem's AT port: a serial device path (preferably a
// stable /dev/serial/by-id/... link), opened 8N1 at baud (default
// 115200) with no read timeout (a timeout reads as (0, nil) and would
// kill the AT engine's scanner), or tcp://host:port for a modem behind
// ser2net or a terminal server.
func OpenPort(addr string, baud int) (io.ReadWriteCloser, error) {
	if hostport, ok := strings.CutPrefix(addr, "tcp://"); ok {
		c, err := net.DialTimeout("tcp", hostport, 5*time.Second)
		if err != nil {
			return nil, fmt.Errorf("modem: open %s: %w", addr, err)
		}
		return c, nil
	}
	if baud <= 0 {
		baud = 115200
	}
	// No InitialStatusBits: modem-line ioctls fail on ptys and some
	// adapters.
	p, err := serial.Open(addr, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, fmt.Errorf("modem: open %s: %w", addr, err)
	}
	return p, nil
}
