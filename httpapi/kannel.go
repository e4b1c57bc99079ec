package httpapi

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Kannel's answers (gw/smsbox.c, Kannel 1.4), kept word for word: sites
// moving off Kannel match on them.
const (
	kannelAccepted     = "0: Accepted for delivery"
	kannelAuthFailed   = "Authorization failed for sendsms"
	kannelMissingTo    = "Missing receiver number, rejected"
	kannelEmptyTo      = "Empty receiver number not allowed, rejected"
	kannelDenied       = "Number(s) has/have been denied by white- and/or black-lists."
	kannelNoSender     = "Sender missing and no global set, rejected"
	kannelUDH          = "UDH field misformed, rejected"
	kannelDLRURL       = "DLR-URL field misformed, rejected"
	kannelDLRHost      = "DLR-URL host not allowed, rejected"
	kannelDLRMask      = "DLR-Mask field misformed, rejected"
	kannelCoding       = "Coding field misformed, rejected"
	kannelValidity     = "Validity field misformed, rejected"
	kannelPriority     = "Priority field misformed, rejected"
	kannelCharset      = "Charset or body misformed, rejected"
	kannelContentType  = "Invalid content-type"
	kannelNotRoutable  = "Not routable. Do not try again."
	kannelTempFailure  = "Temporal failure, try again later." // sic: smsbox.c's spelling
	kannelMissingToHdr = "Missing receiver(s) number(s), rejected"
	kannelMClass       = "MClass field misformed, rejected"
	kannelMWI          = "MWI field misformed, rejected"
	kannelAccount      = "Account field misformed or too long, rejected"
	kannelDeferred     = "Deferred field misformed, rejected"
	kannelEmptyText    = "Empty message text, rejected"                          // smsgw's: Kannel sends an empty SMS
	kannelUDHText      = "Text does not fit one message after its UDH, rejected" // smsgw's: Kannel sends parts no handset joins
	kannelSendFailed   = "Sending failed."
	kannelNumberChars  = "0123456789 +-" // Kannel's default sendsms-chars
	kannelDLRFragment  = "smsgw-dlr-mask="
	kannelMaskFinalAll = 1 | 2 | 8 | 16
)

// maxKannelValidity is the longest validity (and deferral) taken, in
// minutes: 100 years.
const maxKannelValidity = 100 * 366 * 24 * 60

// maxKannelAccount is Kannel's ACCOUNT_MAX_LEN.
const maxKannelAccount = 64

// kannelAnswer is a refusal in Kannel's words.
type kannelAnswer struct {
	status int
	text   string
}

func (k *kannelAnswer) Error() string { return k.text }

// sendsms serves GET and POST /cgi-bin/sendsms as Kannel's smsbox does:
// one message per recipient, Kannel's parameters, Kannel's answers.
func (a *API) sendsms(w http.ResponseWriter, r *http.Request, _ *caller) {
	// The query string is held to the body's limit: it carries the same
	// variables (one message per number in to=), and the server's header
	// limit (1 MB by default) would let one GET enqueue tens of thousands.
	if int64(len(r.URL.RawQuery)) > a.o.MaxBody {
		a.kannelReply(w, &kannelAnswer{http.StatusRequestURITooLong, "Request URI too long, rejected"}, nil)
		return
	}
	p, err := kannelParams(r)
	if err != nil {
		a.kannelReply(w, err, nil)
		return
	}
	ip := a.o.Proxies.Addr(r)
	user := p.get("username", "user")
	// A username is required, as in Kannel: the key alone would match
	// any of the tenant's ids.
	secret := p.get("password", "pass")
	if user == "" {
		secret = "" // refused, and audited as a failure
	}
	key, ok := a.check(r, ip, user, secret, user, "wrong Kannel username or password")
	if !ok {
		a.kannelReply(w, &kannelAnswer{http.StatusForbidden, kannelAuthFailed}, nil)
		return
	}
	c := &caller{key: key, ip: ip}
	tmpl, recipients, err := a.kannelMessage(p, c)
	if err != nil {
		a.kannelReply(w, err, nil)
		return
	}
	var ids, denied, failed []string
	var firstErr error
	for _, to := range recipients {
		m := tmpl.Clone()
		m.To = to
		if m.Callback != "" { // %p and %q as the client wrote the number, as Kannel gives them
			m.Callback = bindDLRCode(bindDLRCode(m.Callback, 'p', to), 'q', plus(to))
		}
		stored, _, err := a.b.Submit(r.Context(), m)
		if err != nil {
			a.log.Info("sendsms refused", "to", to, "err", err)
			if kannelRefusal(err).text == kannelDenied {
				denied = append(denied, to)
			} else {
				failed = append(failed, to)
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		ids = append(ids, stored.ID)
	}
	if len(ids) == 0 {
		if e, ok := classify(firstErr); ok && e.Code == "invalid_sender" && tmpl.From == "" {
			firstErr = &kannelAnswer{http.StatusBadRequest, kannelNoSender}
		}
		a.kannelReply(w, kannelRefusal(firstErr), nil)
		return
	}
	if len(failed) > 0 {
		// Some taken, some not for now (quota, spool full): Kannel's
		// answer to a multi-cast it could not queue whole, so that a
		// client retries; "denied" would tell it never to. The ids of
		// those taken are in the headers.
		for _, id := range ids {
			w.Header().Add("X-Smsgw-Id", id)
		}
		a.kannelReply(w, &kannelAnswer{http.StatusInternalServerError,
			kannelSendFailed + " Failed receivers are: " + strings.Join(failed, " ")}, nil)
		return
	}
	text := kannelAccepted
	if len(denied) > 0 {
		text += " Denied receivers are: " + strings.Join(denied, " ")
	}
	a.kannelReply(w, nil, ids, text)
}

// kannelReply writes Kannel's plain answer: the refusal err, or 202
// with the ids in X-Smsgw-Id headers.
func (a *API) kannelReply(w http.ResponseWriter, err error, ids []string, text ...string) {
	w.Header().Set("Content-Type", "text/html")
	if err != nil {
		ka := kannelRefusal(err)
		w.WriteHeader(ka.status)
		fmt.Fprint(w, ka.text)
		return
	}
	for _, id := range ids {
		w.Header().Add("X-Smsgw-Id", id)
	}
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprint(w, strings.Join(text, ""))
}

// kannelRefusal maps an error to Kannel's status and words.
func kannelRefusal(err error) *kannelAnswer {
	var ka *kannelAnswer
	if errors.As(err, &ka) {
		return ka
	}
	e, ok := classify(err)
	switch {
	case !ok:
		return &kannelAnswer{http.StatusInternalServerError, kannelSendFailed}
	case e.Code == "invalid_recipient", e.Code == "suppressed", e.Code == "country_not_allowed":
		return &kannelAnswer{http.StatusBadRequest, kannelDenied}
	case e.Code == "invalid_sender", e.Code == "sender_not_allowed":
		return &kannelAnswer{http.StatusForbidden, kannelNotRoutable}
	case e.Code == "invalid_request" && e.Field == "udh":
		return &kannelAnswer{http.StatusBadRequest, kannelUDHText}
	case e.Code == "callback_not_allowed":
		return &kannelAnswer{http.StatusForbidden, kannelDLRHost}
	case e.Status == http.StatusServiceUnavailable, e.Status == http.StatusTooManyRequests:
		return &kannelAnswer{http.StatusServiceUnavailable, kannelTempFailure}
	case e.Status == http.StatusRequestEntityTooLarge:
		return &kannelAnswer{e.Status, "Request body too large, rejected"}
	case e.Status >= 500:
		return &kannelAnswer{http.StatusInternalServerError, kannelSendFailed}
	}
	return &kannelAnswer{http.StatusForbidden, kannelNotRoutable}
}

// kparams are the CGI variables, raw bytes kept (the text may be binary
// or in another charset).
type kparams struct {
	v    url.Values
	body []byte // POST text/plain or octet-stream: the message
	post bool
}

// get returns the first variable set among names.
func (p *kparams) get(names ...string) string {
	for _, n := range names {
		if vs, ok := p.v[n]; ok && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func (p *kparams) has(names ...string) bool {
	for _, n := range names {
		if _, ok := p.v[n]; ok {
			return true
		}
	}
	return false
}

// kannelParams reads the query string, and for POST a form body or
// Kannel's X-Kannel-* headers with the text as body.
func kannelParams(r *http.Request) (*kparams, error) {
	p := &kparams{v: r.URL.Query()}
	if r.Method != http.MethodPost {
		return p, nil
	}
	p.post = true
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, kannelBodyErr(err)
		}
		for k, vs := range r.PostForm {
			p.v[k] = vs
		}
	case "text/plain", "application/octet-stream":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, kannelBodyErr(err)
		}
		p.body = body
		for h, name := range kannelHeaders {
			if v := r.Header.Get(h); v != "" {
				p.v.Set(name, v)
			}
		}
		if v := r.Header.Get("X-Kannel-UDH"); v != "" {
			// Hex, as Kannel reads this header; else URL-encoded octets.
			if b, err := hex.DecodeString(v); err == nil {
				p.v.Set("udh", string(b))
			} else if u, err := url.QueryUnescape(v); err == nil {
				p.v.Set("udh", u)
			}
		}
		if cs := params["charset"]; cs != "" && !p.has("charset") {
			p.v.Set("charset", cs)
		}
		if ct == "application/octet-stream" && !p.has("coding") {
			p.v.Set("coding", "1")
		}
	default:
		return nil, &kannelAnswer{http.StatusBadRequest, kannelContentType}
	}
	return p, nil
}

func kannelBodyErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &kannelAnswer{http.StatusRequestEntityTooLarge, "Request body too large, rejected"}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &kannelAnswer{http.StatusRequestTimeout, "Request body too slow, rejected"}
	}
	return &kannelAnswer{http.StatusBadRequest, kannelCharset}
}

// kannelHeaders are the X-Kannel-* headers of a POST and the variables
// they stand for.
var kannelHeaders = map[string]string{
	"X-Kannel-Username": "username", "X-Kannel-Password": "password",
	"X-Kannel-From": "from", "X-Kannel-To": "to",
	"X-Kannel-Coding": "coding", "X-Kannel-Validity": "validity", "X-Kannel-Deferred": "deferred",
	"X-Kannel-DLR-Mask": "dlr-mask", "X-Kannel-DLR-Url": "dlr-url",
	"X-Kannel-Priority": "priority", "X-Kannel-Flash": "flash", "X-Kannel-MClass": "mclass",
	"X-Kannel-MWI": "mwi", "X-Kannel-Account": "account",
}

// kannelInt reads an integer variable as Kannel's sscanf("%d") does
// (absent: -1, Kannel's SMS_PARAM_UNDEFINED).
func kannelInt(p *kparams, names ...string) (int, bool) {
	if !p.has(names...) {
		return -1, true
	}
	s := strings.TrimSpace(p.get(names...))
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && s[end] == '-') {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	return n, err == nil
}

// kannelMessage builds the message every recipient gets, and the
// recipients, checking the fields in Kannel's order.
func (a *API) kannelMessage(p *kparams, c *caller) (*spool.Message, []string, error) {
	refuse := func(text string) error { return &kannelAnswer{http.StatusBadRequest, text} }
	if !p.has("to") {
		if p.body != nil { // the X-Kannel-* form
			return nil, nil, refuse(kannelMissingToHdr)
		}
		return nil, nil, refuse(kannelMissingTo)
	}
	to := p.get("to")
	if strings.TrimSpace(to) == "" {
		return nil, nil, refuse(kannelEmptyTo)
	}
	udh := []byte(p.get("udh"))
	if len(udh) > 0 && int(udh[0])+1 != len(udh) {
		return nil, nil, refuse(kannelUDH)
	}
	var recipients []string
	seen := map[string]bool{}
	for _, n := range strings.Fields(to) {
		if strings.Trim(n, kannelNumberChars) != "" || seen[n] {
			continue
		}
		seen[n] = true
		recipients = append(recipients, n)
	}
	if len(recipients) == 0 {
		return nil, nil, refuse(kannelDenied)
	}
	if len(p.get("account")) > maxKannelAccount {
		return nil, nil, refuse(kannelAccount)
	}
	m := &spool.Message{Tenant: c.key.Tenant, From: p.get("from"), ClientRef: p.get("account"),
		Source: c.actor(), SourceAddr: c.ip}
	// The tenant's default sender stands for Kannel's global-sender; a
	// Backend without one refuses an empty from with invalid_sender.
	if dlr := p.get("dlr-url", "dlrurl"); dlr != "" {
		// Not url.Parse: the escape codes (%d, %p…) are not URL escapes.
		lower := strings.ToLower(dlr)
		if len(dlr) < 8 || !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") ||
			strings.ContainsAny(dlr, " \r\n") {
			return nil, nil, refuse(kannelDLRURL)
		}
		// A fragment is never sent in a request, and ours carries the
		// dlr-mask: one the caller wrote could be read as the mask.
		dlr, _, _ = strings.Cut(dlr, "#")
		m.Callback = dlr
	}
	mask, ok := kannelInt(p, "dlr-mask", "dlrmask")
	if !ok || mask < -1 || mask > 63 {
		return nil, nil, refuse(kannelDLRMask)
	}
	if mask > 0 {
		m.ReportReq = true
		m.ReportAccepted = mask&dlrSMSCAck != 0 && m.Callback != ""
		if m.Callback != "" && mask&kannelMaskFinalAll != kannelMaskFinalAll {
			m.Callback = withMask(m.Callback, mask)
		}
	}
	coding, ok := kannelInt(p, "coding")
	if !ok || coding < -1 || coding > 2 {
		return nil, nil, refuse(kannelCoding)
	}
	if coding == -1 && len(udh) > 0 {
		coding = 1
	}
	validity, ok := kannelInt(p, "validity")
	// Minutes; past a century the time.Duration would overflow (it gave
	// a ValidUntil in 1822), so that is misformed too.
	if !ok || validity < -1 || validity > maxKannelValidity {
		return nil, nil, refuse(kannelValidity)
	}
	now := a.o.Now()
	if validity > 0 {
		m.ValidUntil = now.Add(time.Duration(validity) * time.Minute)
	}
	// Minutes from now, as validity (both count from the request in
	// Kannel).
	deferred, ok := kannelInt(p, "deferred")
	if !ok || deferred < -1 || deferred > maxKannelValidity {
		return nil, nil, refuse(kannelDeferred)
	}
	if deferred > 0 {
		m.SendAt = now.Add(time.Duration(deferred) * time.Minute)
		if !m.ValidUntil.IsZero() && !m.SendAt.Before(m.ValidUntil) {
			return nil, nil, refuse(kannelValidity) // over before it may start
		}
	}
	prio, ok := kannelInt(p, "priority")
	if !ok || prio < -1 || prio > 3 {
		return nil, nil, refuse(kannelPriority)
	}
	switch prio {
	case 3:
		m.Priority = spool.PriorityEmergency
	case 1, 2:
		m.Priority = spool.PriorityHigh
	}
	mclass, ok := kannelInt(p, "mclass")
	if !ok || mclass < -1 || mclass > 3 {
		return nil, nil, refuse(kannelMClass)
	}
	if mclass == 0 {
		m.Class0 = true
	}
	if mwi, ok := kannelInt(p, "mwi"); !ok || mwi < -1 || mwi > 7 {
		return nil, nil, refuse(kannelMWI)
	}
	if flash, ok := kannelInt(p, "flash"); ok && flash == 1 {
		m.Class0 = true
	}
	raw := []byte(p.get("text"))
	if p.body != nil {
		raw = p.body
	}
	if err := kannelBody(m, raw, udh, coding, p.get("charset")); err != nil {
		return nil, nil, err
	}
	return m, recipients, nil
}
