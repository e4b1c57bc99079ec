package smpp

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	"github.com/smsgw/smsgw/spool"
)

// receiptTime is the date format of receipt text (SMPP 3.4 appendix B).
const receiptTime = "0601021504"

// ReceiptText is the standard delivery receipt text of SMPP 3.4
// appendix B for message m: "id:… sub:001 dlvrd:001 submit date:…
// done date:… stat:DELIVRD err:000 text:…" (the first 20 characters of
// the body, in printable ASCII, '?' for others: the receipt goes out as
// data_coding 0, which clients read as GSM or Latin-1; none once
// redacted).
func ReceiptText(m *spool.Message) string {
	dlvrd := 0
	if m.State == spool.StateDelivered {
		dlvrd = 1
	}
	text := []rune(m.Body)
	if len(text) > 20 {
		text = text[:20]
	}
	for i, r := range text {
		// ASCII that GSM 03.38 also has, alike in both: letters, digits,
		// space and the common punctuation (not @ $ _ and the like).
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" !\"#%&'()*+,-./:;<=>?", r)) {
			text[i] = '?'
		}
	}
	return fmt.Sprintf("id:%s sub:001 dlvrd:%03d submit date:%s done date:%s stat:%s err:%s text:%s",
		m.ID, dlvrd, m.CreatedAt().Format(receiptTime), m.UpdatedAt.UTC().Format(receiptTime), m.State.Stat(), receiptErr(m), string(text))
}

// receiptErr is a receipt's err: field: 000 for a delivered message (or
// one not final); for a failure, the carrier's code for the part that
// decided it (its receipt's err:, or network_error_code), as Kannel
// passes it on, when it fits the field's three characters; else 001.
func receiptErr(m *spool.Message) string {
	if m.State == spool.StateDelivered || !m.State.Final() {
		return "000"
	}
	for _, p := range m.Parts {
		if p.State != m.State || p.Error == "" || len(p.Error) > 3 || strings.Trim(p.Error, "0") == "" ||
			strings.ContainsFunc(p.Error, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') }) {
			continue
		}
		return strings.Repeat("0", 3-len(p.Error)) + p.Error
	}
	return "001"
}

// receiptPDU builds the deliver_sm carrying a receipt for m: the text,
// esm_class 0x04, and the receipted_message_id and message_state TLVs.
// go-smpp's NewDeliverSM serialises a corrupt PDU (LIBRARIES S3), so it
// is a submit_sm, whose mandatory fields are laid out the same, relabelled.
func receiptPDU(m *spool.Message) pdu.Body {
	d := pdu.NewSubmitSM(pdutlv.Fields{
		pdutlv.TagReceiptedMessageID: pdutlv.CString(m.ID),
		pdutlv.TagMessageStateOption: []byte{m.State.SMPPState()},
	})
	d.Header().ID = pdu.DeliverSMID
	f := d.Fields()
	setAddrs(f, m.To, m.From) // the receipt comes from the handset
	f.Set(pdufield.ESMClass, uint8(0x04))
	f.Set(pdufield.ShortMessage, pdutext.Raw(ReceiptText(m)))
	f.Set(pdufield.DataCoding, uint8(0x00))
	return d
}

// maxShortMessage is the most short_message holds: its length is one
// octet, and SMPP 3.4 allows 0 to 254.
const maxShortMessage = 254

// inboundPDU builds the deliver_sm for an inbound (MO) message: UCS-2
// when the text needs it, else the default alphabet as Latin-1 octets.
// An inbound message arrives whole (its parts joined); one longer than
// short_message holds goes, whole, in the message_payload TLV with an
// empty short_message, as SMPP 3.4 (5.3.2.32) has it.
func inboundPDU(m *spool.Message) pdu.Body {
	body, coding := encodeText(m.Body)
	if m.Binary != nil {
		body, coding = m.Binary, 0x04
	}
	var tlv pdutlv.Fields
	if len(body) > maxShortMessage {
		tlv = pdutlv.Fields{pdutlv.TagMessagePayload: body}
		body = nil
	}
	d := pdu.NewSubmitSM(tlv)
	d.Header().ID = pdu.DeliverSMID
	f := d.Fields()
	setAddrs(f, m.From, m.To)
	f.Set(pdufield.ShortMessage, pdutext.Raw(body))
	f.Set(pdufield.DataCoding, coding)
	return d
}

// setAddrs sets a deliver_sm's source and destination as SMPP writes
// them: E.164 without its '+', TON 1 and NPI 1; a short code TON 3;
// alphanumeric TON 5 (addrType).
func setAddrs(f pdufield.Map, src, dst string) {
	ston, snpi := addrType(src)
	dton, dnpi := addrType(dst)
	f.Set(pdufield.SourceAddrTON, ston)
	f.Set(pdufield.SourceAddrNPI, snpi)
	f.Set(pdufield.SourceAddr, strings.TrimPrefix(src, "+"))
	f.Set(pdufield.DestAddrTON, dton)
	f.Set(pdufield.DestAddrNPI, dnpi)
	f.Set(pdufield.DestinationAddr, strings.TrimPrefix(dst, "+"))
}

// encodeText is Latin-1 (data_coding 0x03) when every character has a
// Latin-1 code, else UCS-2 (0x08).
func encodeText(s string) ([]byte, uint8) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			return ucs2(s), 0x08
		}
		out = append(out, byte(r))
	}
	return out, 0x03
}

func ucs2(s string) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}
