package smpp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	smspdu "github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/route"
)

// delivery is a deliver_sm or data_sm from the carrier, read into the
// fields we use.
type delivery struct {
	src, dst string
	esm      uint8
	dc       uint8
	rd       uint8                 // registered_delivery
	body     []byte                // short_message, or message_payload
	tlv      map[pdutlv.Tag][]byte // optional parameters
}

func (d delivery) tlvByte(t pdutlv.Tag) (uint8, bool) {
	if v, ok := d.tlv[t]; ok && len(v) > 0 {
		return v[0], true
	}
	return 0, false
}

// fromDeliverSM reads a deliver_sm decoded by go-smpp.
func fromDeliverSM(req pdu.Body) delivery {
	f := req.Fields()
	d := delivery{src: address(f, pdufield.SourceAddr, pdufield.SourceAddrTON), dst: address(f, pdufield.DestinationAddr, pdufield.DestAddrTON),
		esm: byteField(f, pdufield.ESMClass), dc: byteField(f, pdufield.DataCoding), body: bytesField(f, pdufield.ShortMessage),
		tlv: map[pdutlv.Tag][]byte{}}
	for t, v := range req.TLVFields() {
		if v != nil {
			d.tlv[t] = v.Bytes()
		}
	}
	if p, ok := d.tlv[pdutlv.TagMessagePayload]; ok && len(d.body) == 0 {
		d.body = p
	}
	return d
}

// address reads an address field, with "+" when its TON is international.
func address(f pdufield.Map, name, ton pdufield.Name) string {
	a := strField(f, name)
	if byteField(f, ton) == 1 && a != "" && !strings.HasPrefix(a, "+") {
		a = "+" + a
	}
	return a
}

// parseDataSM reads a data_sm body (SMPP 3.4 4.7.1), which go-smpp does
// not decode: service_type, source TON/NPI/addr, destination
// TON/NPI/addr, esm_class, registered_delivery, data_coding, then TLVs.
func parseDataSM(b []byte) (delivery, error) {
	d := delivery{tlv: map[pdutlv.Tag][]byte{}}
	cstr := func() (string, error) {
		i := strings.IndexByte(string(b), 0)
		if i < 0 {
			return "", errors.New("unterminated string")
		}
		s := string(b[:i])
		b = b[i+1:]
		return s, nil
	}
	octet := func() (uint8, error) {
		if len(b) == 0 {
			return 0, errors.New("truncated")
		}
		v := b[0]
		b = b[1:]
		return v, nil
	}
	var err error
	var ton uint8
	addr := func() (string, error) {
		if ton, err = octet(); err != nil {
			return "", err
		}
		if _, err = octet(); err != nil { // NPI
			return "", err
		}
		a, err := cstr()
		if ton == 1 && a != "" && !strings.HasPrefix(a, "+") {
			a = "+" + a
		}
		return a, err
	}
	if _, err = cstr(); err != nil { // service_type
		return d, fmt.Errorf("data_sm service_type: %w", err)
	}
	if d.src, err = addr(); err != nil {
		return d, fmt.Errorf("data_sm source_addr: %w", err)
	}
	if d.dst, err = addr(); err != nil {
		return d, fmt.Errorf("data_sm destination_addr: %w", err)
	}
	if d.esm, err = octet(); err != nil {
		return d, fmt.Errorf("data_sm esm_class: %w", err)
	}
	if d.rd, err = octet(); err != nil {
		return d, fmt.Errorf("data_sm registered_delivery: %w", err)
	}
	if d.dc, err = octet(); err != nil {
		return d, fmt.Errorf("data_sm data_coding: %w", err)
	}
	for len(b) > 0 {
		if len(b) < 4 {
			return d, errors.New("data_sm: truncated TLV")
		}
		tag, n := pdutlv.Tag(binary.BigEndian.Uint16(b)), int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+n {
			return d, fmt.Errorf("data_sm: TLV %#04x longer than the PDU", uint16(tag))
		}
		d.tlv[tag] = b[4 : 4+n]
		b = b[4+n:]
	}
	d.body = d.tlv[pdutlv.TagMessagePayload]
	return d, nil
}

// raw serves the requests go-smpp cannot decode: data_sm, and
// alert_notification, which has no response (SMPP 3.4 4.12): a
// generic_nack to it is noise the SMSC may take for a broken session.
func (c *Carrier) raw(ctx context.Context) func(s *Session, hdr pdu.Header, body []byte) bool {
	return func(s *Session, hdr pdu.Header, body []byte) bool {
		if hdr.ID == pdu.AlertNotificationID {
			c.log.Info("alert_notification from the carrier (a handset is reachable again); noted", "octets", len(body))
			return true
		}
		if hdr.ID != pdu.DataSMID {
			return false
		}
		body = append([]byte(nil), body...)
		go func() {
			defer s.recoverRequest(hdr)
			d, err := parseDataSM(body)
			status := StatusOK
			if err != nil {
				c.log.Warn("malformed data_sm", "err", err)
				status = StatusInvMsgLen
			} else if err := c.receive(ctx, d); err != nil {
				c.log.Error("could not store a data_sm; not acknowledged", "err", err)
				status = StatusXTAppn // the carrier delivers it again
			}
			writeResp(s, pdu.DataSMRespID, status, hdr.Seq, []byte{0}) // message_id ""
		}()
		return true
	}
}

// writeResp writes a response with a raw body (header-only on error).
func writeResp(s *Session, id pdu.ID, status pdu.Status, seq uint32, body []byte) error {
	if status != StatusOK {
		return s.writeHeader(id, status, seq)
	}
	b := make([]byte, 16, 16+len(body))
	binary.BigEndian.PutUint32(b[0:], uint32(16+len(body)))
	binary.BigEndian.PutUint32(b[4:], uint32(id))
	binary.BigEndian.PutUint32(b[12:], seq)
	return s.writeRaw(append(b, body...))
}

// handle answers the carrier's deliver_sm (receipts and MO) after the
// sink has stored them.
func (c *Carrier) handle(ctx context.Context, s *Session, req pdu.Body) {
	if req.Header().ID != pdu.DeliverSMID {
		s.RespondStatus(req, StatusInvCmdID)
		return
	}
	if err := c.receive(ctx, fromDeliverSM(req)); err != nil {
		c.log.Error("could not store a deliver_sm; not acknowledged", "err", err)
		s.RespondStatus(req, StatusXTAppn) // temporary: the carrier delivers it again
		return
	}
	s.Respond(req, pdu.NewDeliverSMResp())
}

// receive stores a receipt or an MO part; it returns once stored.
func (c *Carrier) receive(ctx context.Context, d delivery) error {
	if r, ok := parseReceipt(d); ok {
		r.Connector = c.o.Name
		r.ProviderID = receiptID(c.o.ReceiptIDs, r.ProviderID)
		r.ExactID = c.o.ReceiptIDs != "" && c.o.ReceiptIDs != ReceiptIDsAuto
		err := c.sink.Report(ctx, r)
		switch {
		case errors.Is(err, spool.ErrReportParked):
			return nil // kept until the send result names its id
		case errors.Is(err, spool.ErrNotFound):
			c.log.Warn("receipt for an unknown message", "ext_id", r.ProviderID)
			return nil // acknowledged: resending it would not help
		}
		return err
	}
	if receiptType(d.esm) {
		// Not an MO: stored as one, its text would reach the tenant as a
		// message from the recipient. Sending it again would not help.
		c.log.Warn("receipt without a message id we can read; acknowledged, not applied",
			"esm_class", d.esm, "data_coding", d.dc, "text", string(d.body))
		return nil
	}
	return c.inbound(ctx, d)
}

// inbound stores an MO part: a whole message, or a part kept (durably)
// until its message is whole.
func (c *Carrier) inbound(ctx context.Context, d delivery) error {
	body := d.body
	cc := smspdu.Concat{Total: 1, Seq: 1}
	if d.esm&0x40 != 0 && len(body) > 0 && int(body[0])+1 <= len(body) {
		if h, err := smspdu.ParseUDH(body[:body[0]+1]); err == nil {
			if x, ok := h.Concat(); ok {
				cc = x
			}
		}
		body = body[body[0]+1:]
	} else if total, ok := d.tlvByte(pdutlv.TagSarTotalSegments); ok {
		seq, _ := d.tlvByte(pdutlv.TagSarSegmentSeqnum)
		ref := d.tlv[pdutlv.TagSarMsgRefNum]
		if len(ref) == 2 && total > 0 && seq > 0 && seq <= total {
			cc = smspdu.Concat{Ref: binary.BigEndian.Uint16(ref), Ref16: true, Total: int(total), Seq: int(seq)}
		}
	}
	ct, err := readContent(d.dc, body, c.o.DefaultAlphabet)
	if err != nil {
		c.log.Warn("MO with an unreadable short_message; stored as octets", "err", err)
		ct = content{binary: append([]byte{}, body...), binaryOK: true, encoding: smspdu.Binary}
	}
	now := time.Now()
	p := ct.part(c.o.Name+"|"+d.dst, d.src, cc)
	p.Received = now
	if err := c.reasm.Add(ctx, p, now, c.storeInbound); err != nil {
		return fmt.Errorf("smpp: inbound part: %w", err)
	}
	return nil
}

func (c *Carrier) storeInbound(ctx context.Context, done []smspdu.Reassembled) error {
	for _, r := range done {
		_, to, _ := strings.Cut(r.Source, "|")
		if err := c.sink.Inbound(ctx, route.Inbound(r, c.o.Tenant, to, c.o.Name, "smpp:"+c.o.Name)); err != nil {
			return err
		}
	}
	return nil
}

// parseReceipt reads a delivery receipt: the receipted_message_id and
// message_state TLVs when present, else the standard text.
func parseReceipt(d delivery) (spool.Report, bool) {
	if !receiptType(d.esm) {
		if _, ok := d.tlv[pdutlv.TagReceiptedMessageID]; !ok {
			return spool.Report{}, false
		}
	}
	text := string(d.body)
	if d.dc == 0x08 && len(d.body)%2 == 0 {
		// A few SMSCs write the receipt text in UCS-2.
		if ct, err := readContent(d.dc, d.body, AlphabetGSM7); err == nil {
			text = ct.text
		}
	}
	r := spool.Report{Detail: spool.StripReceiptText(text)}
	fields := receiptFields(text)
	r.ProviderID = fields["id"]
	var statOK bool
	r.State, statOK = spool.StateFromStat(fields["stat"])
	if strings.EqualFold(strings.TrimSpace(fields["stat"]), "UNKNOWN") {
		r.Stat = "UNKNOWN"
	}
	r.Code = fields["err"]
	if v, ok := d.tlv[pdutlv.TagReceiptedMessageID]; ok {
		r.ProviderID = strings.TrimRight(string(v), "\x00")
	}
	if v, ok := d.tlvByte(pdutlv.TagMessageStateOption); ok {
		if st := stateFromSMPP(v); statOK && st != r.State {
			// The text says otherwise: say which one counts (as
			// Kannel, the TLV), or the reason contradicts the state.
			r.Detail += fmt.Sprintf(" (message_state %d decides)", v)
		}
		r.State = stateFromSMPP(v)
		r.Stat = "" // the TLV, not the text, decides
		if v == 7 {
			r.Stat = "UNKNOWN"
		}
	}
	if r.State == 0 {
		r.State = spool.StateSent
	}
	if v := d.tlv[pdutlv.TagNetworkErrorCode]; len(v) == 3 && strings.Trim(r.Code, "0") == "" {
		// network_error_code: the network type, then its error (SMPP 3.4
		// 5.3.2.31); where the text gives none, as Kannel reads it.
		if code := binary.BigEndian.Uint16(v[1:]); code != 0 {
			r.Code = fmt.Sprintf("%03d", code)
		}
	}
	return r, r.ProviderID != ""
}

// receiptType says whether esm_class marks a deliver_sm as a receipt:
// an SMSC delivery receipt (0x04), an SME delivery acknowledgement (0x08)
// or an intermediate delivery notification (0x20), never an MO.
func receiptType(esm uint8) bool {
	switch esm & 0x3C {
	case 0x04, 0x08, 0x20:
		return true
	}
	return false
}

// The values of CarrierOptions.ReceiptIDs.
const (
	ReceiptIDsAuto         = "auto"
	ReceiptIDsExact        = "exact"          // receipts spell ids as submit_sm_resp did
	ReceiptIDsHexToDecimal = "hex_to_decimal" // submit_sm_resp hex, receipts decimal
	ReceiptIDsDecimalToHex = "decimal_to_hex" // submit_sm_resp decimal, receipts hex
)

// receiptID respells a receipt's message id the way submit_sm_resp gave
// it, as the carrier's setting says; an id that is not a number in the
// expected base is left as it is.
func receiptID(setting, id string) string {
	from, to := 0, 0
	switch setting {
	case ReceiptIDsHexToDecimal:
		from, to = 10, 16
	case ReceiptIDsDecimalToHex:
		from, to = 16, 10
	default:
		return id
	}
	n, ok := new(big.Int).SetString(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(id)), "0x"), from)
	if !ok || n.Sign() < 0 {
		return id
	}
	return n.Text(to)
}

// receiptFields splits "id:1 sub:001 … stat:DELIVRD err:000 text:…".
func receiptFields(text string) map[string]string {
	out := map[string]string{}
	text = spool.StripReceiptText(text)
	text = strings.ReplaceAll(text, "submit date", "submit_date")
	text = strings.ReplaceAll(text, "done date", "done_date")
	for _, f := range strings.Fields(text) {
		if k, v, ok := strings.Cut(f, ":"); ok {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

func stateFromSMPP(s byte) spool.State {
	switch s {
	case 2:
		return spool.StateDelivered
	case 3:
		return spool.StateExpired
	case 4:
		return spool.StateCancelled
	case 5, 7: // UNKNOWN: see spool.StateFromStat
		return spool.StateUndelivered
	case 8:
		return spool.StateRejected
	}
	return spool.StateSent
}
