package smpp

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"

	smspdu "github.com/smsgw/smsgw/pdu"
	"github.com/smsgw/smsgw/spool"
)

// PartStore keeps the parts of long messages an application submits
// until the last one arrives; *spool.Store has it.
type PartStore interface {
	NewID() string
	KVPut(ctx context.Context, ns, key string, value []byte) error
	KVList(ns, prefix, after string, limit int) ([]spool.KV, error)
}

// Checker is implemented by a Submitter that can say whether a message
// would be accepted without storing it; the server asks it for each part
// of a long message before holding the part.
type Checker interface {
	Check(ctx context.Context, m *spool.Message) error
}

// partsNS is the spool key-value namespace of held parts.
const partsNS = "smpp-parts"

// joining holds the parts of long messages until they are whole. Each
// message's parts are one record in the PartStore, written (fsync'd)
// before the part's submit_sm_resp.
type joining struct {
	store   PartStore
	timeout time.Duration
	locks   [64]sync.Mutex // striped by message key
}

// heldMessage is one long message being put together.
type heldMessage struct {
	ID      string           `json:"id"` // answered to every part; the joined message's
	Total   int              `json:"total"`
	First   time.Time        `json:"first"`
	Message *spool.Message   `json:"message"` // the first part's attributes
	Parts   map[int]heldPart `json:"parts"`
	// Done: the message was stored (First is then when); Sums are its
	// parts' contents, by seq, so that a part sent again (its
	// submit_sm_resp was lost) gets the message's id instead of going
	// out alone, while a new message reusing the reference does not.
	Done bool           `json:"done,omitempty"`
	Sums map[int]string `json:"sums,omitempty"`
}

// doneWindow is how long a completed long message's parts are known
// again: longer than an application waits for a lost submit_sm_resp.
const doneWindow = 10 * time.Minute

// sum names a part's content.
func (p heldPart) sum() string {
	h := sha256.New()
	h.Write([]byte(p.Text))
	h.Write([]byte{0})
	h.Write(p.UCS2)
	h.Write([]byte{0})
	h.Write(p.Binary)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// heldPart is one part's content: text, or UCS-2 octets (joined before
// decoding, so that a character split between parts survives), or
// binary.
type heldPart struct {
	Text   string `json:"text,omitempty"`
	UCS2   []byte `json:"ucs2,omitempty"`
	Binary []byte `json:"binary,omitempty"`
}

// concatOf finds the concatenation of a submitted part: the UDH's
// element, or the SAR TLVs.
func concatOf(req pdu.Body, m *spool.Message) (smspdu.Concat, bool) {
	if len(m.UDH) > 0 {
		h, err := smspdu.ParseUDH(m.UDH)
		if err != nil {
			return smspdu.Concat{}, false
		}
		cc, ok := h.Concat()
		// Only a header that is nothing but the concatenation can be
		// dropped when the parts are joined (ports, shifts… stay).
		return cc, ok && len(h) == 1 && cc.Total > 1
	}
	tlv := req.TLVFields()
	get := func(t pdutlv.Tag) []byte {
		if v, ok := tlv[t]; ok && v != nil {
			return v.Bytes()
		}
		return nil
	}
	ref, total, seq := get(pdutlv.TagSarMsgRefNum), get(pdutlv.TagSarTotalSegments), get(pdutlv.TagSarSegmentSeqnum)
	if len(ref) != 2 || len(total) != 1 || len(seq) != 1 || total[0] < 2 || seq[0] < 1 || seq[0] > total[0] {
		return smspdu.Concat{}, false
	}
	return smspdu.Concat{Ref: binary.BigEndian.Uint16(ref), Ref16: true, Total: int(total[0]), Seq: int(seq[0])}, true
}

func (j *joining) lock(key string) func() {
	h := fnv.New32a()
	h.Write([]byte(key))
	l := &j.locks[h.Sum32()%uint32(len(j.locks))]
	l.Lock()
	return l.Unlock
}

func (j *joining) load(key string) (*heldMessage, error) {
	kvs, err := j.store.KVList(partsNS, key, "", 1)
	if err != nil || len(kvs) == 0 || kvs[0].Key != key {
		return nil, err
	}
	h := new(heldMessage)
	return h, json.Unmarshal(kvs[0].Value, h)
}

func (j *joining) save(ctx context.Context, key string, h *heldMessage) error {
	if h == nil {
		return j.store.KVPut(ctx, partsNS, key, nil)
	}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return j.store.KVPut(ctx, partsNS, key, b)
}

// partKey names a long message: who sent it, from and to whom, its
// reference and size.
func partKey(sysID string, m *spool.Message, cc smspdu.Concat) string {
	return fmt.Sprintf("%s|%s|%s|%d|%t|%d", sysID, m.From, m.To, cc.Ref, cc.Ref16, cc.Total)
}

// submitPart holds one part of a long message and answers it with the
// id the whole message will have; the part that completes it submits
// the joined message.
func (srv *Server) submitPart(ctx context.Context, b *binding, req pdu.Body, m *spool.Message, cc smspdu.Concat, dc uint8) {
	j := srv.join
	fail := func(err error) {
		srv.log.Info("submit_sm part refused", "system_id", b.acct.SystemID, "err", err)
		b.s.RespondStatus(req, statusFor(err))
	}
	if ch, ok := srv.sub.(Checker); ok {
		if err := ch.Check(ctx, m); err != nil {
			fail(err)
			return
		}
	}
	key := partKey(b.acct.SystemID, m, cc)
	unlock := j.lock(key)
	defer unlock()
	h, err := j.load(key)
	if err != nil {
		fail(fmt.Errorf("reading held parts: %w", err))
		return
	}
	p := heldPart{Text: m.Body, Binary: m.Binary}
	if dc == 0x08 {
		p = heldPart{UCS2: bytesField(req.Fields(), pdufield.ShortMessage)}
		if len(m.UDH) > 0 {
			p.UCS2 = p.UCS2[len(m.UDH):]
		}
	}
	if h != nil && h.Done {
		if h.Sums[cc.Seq] == p.sum() {
			srv.log.Info("a part of a stored long message sent again: answered with its id", "msg_id", h.ID, "seq", cc.Seq)
			srv.respondID(b, req, h.ID)
			return
		}
		h = nil // a new message with the same reference
	}
	if h == nil {
		tmpl := m.Clone()
		tmpl.Body, tmpl.Binary, tmpl.UDH = "", nil, nil
		tmpl.State = spool.StateAccepted // (the zero state does not encode)
		h = &heldMessage{ID: j.store.NewID(), Total: cc.Total, First: time.Now().UTC(), Message: tmpl, Parts: map[int]heldPart{}}
	}
	h.Parts[cc.Seq] = p
	if len(h.Parts) < h.Total {
		if err := j.save(ctx, key, h); err != nil {
			fail(fmt.Errorf("holding a part: %w", err))
			return
		}
		srv.respondID(b, req, h.ID)
		return
	}
	joined := h.joined(nil)
	stored, err := srv.sub.Submit(ctx, joined)
	if err != nil {
		// The part stays unanswered-for: the application sends it again,
		// or the held parts time out.
		fail(err)
		return
	}
	done := &heldMessage{ID: stored.ID, Total: h.Total, First: time.Now().UTC(), Done: true, Sums: map[int]string{}}
	for s, hp := range h.Parts {
		done.Sums[s] = hp.sum()
	}
	if err := j.save(ctx, key, done); err != nil {
		srv.log.Error("joined message stored; its held parts not cleared", "key", key, "err", err)
	}
	srv.respondID(b, req, stored.ID)
}

func (srv *Server) respondID(b *binding, req pdu.Body, id string) {
	resp := respTo(req)
	resp.Fields().Set(pdufield.MessageID, id)
	b.s.Respond(req, resp)
}

// joined is the message the held parts make; missing lists parts that
// never came (then the text has only what did).
func (h *heldMessage) joined(missing []int) *spool.Message {
	m := h.Message.Clone()
	m.ID = h.ID
	seqs := make([]int, 0, len(h.Parts))
	for s := range h.Parts {
		seqs = append(seqs, s)
	}
	sort.Ints(seqs)
	var text strings.Builder
	var ucs2, bin []byte
	flush := func() {
		if len(ucs2) > 0 {
			u := make([]uint16, len(ucs2)/2)
			for i := range u {
				u[i] = uint16(ucs2[2*i])<<8 | uint16(ucs2[2*i+1])
			}
			text.WriteString(string(utf16.Decode(u)))
			ucs2 = nil
		}
	}
	for i, s := range seqs {
		p := h.Parts[s]
		if i > 0 && s != seqs[i-1]+1 {
			flush() // a gap: never join octets across it
		}
		switch {
		case p.UCS2 != nil:
			ucs2 = append(ucs2, p.UCS2...)
		case p.Binary != nil:
			bin = append(bin, p.Binary...)
		default:
			flush()
			text.WriteString(p.Text)
		}
	}
	flush()
	m.Body, m.Binary = text.String(), bin
	if len(bin) > 0 {
		m.Body = ""
	}
	if len(missing) > 0 {
		m.Reason = fmt.Sprintf("parts %v never arrived from the application", missing)
	}
	return m
}

// expire submits, as they are, long messages whose last parts did not
// come within the timeout: the parts already answered are not lost.
func (srv *Server) expireParts(ctx context.Context) {
	j := srv.join
	t := time.NewTicker(min(j.timeout/2, time.Minute))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		kvs, err := j.store.KVList(partsNS, "", "", 0)
		if err != nil {
			srv.log.Error("listing held parts", "err", err)
			continue
		}
		for _, kv := range kvs {
			srv.expireOne(ctx, kv.Key)
		}
	}
}

func (srv *Server) expireOne(ctx context.Context, key string) {
	j := srv.join
	unlock := j.lock(key)
	defer unlock()
	h, err := j.load(key)
	if err != nil || h == nil {
		return
	}
	if h.Done {
		if time.Since(h.First) >= doneWindow {
			if err := j.save(ctx, key, nil); err != nil {
				srv.log.Error("clearing a stored long message's parts", "key", key, "err", err)
			}
		}
		return
	}
	if time.Since(h.First) < j.timeout {
		return
	}
	var missing []int
	for s := 1; s <= h.Total; s++ {
		if _, ok := h.Parts[s]; !ok {
			missing = append(missing, s)
		}
	}
	m := h.joined(missing)
	if _, err := srv.sub.Submit(ctx, m); err != nil {
		srv.log.Error("incomplete long message refused; dropped", "id", h.ID, "missing", missing, "err", err)
		if srv.o.Audit != nil {
			srv.o.Audit(ctx, spool.AuditEntry{Action: "dropped", Actor: m.Source, Tenant: m.Tenant, MsgID: h.ID,
				Detail: fmt.Sprintf("parts %v never arrived and the rest was refused: %v", missing, err)})
		}
	} else {
		srv.log.Warn("incomplete long message sent as it is", "id", h.ID, "missing", missing)
	}
	if err := j.save(ctx, key, nil); err != nil {
		srv.log.Error("clearing held parts", "key", key, "err", err)
	}
}
