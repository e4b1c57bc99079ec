package modem

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// field returns the comma-separated fields after "<prefix>: " in line,
// with quotes removed.
func fields(line, prefix string) ([]string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), prefix)
	if !ok {
		return nil, false
	}
	parts := strings.Split(strings.TrimSpace(rest), ",")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"`)
	}
	return parts, true
}

// infoLine finds the first info line with prefix (never by position:
// unsolicited lines can be mixed in).
func infoLine(info []string, prefix string) ([]string, bool) {
	for _, l := range info {
		if f, ok := fields(l, prefix); ok {
			return f, true
		}
	}
	return nil, false
}

// parseCSQ reads "+CSQ: <rssi>,<ber>" and converts rssi to dBm (27.007
// 8.5: 0 is -113 dBm or less, 31 is -51 or more, 99 unknown).
func parseCSQ(info []string) (dBm int, known bool) {
	f, ok := infoLine(info, "+CSQ:")
	if !ok || len(f) < 1 {
		return 0, false
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 0 || n > 31 {
		return 0, false
	}
	return -113 + 2*n, true
}

// Registration is a network registration state (27.007 7.2 <stat>).
type Registration int

// The registration states.
const (
	RegNotRegistered Registration = 0
	RegHome          Registration = 1
	RegSearching     Registration = 2
	RegDenied        Registration = 3
	RegUnknown       Registration = 4
	RegRoaming       Registration = 5
)

var regNames = map[Registration]string{RegNotRegistered: "not registered", RegHome: "registered (home)",
	RegSearching: "searching", RegDenied: "registration denied", RegUnknown: "unknown", RegRoaming: "registered (roaming)",
	6: "registered (home, SMS only)", 7: "registered (roaming, SMS only)", 8: "emergency bearer services only",
	9: "registered (home, CSFB not preferred)", 10: "registered (roaming, CSFB not preferred)"}

func (r Registration) String() string {
	if s, ok := regNames[r]; ok {
		return s
	}
	return fmt.Sprintf("registration(%d)", int(r))
}

// Registered reports whether the modem can send: registered at home or
// roaming, also "SMS only" (6, 7) and "CSFB not preferred" (9, 10), the
// states 27.007 +CREG/+CEREG adds for LTE.
func (r Registration) Registered() bool {
	switch r {
	case RegHome, RegRoaming, 6, 7, 9, 10:
		return true
	}
	return false
}

// parseReg reads "+CREG: <n>,<stat>[,...]" (the answer to AT+CREG?) or
// the same for +CEREG/+CGREG.
func parseReg(info []string, prefix string) (Registration, bool) {
	f, ok := infoLine(info, prefix)
	if !ok || len(f) < 2 {
		return RegUnknown, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return RegUnknown, false
	}
	return Registration(n), true
}

// parseCOPS reads the operator name of "+COPS: <mode>[,<format>,<oper>[,<AcT>]]".
func parseCOPS(info []string) string {
	f, ok := infoLine(info, "+COPS:")
	if !ok || len(f) < 3 {
		return ""
	}
	return f[2]
}

// parseIndex reads the storage index of "+CMTI: "SM",3" or "+CDSI: "SM",3".
func parseIndex(line, prefix string) (mem string, index int, err error) {
	f, ok := fields(line, prefix)
	if !ok || len(f) < 2 {
		return "", 0, fmt.Errorf("modem: malformed %s line %q", prefix, line)
	}
	if index, err = strconv.Atoi(f[1]); err != nil || index < 0 {
		return "", 0, fmt.Errorf("modem: malformed %s index in %q", prefix, line)
	}
	return f[0], index, nil
}

// parseMR reads the TP-MR of "+CMGS: <mr>".
func parseMR(info []string) (int, error) {
	f, ok := infoLine(info, "+CMGS:")
	if !ok || len(f) < 1 {
		return 0, fmt.Errorf("modem: no +CMGS line in %q", info)
	}
	mr, err := strconv.Atoi(f[0])
	if err != nil || mr < 0 || mr > 255 {
		return 0, fmt.Errorf("modem: malformed +CMGS line in %q", info)
	}
	return mr, nil
}

// storedPDU is a message read from storage: its index (for +CMGL) and its
// PDU with the SMSC part first, as the modem prints it; or, when the line
// after its header is not hex, that line (raw) and why (err).
type storedPDU struct {
	index int
	frame []byte
	raw   string
	err   error
}

// parseStored reads the answer of AT+CMGR=<i> ("+CMGR: <stat>,[<alpha>],<len>"
// then the PDU) or of AT+CMGL ("+CMGL: <index>,<stat>,[<alpha>],<len>"
// then the PDU, for each message). Lines that begin with "+" or "^" (an
// unsolicited result the modem put in the answer, such as +CMTI) are not
// a PDU and are skipped; a header with no PDU line (an empty slot: many
// modems answer "+CMGR: 0,,0") is not a message. A PDU line that is not
// hex comes back with its error, to be kept as received. The error is
// for a header that cannot be read.
func parseStored(info []string, prefix string, index int) ([]storedPDU, error) {
	var out []storedPDU
	var errs []error
	for i := 0; i < len(info); i++ {
		f, ok := fields(info[i], prefix)
		if !ok {
			continue
		}
		idx := index
		if prefix == "+CMGL:" {
			n, err := strconv.Atoi(f[0])
			if err != nil {
				errs = append(errs, fmt.Errorf("modem: malformed %q", info[i]))
				continue
			}
			idx = n
		}
		// The PDU line: the next one that is not an unsolicited result,
		// unless the next header comes first.
		j := i + 1
		for j < len(info) && notPDU(info[j]) && !strings.HasPrefix(strings.TrimSpace(info[j]), prefix) {
			j++
		}
		if j >= len(info) || strings.HasPrefix(strings.TrimSpace(info[j]), prefix) {
			continue // an empty slot
		}
		line := strings.TrimSpace(info[j])
		i = j
		frame, err := hex.DecodeString(line)
		if err != nil {
			out = append(out, storedPDU{index: idx, raw: line, err: fmt.Errorf("PDU of message %d is not hex: %w", idx, err)})
			continue
		}
		out = append(out, storedPDU{index: idx, frame: frame})
	}
	return out, errors.Join(errs...)
}

// notPDU says whether a line of an answer cannot be a PDU: empty, or an
// unsolicited result ("+CMTI: ...", "^RSSI: ...", "RING").
func notPDU(line string) bool {
	l := strings.TrimSpace(line)
	return l == "" || l == "RING" || strings.HasPrefix(l, "+") || strings.HasPrefix(l, "^")
}

// parseCPMS reads the use of <mem1> from the answer to AT+CPMS?:
// "+CPMS: "SM",3,30,"SM",3,30,"SM",3,30".
func parseCPMS(info []string) (used, total int, ok bool) {
	f, found := infoLine(info, "+CPMS:")
	if !found || len(f) < 3 {
		return 0, 0, false
	}
	u, err1 := strconv.Atoi(f[1])
	t, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return u, t, true
}
