package modemsim

import (
	"errors"
	"fmt"
)

// CMSError is a +CMS ERROR final result code (TS 27.005 section 3.2.5),
// the answer to an SMS command that failed. Pass one to FailNext, or
// return one from a Handler, to make the simulator answer it.
type CMSError int

// CMS error codes the simulator answers by itself.
const (
	CMSOperationNotAllowed   CMSError = 302
	CMSOperationNotSupported CMSError = 303
	CMSInvalidPDUParameter   CMSError = 304 // bad hex, wrong length, not an SMS-SUBMIT
	CMSSIMPINRequired        CMSError = 311
	CMSSIMPUKRequired        CMSError = 316
	CMSInvalidIndex          CMSError = 321
	CMSMemoryFull            CMSError = 322
	CMSNoNetwork             CMSError = 331
	CMSNoAckExpected         CMSError = 340
)

// Error returns the result line as a modem in numeric mode (AT+CMEE=1)
// prints it.
func (e CMSError) Error() string { return fmt.Sprintf("+CMS ERROR: %d", int(e)) }

var cmsText = map[CMSError]string{
	300: "ME failure", 301: "SMS service of ME reserved", 302: "operation not allowed",
	303: "operation not supported", 304: "invalid PDU mode parameter", 305: "invalid text mode parameter",
	310: "SIM not inserted", 311: "SIM PIN required", 312: "PH-SIM PIN required", 313: "SIM failure",
	314: "SIM busy", 315: "SIM wrong", 316: "SIM PUK required", 320: "memory failure",
	321: "invalid memory index", 322: "memory full", 330: "SMSC address unknown",
	331: "no network service", 332: "network timeout", 340: "no +CNMA acknowledgement expected",
	500: "unknown error",
}

// CMEError is a +CME ERROR final result code (TS 27.007 section 9.2),
// the answer to a general or SIM command that failed.
type CMEError int

// CME error codes the simulator answers by itself.
const (
	CMEOperationNotAllowed CMEError = 3
	CMESIMPINRequired      CMEError = 11
	CMESIMPUKRequired      CMEError = 12
	CMEIncorrectPassword   CMEError = 16
	CMEInvalidIndex        CMEError = 21
	CMEInvalidCharacters   CMEError = 25
	CMENoNetwork           CMEError = 30
)

// Error returns the result line as a modem in numeric mode (AT+CMEE=1)
// prints it.
func (e CMEError) Error() string { return fmt.Sprintf("+CME ERROR: %d", int(e)) }

var cmeText = map[CMEError]string{
	0: "phone failure", 3: "operation not allowed", 4: "operation not supported",
	10: "SIM not inserted", 11: "SIM PIN required", 12: "SIM PUK required", 13: "SIM failure",
	14: "SIM busy", 15: "SIM wrong", 16: "incorrect password", 20: "memory full",
	21: "invalid index", 24: "text string too long", 25: "invalid characters in text string",
	30: "no network service", 31: "network timeout", 100: "unknown",
}

// finalResult renders the final result code for err as a modem with the
// given AT+CMEE setting prints it: plain ERROR with 0 (and for any error
// that is not a CMSError or CMEError), the code with 1, the text with 2.
func finalResult(err error, cmee int) string {
	var cms CMSError
	var cme CMEError
	switch {
	case err == nil:
		return "OK"
	case cmee == 0:
		return "ERROR"
	case errors.As(err, &cms):
		if t, ok := cmsText[cms]; ok && cmee == 2 {
			return "+CMS ERROR: " + t
		}
		return cms.Error()
	case errors.As(err, &cme):
		if t, ok := cmeText[cme]; ok && cmee == 2 {
			return "+CME ERROR: " + t
		}
		return cme.Error()
	}
	return "ERROR"
}

// errPlain is the plain ERROR of an unknown command or a syntax error.
var errPlain = errors.New("ERROR")

var (
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("modemsim: closed")
	// ErrPlugged is returned by Replug when the modem is plugged in.
	ErrPlugged = errors.New("modemsim: already plugged in")
)
