package smpp

import (
	"context"
	"encoding/binary"
	"strings"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

// StatusInvDestFlag is ESME_RINVDESTFLAG: a submit_multi destination
// that is not an SME address (distribution lists are not kept here).
const StatusInvDestFlag pdu.Status = 0x40

// maxMultiDests is the most destinations of one submit_multi (SMPP 3.4
// 4.5.1: number_of_dests is at most 254).
const maxMultiDests = 254

// submitMulti stores one message per destination and answers with the
// first accepted id and the destinations refused, each with its status
// (SMPP 3.4 4.5.2). Receipts come back per destination, each with its own
// message's id.
func (srv *Server) submitMulti(ctx context.Context, b *binding, req pdu.Body) {
	f := req.Fields()
	list, _ := f[pdufield.DestinationList].(*pdufield.DestSmeList)
	if list == nil || len(list.Data) == 0 || len(list.Data) > maxMultiDests {
		b.s.RespondStatus(req, StatusInvDstAdr)
		return
	}
	for _, d := range list.Data {
		if d.Flag.Data != 1 {
			b.s.RespondStatus(req, StatusInvDestFlag)
			return
		}
	}
	type refused struct {
		ton, npi uint8
		addr     string
		status   pdu.Status
	}
	var firstID string
	var bad []refused
	now := srv.o.Now()
	for _, d := range list.Data {
		addr := strings.TrimRight(string(d.DestAddr.Data), "\x00")
		f.Set(pdufield.DestinationAddr, addr)
		f.Set(pdufield.DestAddrTON, d.Ton.Data)
		f.Set(pdufield.DestAddrNPI, d.Npi.Data)
		m, err := submitMessage(req, now, b.acct.DefaultAlphabet, b.acct.IA5Alphabet)
		if err == nil {
			m.Tenant, m.Source, m.SourceAddr = b.acct.Tenant, "smpp:"+b.acct.SystemID, hostOf(b.s.conn.RemoteAddr().String())
			err = b.acct.sourceAllowed(m.From)
		}
		if err == nil {
			m, err = srv.sub.Submit(ctx, m)
		}
		if err != nil {
			srv.log.Info("submit_multi destination refused", "system_id", b.acct.SystemID, "to", addr, "err", err)
			bad = append(bad, refused{d.Ton.Data, d.Npi.Data, addr, statusFor(err)})
			continue
		}
		if firstID == "" {
			firstID = m.ID
		}
	}
	if firstID == "" && len(bad) > 0 && allSame(bad, func(r refused) pdu.Status { return r.status }) {
		b.s.RespondStatus(req, bad[0].status) // nothing taken: the one reason
		return
	}
	body := append([]byte(firstID), 0, byte(len(bad)))
	for _, r := range bad {
		body = append(body, r.ton, r.npi)
		body = append(body, r.addr...)
		body = append(body, 0)
		body = binary.BigEndian.AppendUint32(body, uint32(r.status))
	}
	writeResp(b.s, pdu.SubmitMultiRespID, StatusOK, req.Header().Seq, body)
}

func allSame[T any, K comparable](xs []T, key func(T) K) bool {
	for _, x := range xs[1:] {
		if key(x) != key(xs[0]) {
			return false
		}
	}
	return true
}
