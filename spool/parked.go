package spool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Parked receipts: a receipt that arrives before the send result it
// reports on is recorded (a carrier that answers submit_sm_resp and the
// receipt back to back) waits here, durably, until a result files its
// id.

// kParkedPrefix prefixes parked reports in the meta bucket:
// "parked/<connector>\x00<provider key>\x00<id as sent>" → the report as
// JSON, once per reading of its id (as fileProviderIDs files them).
const kParkedPrefix = "parked/"

// parkedTTL is how long a parked report waits for its message.
const parkedTTL = 24 * time.Hour

// parkedReport is a report waiting for its message's send result.
type parkedReport struct {
	Report Report    `json:"report"`
	Parked time.Time `json:"parked"`
}

func parkedKey(connector, k, pid string) []byte {
	return []byte(kParkedPrefix + connector + "\x00" + k + "\x00" + strings.ToLower(pid))
}

// park keeps r until an id is filed that matches it.
func (w *wtx) park(r Report) error {
	keys := providerKeys(r.ProviderID)
	if len(keys) == 0 {
		return checked{fmt.Errorf("%w: report without a provider id", ErrInvalid)}
	}
	v, err := json.Marshal(parkedReport{Report: r, Parked: w.now})
	if err != nil {
		return err
	}
	b := w.bucket(bMeta)
	for _, k := range keys {
		if err := b.Put(parkedKey(r.Connector, k, r.ProviderID), v); err != nil {
			return err
		}
	}
	w.s.log.Debug("receipt parked until its send result is recorded", "connector", r.Connector, "id", r.ProviderID)
	return nil
}

// claimParked takes the parked reports that a provider id just filed
// names, to apply once the message is saved. A report is claimed when it
// spells the id the same way, or gives the same number in the other base
// where one of the two is plainly hexadecimal (it has a letter a-f) and
// the report is not ExactID: two all-digit ids are both decimal ("16" is
// not the hex reading of "10").
//
// Only a report parked since the attempt started (since) is claimed: one
// that overtook this send's result. One parked before it is for some
// other message (a carrier that gives every bind of a shared system_id
// the receipts, a counter that restarted): it was applied to the next
// message given its id, which the carrier had not even been sent.
func (w *wtx) claimParked(connector, pid string, since time.Time) error {
	b := w.bucket(bMeta)
	hexID := plainlyHex(pid)
	var claimed []Report
	for _, k := range providerKeys(pid) {
		prefix := []byte(kParkedPrefix + connector + "\x00" + k + "\x00")
		c := b.Cursor()
		for key, v := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, v = c.Next() {
			var p parkedReport
			if json.Unmarshal(v, &p) != nil {
				continue
			}
			if p.Parked.Before(since) {
				continue
			}
			dup := slices.ContainsFunc(claimed, func(r Report) bool { return r.ProviderID == p.Report.ProviderID })
			cross := !p.Report.ExactID && (hexID || plainlyHex(p.Report.ProviderID))
			if !dup && (cross || sameProviderID(p.Report.ProviderID, pid)) {
				claimed = append(claimed, p.Report)
			}
		}
	}
	for _, r := range claimed {
		for _, k := range providerKeys(r.ProviderID) {
			if err := b.Delete(parkedKey(connector, k, r.ProviderID)); err != nil {
				return err
			}
		}
	}
	w.parked = append(w.parked, claimed...)
	return nil
}

// plainlyHex says whether a provider id can only be hexadecimal (it has
// a letter a-f or a 0x prefix), so that a decimal receipt for the same
// number is its receipt.
func plainlyHex(pid string) bool { return strings.ContainsAny(strings.ToLower(pid), "abcdefx") }

// applyParked applies the reports claimed in this transaction.
func (w *wtx) applyParked() error {
	for len(w.parked) > 0 {
		r := w.parked[0]
		w.parked = w.parked[1:]
		_, err := w.applyReport(r)
		if errors.Is(err, ErrNotFound) {
			err = w.park(r) // claimed twice in one transaction: still waiting
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dropParked deletes parked reports older than cutoff.
func dropParked(b *bolt.Bucket, cutoff time.Time) (int, error) {
	c := b.Cursor()
	var old [][]byte
	n := 0
	for k, v := c.Seek([]byte(kParkedPrefix)); k != nil && bytes.HasPrefix(k, []byte(kParkedPrefix)); k, v = c.Next() {
		var p parkedReport
		if json.Unmarshal(v, &p) != nil || p.Parked.Before(cutoff) {
			old = append(old, append([]byte(nil), k...))
		}
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
