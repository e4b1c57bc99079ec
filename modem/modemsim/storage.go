package modemsim

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Message status (<stat> of +CMGR and +CMGL in PDU mode, TS 27.005
// section 3.1).
const (
	StatUnread = 0 // received unread
	StatRead   = 1 // received read
	StatUnsent = 2 // stored unsent
	StatSent   = 3 // stored sent
)

var memories = []string{"SM", "ME"}

// smsState is the SMS part of the modem: settings (reset at power-on),
// the storages (kept: they are on the SIM and in flash), and what the
// network holds back.
type smsState struct {
	cmgf, csms int
	cnmi       [5]int    // <mode>,<mt>,<bm>,<ds>,<bfr>
	mem        [3]string // <mem1> read and delete, <mem2> write, <mem3> receive
	stores     map[string][]*slot
	held       []inbound // waiting at the network, in order
	ack        *inbound  // delivered directly, waiting for AT+CNMA
	ackGen     int
}

type slot struct {
	stat   int
	frame  []byte // SMSC part and TPDU
	tpdu   int    // TPDU length
	report bool
}

func newSMSState(capacity int) smsState {
	st := smsState{stores: map[string][]*slot{}}
	for _, mem := range memories {
		st.stores[mem] = make([]*slot, capacity)
	}
	st.reset()
	return st
}

// reset restores the settings of a modem that just started (the EC25's
// defaults). A message delivered directly and not yet acknowledged goes
// back to the network, which delivers it again later.
func (st *smsState) reset() {
	st.cmgf, st.csms = 0, 0
	st.cnmi = [5]int{2, 1, 0, 0, 0}
	st.mem = [3]string{"SM", "SM", "SM"}
	if st.ack != nil {
		st.held = append([]inbound{*st.ack}, st.held...)
		st.ack = nil
	}
	st.ackGen++
}

func used(slots []*slot) int {
	n := 0
	for _, s := range slots {
		if s != nil {
			n++
		}
	}
	return n
}

// put stores a message in mem at the lowest free index; m.mu is held.
func (m *Modem) put(mem string, sl *slot) (int, bool) {
	if m.faults.full {
		return 0, false
	}
	slots := m.sms.stores[mem]
	for i, s := range slots {
		if s == nil {
			slots[i] = sl
			return i, true
		}
	}
	return 0, false
}

// Stored is a message in the modem's storage.
type Stored struct {
	Mem    string // "SM" or "ME"
	Index  int    // as AT+CMGR takes it: from 0, as an EC25 counts
	Stat   int    // StatUnread, StatRead, StatUnsent or StatSent
	PDU    []byte // SMSC part then TPDU, as AT+CMGR prints it (in hex)
	Report bool   // an SMS-STATUS-REPORT (stored with <ds> 2)
}

// Stored returns the messages in storage, "SM" first, by index.
func (m *Modem) Stored() []Stored {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Stored
	for _, mem := range memories {
		for i, s := range m.sms.stores[mem] {
			if s != nil {
				out = append(out, Stored{Mem: mem, Index: i, Stat: s.stat, PDU: append([]byte(nil), s.frame...), Report: s.report})
			}
		}
	}
	return out
}

// cmdCPMS is AT+CPMS: choose the storages and report their use.
func cmdCPMS(s *session, c Command) ([]string, error) {
	m := s.m
	st := &m.sms
	if c.Op == Test {
		return []string{`+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")`}, nil
	}
	if err := m.needSIMForSMS(); err != nil {
		return nil, err
	}
	switch c.Op {
	case Read:
		var f []string
		for _, mem := range st.mem {
			f = append(f, fmt.Sprintf(`"%s",%d,%d`, mem, used(st.stores[mem]), m.o.Capacity))
		}
		return []string{"+CPMS: " + strings.Join(f, ",")}, nil
	case Set:
		ps := c.Params()
		if len(ps) < 1 || len(ps) > 3 {
			return nil, CMSOperationNotAllowed
		}
		for _, p := range ps {
			if _, ok := st.stores[strings.ToUpper(p)]; !ok {
				return nil, CMSOperationNotAllowed
			}
		}
		var f []string
		for i, p := range ps {
			st.mem[i] = strings.ToUpper(p)
		}
		for _, mem := range st.mem {
			f = append(f, fmt.Sprintf("%d,%d", used(st.stores[mem]), m.o.Capacity))
		}
		return []string{"+CPMS: " + strings.Join(f, ",")}, nil
	}
	return nil, errPlain
}

// index parses the <index> of AT+CMGR and AT+CMGD.
func (m *Modem) index(p string) (int, error) {
	i, err := strconv.Atoi(p)
	if err != nil || i < 0 || i >= m.o.Capacity {
		return 0, CMSInvalidIndex
	}
	return i, nil
}

// cmdCMGR is AT+CMGR=<index>: "+CMGR: <stat>,,<length>" and the PDU. An
// empty slot answers OK alone, as an EC25 does.
func cmdCMGR(s *session, c Command) ([]string, error) {
	m := s.m
	if c.Op == Test {
		return nil, nil
	}
	if err := m.needSIMForSMS(); err != nil {
		return nil, err
	}
	ps := c.Params()
	if c.Op != Set || len(ps) != 1 {
		return nil, CMSOperationNotAllowed
	}
	i, err := m.index(ps[0])
	if err != nil {
		return nil, err
	}
	sl := m.sms.stores[m.sms.mem[0]][i]
	if sl == nil {
		return nil, nil
	}
	lines := []string{fmt.Sprintf("+CMGR: %d,,%d", sl.stat, sl.tpdu), strings.ToUpper(hex.EncodeToString(sl.frame))}
	if sl.stat == StatUnread {
		sl.stat = StatRead
	}
	return lines, nil
}

// cmdCMGL is AT+CMGL=<stat> (4: all): each message as +CMGR prints it,
// with its index first.
func cmdCMGL(s *session, c Command) ([]string, error) {
	m := s.m
	if c.Op == Test {
		return []string{"+CMGL: (0-4)"}, nil
	}
	if err := m.needSIMForSMS(); err != nil {
		return nil, err
	}
	want, ok := c.intParams(0)
	if c.Op == Exec {
		want, ok = []int{StatUnread}, true
	}
	if !ok || len(want) != 1 || want[0] < 0 || want[0] > 4 {
		return nil, CMSOperationNotAllowed
	}
	var lines []string
	for i, sl := range m.sms.stores[m.sms.mem[0]] {
		if sl == nil || (want[0] != 4 && sl.stat != want[0]) {
			continue
		}
		lines = append(lines, fmt.Sprintf("+CMGL: %d,%d,,%d", i, sl.stat, sl.tpdu), strings.ToUpper(hex.EncodeToString(sl.frame)))
		if sl.stat == StatUnread {
			sl.stat = StatRead
		}
	}
	return lines, nil
}

// cmdCMGD is AT+CMGD=<index>[,<delflag>]. Room made lets the network
// deliver what it held.
func cmdCMGD(s *session, c Command) ([]string, error) {
	m := s.m
	slots := m.sms.stores[m.sms.mem[0]]
	if c.Op == Test {
		var idx []string
		for i, sl := range slots {
			if sl != nil {
				idx = append(idx, fmt.Sprint(i))
			}
		}
		return []string{fmt.Sprintf("+CMGD: (%s),(0-4)", strings.Join(idx, ","))}, nil
	}
	if err := m.needSIMForSMS(); err != nil {
		return nil, err
	}
	ps := c.Params()
	if c.Op != Set || len(ps) < 1 || len(ps) > 2 {
		return nil, CMSOperationNotAllowed
	}
	flag := 0
	if len(ps) == 2 {
		var err error
		if flag, err = strconv.Atoi(ps[1]); err != nil || flag < 0 || flag > 4 {
			return nil, CMSOperationNotAllowed
		}
	}
	if flag == 0 {
		i, err := m.index(ps[0])
		if err != nil {
			return nil, err
		}
		slots[i] = nil
	} else {
		del := map[int][]int{1: {StatRead}, 2: {StatRead, StatSent}, 3: {StatRead, StatSent, StatUnsent}, 4: {0, 1, 2, 3}}[flag]
		for i, sl := range slots {
			for _, d := range del {
				if sl != nil && sl.stat == d {
					slots[i] = nil
				}
			}
		}
	}
	m.pump()
	return nil, nil
}
