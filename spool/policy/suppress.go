package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// kvNS is the spool key-value namespace of the suppression list. Keys are
// tenant ‖ 0x1f ‖ recipient; values a suppRecord.
const kvNS = "optout"

// allLines is the line key of a stop for every line of the tenant.
const allLines = "*"

// Suppression is one opt-out: Recipient gets no messages from Line (""
// means every line of the tenant).
type Suppression struct {
	Tenant    string    `json:"tenant"`
	Recipient string    `json:"recipient"`      // E.164
	Line      string    `json:"line,omitempty"` // the sender id opted out of; "" all lines
	At        time.Time `json:"at"`
	By        string    `json:"by"`               // "mo:+1…" (a keyword), "ui:ana", "cli"
	Reason    string    `json:"reason,omitempty"` // the keyword or the operator's note
}

// lineEntry is one line of a suppRecord.
type lineEntry struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty"`
}

// suppRecord is what the spool keeps per tenant and recipient.
type suppRecord struct {
	Lines map[string]lineEntry `json:"lines"` // line (allLines: every line) → entry
}

// suppressions is the in-memory copy of the suppression list, written
// through to the spool.
type suppressions struct {
	write sync.Mutex // serialises read-modify-write of records
	mu    sync.RWMutex
	m     map[string]map[string]suppRecord // tenant → recipient → record
}

func suppKey(tenant, rcpt string) string { return tenant + "\x1f" + rcpt }

// load reads the whole list from the spool.
func (s *suppressions) load(store *spool.Store) error {
	s.m = map[string]map[string]suppRecord{}
	after := ""
	for {
		kvs, err := store.KVList(kvNS, "", after, 0)
		if err != nil {
			return fmt.Errorf("policy: load suppression list: %w", err)
		}
		for _, kv := range kvs {
			tenant, rcpt, ok := strings.Cut(kv.Key, "\x1f")
			var rec suppRecord
			if err := json.Unmarshal(kv.Value, &rec); !ok || err != nil {
				return fmt.Errorf("policy: load suppression list: bad record %q: %v", kv.Key, err)
			}
			s.set(tenant, rcpt, rec)
		}
		if len(kvs) == 0 {
			return nil
		}
		after = kvs[len(kvs)-1].Key
	}
}

// set replaces a record in memory (an empty one removes it). Callers hold
// write, or are load.
func (s *suppressions) set(tenant, rcpt string, rec suppRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(rec.Lines) == 0 {
		delete(s.m[tenant], rcpt)
		return
	}
	if s.m[tenant] == nil {
		s.m[tenant] = map[string]suppRecord{}
	}
	s.m[tenant][rcpt] = rec
}

// blocked reports whether rcpt opted out of line (or of all lines), and
// which.
func (s *suppressions) blocked(tenant, rcpt, line string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, ok := s.m[tenant][rcpt]
	if !ok {
		return "", false
	}
	if _, ok := rec.Lines[allLines]; ok {
		return allLines, true
	}
	_, ok = rec.Lines[line]
	return line, ok
}

// change applies edit to a recipient's record and writes it, with its
// audit entry, to the spool before memory. It reports whether anything
// changed; an unchanged record writes nothing.
func (s *suppressions) change(ctx context.Context, store *spool.Store, tenant, rcpt string,
	e spool.AuditEntry, edit func(lines map[string]lineEntry) bool) (bool, error) {
	s.write.Lock()
	defer s.write.Unlock()
	s.mu.RLock()
	old := s.m[tenant][rcpt]
	s.mu.RUnlock()
	rec := suppRecord{Lines: make(map[string]lineEntry, len(old.Lines)+1)}
	for k, v := range old.Lines {
		rec.Lines[k] = v
	}
	if !edit(rec.Lines) {
		return false, nil
	}
	var val []byte // nil deletes
	if len(rec.Lines) > 0 {
		var err error
		if val, err = json.Marshal(rec); err != nil {
			return false, fmt.Errorf("policy: encode suppression: %w", err)
		}
	}
	if err := store.KVPutAudited(ctx, kvNS, suppKey(tenant, rcpt), val, e); err != nil {
		return false, fmt.Errorf("policy: save suppression of %s for %s: %w", rcpt, tenant, err)
	}
	s.set(tenant, rcpt, rec)
	return true, nil
}

// list returns a tenant's suppressions, by recipient then line.
func (s *suppressions) list(tenant string) []Suppression {
	s.mu.RLock()
	var out []Suppression
	for rcpt, rec := range s.m[tenant] {
		for line, e := range rec.Lines {
			if line == allLines {
				line = ""
			}
			out = append(out, Suppression{Tenant: tenant, Recipient: rcpt, Line: line, At: e.At, By: e.By, Reason: e.Reason})
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Recipient != out[j].Recipient {
			return out[i].Recipient < out[j].Recipient
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// lineName is a line key for messages.
func lineName(line string) string {
	if line == allLines || line == "" {
		return "all lines"
	}
	return line
}
