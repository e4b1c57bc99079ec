package smpp

import (
	"fmt"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

// tagQosTimeToLive is data_sm's validity (SMPP 3.4 5.3.2.30): seconds,
// four octets.
const tagQosTimeToLive pdutlv.Tag = 0x0017

// dataSMAsSubmit reads an application's data_sm (SMPP 3.4 4.7.1), which
// go-smpp does not decode, as the submit_sm it amounts to: the same
// addresses, esm_class, registered_delivery, data_coding and TLVs (the
// text in message_payload, concatenation in sar_*), qos_time_to_live as
// a relative validity_period (at most 99 days), priority 0. Its header keeps data_sm's
// command id and sequence, so that it is answered with a data_sm_resp
// (respTo). Other commands: nil, nil.
func dataSMAsSubmit(hdr pdu.Header, body []byte) (pdu.Body, error) {
	if hdr.ID != pdu.DataSMID {
		return nil, nil
	}
	d, err := parseDataSM(body)
	if err != nil {
		return nil, &layoutError{StatusInvCmdLen, err.Error()}
	}
	tlvs := pdutlv.Fields{}
	for tag, v := range d.tlv {
		if tag != tagQosTimeToLive {
			tlvs[tag] = v
		}
	}
	sm := pdu.NewSubmitSM(tlvs)
	f := sm.Fields()
	// parseDataSM wrote an international number (TON 1) with its "+".
	f.Set(pdufield.SourceAddr, d.src)
	f.Set(pdufield.DestinationAddr, d.dst)
	f.Set(pdufield.ESMClass, d.esm)
	f.Set(pdufield.RegisteredDelivery, d.rd)
	if ttl, ok := d.tlv[tagQosTimeToLive]; ok {
		if len(ttl) != 4 {
			return nil, &layoutError{StatusInvOptParam, fmt.Sprintf("qos_time_to_live of %d octets, not 4", len(ttl))}
		}
		secs := uint32(ttl[0])<<24 | uint32(ttl[1])<<16 | uint32(ttl[2])<<8 | uint32(ttl[3])
		f.Set(pdufield.ValidityPeriod, relativeTime(time.Duration(secs)*time.Second))
	}
	f.Set(pdufield.DataCoding, d.dc) // after the text fields: go-smpp resets it when short_message is set
	*sm.Header() = pdu.Header{ID: pdu.DataSMID, Seq: hdr.Seq}
	return sm, nil
}

// respTo is the response to an accepted submit: a submit_sm_resp, or a
// data_sm_resp to a data_sm (the same body: the message id).
func respTo(req pdu.Body) pdu.Body {
	resp := pdu.NewSubmitSMResp()
	if req.Header().ID == pdu.DataSMID {
		resp.Header().ID = pdu.DataSMRespID
	}
	return resp
}
