package policy

import (
	"fmt"
	"time"
)

// The refusal codes. They are part of the external contract: the HTTP API
// returns them as error.code, and the SMPP server maps them to
// command_status values. Never rename one.
const (
	CodeInvalidRecipient   = "invalid_recipient"
	CodeCountryNotAllowed  = "country_not_allowed"
	CodeInvalidSender      = "invalid_sender"
	CodeSenderNotAllowed   = "sender_not_allowed"
	CodeSuppressed         = "suppressed"
	CodeQuotaExceeded      = "quota_exceeded"
	CodeUnknownTenant      = "unknown_tenant"
	CodeCallbackNotAllowed = "callback_not_allowed"
)

// CodeInfo describes one refusal code for documentation and for the
// ingresses' mappings.
type CodeInfo struct {
	Code        string // stable code, e.g. "invalid_recipient"
	Field       string // the submission field it is about ("to", "from", "tenant", "")
	HTTPStatus  int    // the status the HTTP API answers with
	Description string // one line, for docs/policy.md and error pages
}

// Codes lists every refusal code, in the order Check applies its checks.
var Codes = []CodeInfo{
	{CodeUnknownTenant, "tenant", 403, "the tenant is not configured (or was removed by a reload)"},
	{CodeInvalidRecipient, "to", 422, "the recipient is not a valid phone number (not a number, too short, too long, unknown range, extension)"},
	{CodeCountryNotAllowed, "to", 403, "the recipient's country is not in the tenant's allowed countries"},
	{CodeInvalidSender, "from", 422, "the sender is missing or not a valid E.164 number, short code (3-8 digits) or alphanumeric id (1-11 GSM characters, at least one letter)"},
	{CodeSenderNotAllowed, "from", 403, "the sender is valid but not one of the tenant's senders"},
	{CodeSuppressed, "to", 403, "the recipient opted out (STOP) of this line or of all lines"},
	{CodeQuotaExceeded, "", 429, "the tenant's daily quota (UTC day) is used up"},
	{CodeCallbackNotAllowed, "dlr-url", 403, "the per-message report URL (dlr-url) names a host that is not in the tenant's callback_hosts"},
}

// Error is a refusal: the message must not be sent. Code is one of the
// Code* constants, Field the submission field at fault, Msg a sentence
// for the submitter. Ingresses find it with errors.As.
type Error struct {
	Code  string
	Field string
	Msg   string
	// Retry, when set, is how long until the same submission may be
	// taken (quota_exceeded: until the UTC day ends).
	Retry time.Duration
}

// RetryAfter returns Retry.
func (e *Error) RetryAfter() time.Duration { return e.Retry }

// Error returns the message for the submitter.
func (e *Error) Error() string { return e.Msg }

// ErrorCode returns the stable code ("suppressed").
func (e *Error) ErrorCode() string { return e.Code }

// ErrorField returns the submission field at fault ("to"), or "".
func (e *Error) ErrorField() string { return e.Field }

func refuse(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Msg: fmt.Sprintf(format, args...)}
}
