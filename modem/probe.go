package modem

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/warthog618/modem/at"
	"go.bug.st/serial/enumerator"
)

// ProbeResult is what `smsgw modem probe` reports of a modem.
type ProbeResult struct {
	Port         string       `json:"port"`
	Manufacturer string       `json:"manufacturer"`
	Model        string       `json:"model"`
	Firmware     string       `json:"firmware"`
	IMEI         string       `json:"imei"`
	SIM          string       `json:"sim"` // READY, SIM PIN, SIM PUK, or the error
	IMSI         string       `json:"imsi,omitempty"`
	ICCID        string       `json:"iccid,omitempty"`
	SignalDBm    int          `json:"signal_dbm,omitempty"`
	Registration Registration `json:"registration"`
	RegText      string       `json:"registration_text"`
	Operator     string       `json:"operator,omitempty"`
	SMSC         string       `json:"smsc,omitempty"`
}

// iccidCommands read the ICCID: Quectel, SIMCom, Huawei.
var iccidCommands = []struct{ cmd, prefix string }{{"+QCCID", "+QCCID:"}, {"+CCID", "+CCID:"}, {"^ICCID", "^ICCID:"}}

// Probe opens port, asks the modem who and where it is, and closes it.
// It never sends a PIN.
func Probe(port string, timeout time.Duration) (ProbeResult, error) {
	r := ProbeResult{Port: port, Registration: RegUnknown}
	err := withAT(port, timeout, func(a *at.AT) error {
		get := func(cmd string) []string {
			info, _ := a.Command(cmd)
			return info
		}
		r.Manufacturer = firstLine(get("+CGMI"))
		r.Model = firstLine(get("+CGMM"))
		r.Firmware = firstLine(get("+CGMR"))
		r.IMEI = firstLine(get("+CGSN"))
		if info, err := a.Command("+CPIN?"); err != nil {
			r.SIM = err.Error()
		} else if f, ok := infoLine(info, "+CPIN:"); ok {
			r.SIM = strings.Join(f, ",")
		}
		r.IMSI = firstLine(get("+CIMI"))
		for _, c := range iccidCommands {
			if f, ok := infoLine(get(c.cmd), c.prefix); ok && len(f) > 0 {
				r.ICCID = f[0]
				break
			}
		}
		r.SignalDBm, _ = parseCSQ(get("+CSQ"))
		for _, c := range []struct{ cmd, prefix string }{{"+CREG?", "+CREG:"}, {"+CEREG?", "+CEREG:"}} {
			if reg, ok := parseReg(get(c.cmd), c.prefix); ok && (reg.Registered() || r.Registration == RegUnknown) {
				r.Registration = reg
			}
		}
		r.RegText = r.Registration.String()
		r.Operator = parseCOPS(get("+COPS?"))
		if f, ok := infoLine(get("+CSCA?"), "+CSCA:"); ok && len(f) > 0 {
			r.SMSC = f[0]
		}
		return nil
	})
	return r, err
}

// Command sends one raw AT command ("+CSQ", or "AT+CSQ") and returns the
// lines between the command and its final result.
func Command(port, cmd string, timeout time.Duration) ([]string, error) {
	var info []string
	err := withAT(port, timeout, func(a *at.AT) error {
		var err error
		info, err = a.Command(strings.TrimPrefix(strings.TrimPrefix(cmd, "AT"), "at"))
		return err
	})
	return info, err
}

func withAT(port string, timeout time.Duration, fn func(*at.AT) error) error {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	raw, err := OpenPort(port, 0)
	if err != nil {
		return err
	}
	p := (&writeGuard{timeout: timeout}).port(raw)
	defer p.Close()
	a := at.New(p, at.WithTimeout(timeout), at.WithCmds("E0"))
	if err := a.Init(); err != nil {
		return fmt.Errorf("modem: %s does not answer AT: %w", port, err)
	}
	return fn(a)
}

// PortInfo is a serial port as `smsgw modem list` shows it.
type PortInfo struct {
	Name      string `json:"name"`
	USB       bool   `json:"usb"`
	VID       string `json:"vid,omitempty"`
	PID       string `json:"pid,omitempty"`
	Serial    string `json:"serial,omitempty"`
	Interface string `json:"interface,omitempty"` // USB interface number: a modem exposes several ports
	ByID      string `json:"by_id,omitempty"`     // the stable /dev/serial/by-id link, if any
}

// ListPorts lists the serial ports with their USB identity, the
// interface number (which port of a composite modem it is) and the
// stable by-id link to configure.
func ListPorts() ([]PortInfo, error) {
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("modem: list ports: %w", err)
	}
	links := byIDLinks()
	out := make([]PortInfo, 0, len(ports))
	for _, p := range ports {
		out = append(out, PortInfo{Name: p.Name, USB: p.IsUSB, VID: strings.ToLower(p.VID), PID: strings.ToLower(p.PID),
			Serial: p.SerialNumber, Interface: usbInterface(p.Name), ByID: links[p.Name]})
	}
	return out, nil
}

// usbInterface reads bInterfaceNumber for /dev/ttyUSBn (usb-serial) or
// /dev/ttyACMn (cdc-acm) from sysfs.
func usbInterface(dev string) string {
	base := filepath.Join("/sys/class/tty", filepath.Base(dev), "device")
	for _, p := range []string{filepath.Join(base, "..", "bInterfaceNumber"), filepath.Join(base, "bInterfaceNumber")} {
		if b, err := os.ReadFile(p); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return ""
}

// byIDLinks maps /dev/ttyX to its /dev/serial/by-id link.
func byIDLinks() map[string]string {
	out := map[string]string{}
	entries, _ := os.ReadDir("/dev/serial/by-id")
	for _, e := range entries {
		link := filepath.Join("/dev/serial/by-id", e.Name())
		if target, err := filepath.EvalSymlinks(link); err == nil {
			out[target] = link
		}
	}
	return out
}
