package spool

import (
	"github.com/oklog/ulid/v2"
)

// The helpers in this file keep a message record and all its index
// entries together: every state change goes through save, in one
// transaction.

// bkey names one key in one bucket.
type bkey struct{ bucket, key []byte }

// snapshot is what the indexes hold for a message before a change.
type snapshot struct {
	state State
	queue []byte // its queue key, nil when not queued
}

func snap(id ulid.ULID, m *Message) snapshot {
	sn := snapshot{state: m.State}
	if inQueue(m.State) {
		sn.queue = queueKey(m.Priority, m.NextAt, id)
	}
	return sn
}

// inQueue: queued messages wait for their next attempt, sending ones
// for their lease deadline, both in the queue bucket.
func inQueue(s State) bool { return s == StateQueued || s == StateSending }

// load reads a message for change.
func (w *wtx) load(id ulid.ULID) (*Message, snapshot, error) {
	m, err := w.s.getMessage(w.tx, id)
	if err != nil {
		return nil, snapshot{}, err
	}
	before := snap(id, m)
	w.adjustForSteps(m)
	return m, before, nil
}

// insert stores a new message and its index entries. rec is its encoded
// form when the caller already has it (Enqueue encodes outside the
// commit loop).
func (w *wtx) insert(id ulid.ULID, m *Message, rec []byte) error {
	var err error
	if rec == nil {
		if rec, err = encodeMessage(m); err != nil {
			return err
		}
	}
	if err := w.bucket(bMsgs).Put(id[:], rec); err != nil {
		return err
	}
	if c := w.s.msgCache; !inQueue(m.State) || c.worthKeeping(w.queued()) {
		c.put(id, rec, m)
	}
	if err := w.bucket(bState).Put(stateKey(m.State, id), nil); err != nil {
		return err
	}
	if err := w.bucket(bTenant).Put(strKey(&id, m.Tenant), []byte(m.To)); err != nil {
		return err
	}
	w.rcptAdd = append(w.rcptAdd, rcptEntry{m.To, id})
	if m.ClientRef != "" {
		if err := w.bucket(bRef).Put(strKey(&id, m.Tenant, m.ClientRef), nil); err != nil {
			return err
		}
	}
	if inQueue(m.State) {
		if err := w.bucket(bQueue).Put(queueKey(m.Priority, m.NextAt, id), nil); err != nil {
			return err
		}
		w.lanes[m.Priority.lane()]++
		w.wake = true
	}
	w.counts[m.State]++
	return nil
}

// queued is how many messages are in the queue (queued or sending),
// this transaction's changes included.
func (w *wtx) queued() int64 {
	var n int64
	for i := range w.lanes {
		n += w.s.lanes[i] + w.lanes[i]
	}
	return n
}

// save writes a changed message and moves its state and queue entries.
func (w *wtx) save(id ulid.ULID, before snapshot, m *Message) error {
	if err := putRecord(w, bMsgs, w.s.msgCache, encodeMessage, id, m); err != nil {
		return err
	}
	if before.state != m.State {
		st := w.bucket(bState)
		if err := st.Delete(stateKey(before.state, id)); err != nil {
			return err
		}
		if err := st.Put(stateKey(m.State, id), nil); err != nil {
			return err
		}
		w.counts[before.state]--
		w.counts[m.State]++
	}
	after := snap(id, m).queue
	if string(after) == string(before.queue) {
		return nil
	}
	q := w.bucket(bQueue)
	if before.queue != nil {
		if err := q.Delete(before.queue); err != nil {
			return err
		}
		w.lanes[before.queue[0]]--
	}
	if after != nil {
		if err := q.Put(after, nil); err != nil {
			return err
		}
		w.lanes[after[0]]++
		if !m.NextAt.After(w.now) {
			w.wake = true
		}
	}
	return nil
}

// remove deletes a message and every index entry that names it
// (retention).
func (w *wtx) remove(id ulid.ULID, m *Message) error {
	sn := snap(id, m)
	dels := []bkey{
		{bMsgs, id[:]},
		{bState, stateKey(m.State, id)},
		{bTenant, strKey(&id, m.Tenant)},
	}
	w.rcptDel = append(w.rcptDel, rcptEntry{m.To, id})
	if m.ClientRef != "" {
		dels = append(dels, bkey{bRef, strKey(&id, m.Tenant, m.ClientRef)})
	}
	if sn.queue != nil {
		dels = append(dels, bkey{bQueue, sn.queue})
		w.lanes[sn.queue[0]]--
	}
	for _, d := range dels {
		if err := w.bucket(d.bucket).Delete(d.key); err != nil {
			return err
		}
	}
	w.counts[m.State]--
	w.s.msgCache.drop(id)
	return w.unfileProviderIDs(id, m)
}
