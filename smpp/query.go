package smpp

import (
	"bytes"
	"context"
	"errors"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"

	"github.com/smsgw/smsgw/spool"
)

// More command_status values.
const (
	StatusCancelFail pdu.Status = 0x11
	StatusQueryFail  pdu.Status = 0x67
)

// Lookup is what query_sm and cancel_sm need of the spool; *spool.Store
// has it.
type Lookup interface {
	Get(id string) (*spool.Message, error)
	Cancel(ctx context.Context, id, actor string) (*spool.Message, error)
}

// query answers query_sm with the message's state, for the account's
// own tenant only.
func (srv *Server) query(b *binding, req pdu.Body) {
	if !srv.canSend(b) { // query_sm and cancel_sm come from a transmitter
		b.s.RespondStatus(req, StatusInvBnd)
		return
	}
	id := strField(req.Fields(), pdufield.MessageID)
	m, err := srv.lookup(b, id)
	if err != nil {
		b.s.RespondStatus(req, StatusQueryFail)
		return
	}
	resp := pdu.NewQuerySMResp()
	f := resp.Fields()
	f.Set(pdufield.MessageID, m.ID)
	final := ""
	if m.State.Final() {
		final = m.UpdatedAt.UTC().Format("060102150405") + "000+"
	}
	f.Set(pdufield.FinalDate, final)
	f.Set(pdufield.MessageState, m.State.SMPPState())
	f.Set(pdufield.ErrorCode, uint8(0))
	b.s.Respond(req, resp)
}

func (srv *Server) lookup(b *binding, id string) (*spool.Message, error) {
	srv.mu.Lock()
	acct := b.acct
	srv.mu.Unlock()
	if srv.o.Lookup == nil || acct.SystemID == "" {
		return nil, errors.New("smpp: no lookup")
	}
	m, err := srv.o.Lookup.Get(id)
	if err != nil || m.Tenant != acct.Tenant {
		return nil, spool.ErrNotFound // another tenant's message does not exist for this one
	}
	return m, nil
}

// cancelRaw handles cancel_sm, which go-smpp does not decode: the body
// is service_type, message_id, then the addresses (SMPP 3.4 4.9.1); only
// message_id is used. It answers in a goroutine (the spool write waits
// for its fsync).
func (srv *Server) cancelRaw(ctx context.Context, b *binding, hdr pdu.Header, body []byte) bool {
	if hdr.ID != pdu.CancelSMID {
		return false
	}
	fields := bytes.SplitN(body, []byte{0}, 3)
	go func() {
		defer b.s.recoverRequest(hdr)
		status := StatusOK
		if !srv.canSend(b) {
			status = StatusInvBnd
		} else if len(fields) < 3 {
			status = StatusInvCmdLen
		} else if m, err := srv.lookup(b, string(fields[1])); err != nil {
			status = StatusCancelFail
		} else if _, err := srv.o.Lookup.Cancel(ctx, m.ID, m.Source); err != nil {
			status = StatusCancelFail
		}
		b.s.writeHeader(pdu.CancelSMRespID, status, hdr.Seq)
	}()
	return true
}
