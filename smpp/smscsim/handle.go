package smscsim

import (
	"crypto/subtle"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

// handle answers one PDU. It returns false when the session must end.
func (ss *session) handle(f frame) bool {
	id := f.hdr.ID
	switch id { // the header says all, even if the body is odd
	case pdu.DeliverSMRespID:
		ss.srv.acked(ss, f.hdr.Seq, f.hdr.Status)
		return true
	case pdu.GenericNACKID: // to a deliver_sm: refused like an error response
		st := f.hdr.Status
		if st == StatusOK {
			st = StatusUnknownErr
		}
		ss.srv.acked(ss, f.hdr.Seq, st)
		return true
	}
	if f.body == nil {
		if f.hdr.ID&respBit != 0 {
			return true // an undecodable response: nothing to answer
		}
		st := StatusInvMsgLen
		if _, known := requestIDs[id]; !known {
			st = StatusInvCmdID
		}
		ss.trace("nack %s: %v", idName(id), f.decErr)
		return ss.write(headerOnly(pdu.GenericNACKID, st, f.hdr.Seq)) == nil
	}
	switch id {
	case pdu.BindTransmitterID, pdu.BindReceiverID, pdu.BindTransceiverID:
		return ss.bind(f)
	case pdu.EnquireLinkID:
		r := pdu.NewEnquireLinkResp()
		r.Header().Seq = f.hdr.Seq
		return ss.write(r) == nil
	case pdu.UnbindID:
		ss.srv.mu.Lock()
		ss.setStateLocked(stateUnbinding) // nothing more is sent to it
		ss.srv.mu.Unlock()
		r := pdu.NewUnbindResp()
		r.Header().Seq = f.hdr.Seq
		ss.write(r)
		return false
	case pdu.UnbindRespID:
		ss.srv.mu.Lock()
		unbinding := ss.state == stateUnbinding
		ss.srv.mu.Unlock()
		return !unbinding // our unbind was answered: close
	case pdu.SubmitSMID:
		return ss.submit(f)
	case pdu.EnquireLinkRespID:
		return true
	}
	if id&respBit != 0 {
		return true
	}
	// A request the codec decodes but the simulator does not serve
	// (query_sm, submit_multi): refused as an unsupported command.
	return ss.write(headerOnly(pdu.GenericNACKID, StatusInvCmdID, f.hdr.Seq)) == nil
}

// requestIDs are the requests the simulator serves; a body of one of
// them that does not decode is malformed (ESME_RINVMSGLEN), anything else
// is an unknown or unsupported command (ESME_RINVCMDID).
var requestIDs = map[pdu.ID]struct{}{
	pdu.BindReceiverID: {}, pdu.BindTransmitterID: {}, pdu.BindTransceiverID: {},
	pdu.SubmitSMID: {}, pdu.UnbindID: {}, pdu.EnquireLinkID: {},
}

var bindStates = map[pdu.ID]bindState{
	pdu.BindTransmitterID: stateTX,
	pdu.BindReceiverID:    stateRX,
	pdu.BindTransceiverID: stateTRX,
}

// bind checks the credentials and answers bind_*_resp with the request's
// sequence number; on success a receiver gets what waits for its
// system_id.
func (ss *session) bind(f frame) bool {
	respID := f.hdr.ID | respBit
	fm := f.body.Fields()
	sysID, pw := fm[pdufield.SystemID].String(), fm[pdufield.Password].String()
	s := ss.srv
	s.mu.Lock()
	st := StatusAlyBnd
	if ss.state == stateOpen {
		st = s.checkAccount(sysID, pw)
	}
	if st != StatusOK {
		s.mu.Unlock()
		return ss.write(headerOnly(respID, st, f.hdr.Seq)) == nil
	}
	ss.setStateLocked(bindStates[f.hdr.ID])
	ss.systemID = sysID
	// Take the write lock before others can see the session bound, so
	// that no deliver_sm overtakes the bind_resp.
	ss.wmu.Lock()
	s.mu.Unlock()
	r := pdu.NewBindTransceiverResp()
	r.Header().ID, r.Header().Seq = respID, f.hdr.Seq
	r.Fields().Set(pdufield.SystemID, "smscsim")
	err := ss.writeLocked(r)
	ss.wmu.Unlock()
	if err != nil {
		return false
	}
	s.flush(sysID)
	return true
}

// checkAccount answers ESME_RINVSYSID for an unknown system_id and
// ESME_RINVPASWD for a wrong password. s.mu must be held.
func (s *Server) checkAccount(sysID, pw string) pdu.Status {
	for _, a := range s.opts.Accounts {
		if a.SystemID != sysID {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(a.Password), []byte(pw)) == 1 {
			return StatusOK
		}
		return StatusInvPaswd
	}
	return StatusInvSysID
}
