package httpapi

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// Kannel's dlr-mask bits, which %d reports.
const (
	dlrDelivered   = 1  // delivered to the phone
	dlrUndelivered = 2  // not delivered to the phone
	dlrBuffered    = 4  // queued on the SMSC
	dlrSMSCAck     = 8  // accepted by the SMSC
	dlrSMSCReject  = 16 // refused by the SMSC (or never sent)
)

// dlrValue is the %d of a report of state st.
func dlrValue(st spool.State) int {
	switch st {
	case spool.StateDelivered:
		return dlrDelivered
	case spool.StateUndelivered, spool.StateExpired, spool.StateRejected:
		return dlrUndelivered
	case spool.StateFailed, spool.StateCancelled:
		return dlrSMSCReject
	case spool.StateSent:
		return dlrSMSCAck
	}
	return dlrBuffered
}

// ExpandDLRURL replaces Kannel's escape codes in a dlr-url template for a
// report of state st on message m, at time t. As in Kannel's receipts, the
// "sender" of a report is the handset: %p is the message's recipient and
// %P its sender. Each value is URL-encoded. The codes:
//
//	%d  report type, Kannel's dlr-mask bit: 1 delivered, 2 not delivered
//	    (undelivered, expired, rejected), 8 accepted by the SMSC,
//	    16 refused by the SMSC or never sent (failed, cancelled)
//	%A  the SMSC's answer: the reason of the state, or the state's stat word
//	%a  the report as text: "id:<message id> stat:<DELIVRD…> err:<reason>"
//	%k  the first word of %a (Kannel's keyword)
//	%i  the connector (Kannel's smsc-id) that sent it
//	%F  the carrier's (foreign) message id of the first segment
//	%I  smsgw's message id
//	%p  the handset (the message's recipient); %q the same with 00 → +
//	    (the sendsms endpoint binds both first to the number as written)
//	%P  the message's sender; %Q the same with 00 → +
//	%t  the report time, "YYYY-MM-DD HH:MM:SS" UTC; %T the same in Unix seconds
//	%n  the API key id that submitted it (Kannel's sendsms-user)
//	%c  coding: 0 GSM 7-bit, 1 8-bit, 2 UCS-2; %O the data coding in hex
//	%b  as %a; %s the second word of %a
//	%o  the account (client_ref)
//	%m  the message class: 0 for flash, else -1; %M the MWI: -1
//	%B, %D, %f, %u  billing info, meta-data, originating SMSC, UDH: empty
//	%%  a percent sign
//
// Other codes are left as written, as Kannel does.
func ExpandDLRURL(tmpl string, m *spool.Message, st spool.State, t time.Time) string {
	reason := m.Reason
	if st != m.State {
		// A report of an earlier state (%d = 8, sent, fetched after a
		// retry): the reason now is the later state's, such as the
		// final receipt's DELIVRD.
		reason = ""
	}
	text := "id:" + m.ID + " stat:" + st.Stat()
	if reason != "" {
		text += " err:" + reason
	}
	answer := reason
	if answer == "" {
		answer = st.Stat()
	}
	foreign := ""
	if len(m.Parts) > 0 {
		foreign = m.Parts[0].ProviderID
	}
	coding, dcs := "0", "00"
	switch {
	case m.Binary != nil || m.Encoding == "8bit" || m.Encoding == "binary":
		coding, dcs = "1", "04"
	case m.Encoding == "ucs2":
		coding, dcs = "2", "08"
	}
	class := "-1"
	if m.Class0 {
		class = "0"
	}
	words := strings.Fields(text)
	t = t.UTC()
	vals := map[byte]string{
		'd': strconv.Itoa(dlrValue(st)), 'A': answer, 'a': text, 'b': text, 'k': words[0], 's': words[1],
		'i': m.Connector, 'F': foreign, 'I': m.ID,
		'p': m.To, 'P': m.From, 'q': plus(m.To), 'Q': plus(m.From),
		't': t.Format("2006-01-02 15:04:05"), 'T': strconv.FormatInt(t.Unix(), 10),
		'n': strings.TrimPrefix(m.Source, "http:"), 'c': coding, 'O': dcs, 'o': m.ClientRef,
		'm': class, 'M': "-1", 'B': "", 'D': "", 'f': "", 'u': "",
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '%' || i+1 == len(tmpl) {
			b.WriteByte(tmpl[i])
			continue
		}
		c := tmpl[i+1]
		if c == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if v, ok := vals[c]; ok {
			b.WriteString(url.QueryEscape(v))
			i++
			continue
		}
		b.WriteByte('%')
	}
	return b.String()
}

// bindDLRCode replaces the escape code %c of a dlr-url template with v
// (URL-encoded) now, at submission, and leaves %% and the other codes for
// ExpandDLRURL. Kannel's %p is the number as the client wrote it: the
// sendsms endpoint binds it before smsgw normalises the number, for
// clients that match reports on it.
func bindDLRCode(tmpl string, c byte, v string) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '%' && i+1 < len(tmpl) {
			switch tmpl[i+1] {
			case c:
				b.WriteString(url.QueryEscape(v))
				i++
				continue
			case '%':
				b.WriteString("%%")
				i++
				continue
			}
		}
		b.WriteByte(tmpl[i])
	}
	return b.String()
}

// plus replaces a leading 00 with + (Kannel's %q and %Q).
func plus(n string) string {
	if strings.HasPrefix(n, "00") {
		return "+" + n[2:]
	}
	return n
}
