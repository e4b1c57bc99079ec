package spool

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"

	bolt "go.etcd.io/bbolt"
)

// Reading bbolt's pages from the file itself, not through its memory
// map: bbolt trusts the offsets and lengths in a page, so a damaged
// element makes it read outside the map (a fault, not a panic). Check
// uses this to find such pages before anything reads them, and Salvage
// to read the leaves a damaged branch hides. The layout (bbolt 1.x): a
// 16-byte header (id u64, flags u16, count u16, overflow u32), then count
// 16-byte elements; a leaf element is flags u32, pos u32, ksize u32,
// vsize u32, a branch element pos u32, ksize u32, pgid u64; pos counts
// from the element itself.
const (
	pageHeader  = 16
	pageElement = 16
	branchPage  = 0x01
	leafPage    = 0x02
)

// rawPage is one page and its overflow, as read from the file.
type rawPage struct {
	flags uint16
	count int
	b     []byte
}

// span is the bytes of element i's key and value (a branch has none),
// false if they do not fit the page.
func (p rawPage) span(i int) (kstart, ksize, vsize int, ok bool) {
	e := p.b[pageHeader+i*pageElement:]
	pos, ksz := int(binary.LittleEndian.Uint32(e[4:])), int(binary.LittleEndian.Uint32(e[8:]))
	if p.flags == branchPage {
		pos, ksz = int(binary.LittleEndian.Uint32(e)), int(binary.LittleEndian.Uint32(e[4:]))
	} else {
		vsize = int(binary.LittleEndian.Uint32(e[12:]))
	}
	kstart = pageHeader + i*pageElement + pos
	ok = pos >= 0 && ksz >= 0 && vsize >= 0 && kstart+ksz+vsize <= len(p.b) && kstart >= pageHeader+p.count*pageElement
	return kstart, ksz, vsize, ok
}

// leaf is element i of a leaf page: its key and value, if it is a plain
// key (not a bucket) and fits the page.
func (p rawPage) leaf(i int) (k, v []byte, ok bool) {
	start, ksz, vsz, ok := p.span(i)
	if !ok || binary.LittleEndian.Uint32(p.b[pageHeader+i*pageElement:]) != 0 {
		return nil, nil, false
	}
	return p.b[start : start+ksz], p.b[start+ksz : start+ksz+vsz], true
}

// eachPage calls fn with every branch and leaf page of the file at path
// that tx does not count free, in order, skipping pages whose header
// does not fit the file.
func eachPage(tx *bolt.Tx, path string, fn func(id int64, p rawPage)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	ps := int64(tx.DB().Info().PageSize)
	head := make([]byte, pageHeader)
	for id := int64(2); (id+1)*ps <= fi.Size(); id++ {
		if _, err := f.ReadAt(head, id*ps); err != nil {
			return err
		}
		flags := binary.LittleEndian.Uint16(head[8:])
		count := int(binary.LittleEndian.Uint16(head[10:]))
		overflow := int64(binary.LittleEndian.Uint32(head[12:]))
		if flags != leafPage && flags != branchPage || (id+1+overflow)*ps > fi.Size() ||
			pageHeader+count*pageElement > int((1+overflow)*ps) {
			continue
		}
		free := false
		if _, _, ok := tryStep(func() ([]byte, []byte) {
			p, err := tx.Page(int(id))
			free = err == nil && p != nil && p.Type == "free" // unknown: in use
			return nil, nil
		}); !ok || free {
			id += overflow
			continue
		}
		b := make([]byte, (1+overflow)*ps)
		if _, err := f.ReadAt(b, id*ps); err != nil {
			return err
		}
		fn(id, rawPage{flags: flags, count: count, b: b})
		id += overflow
	}
	return nil
}

// treeProblems walks the page tree from the file itself, the way bbolt
// would, and lists what would make bbolt read outside the file, hang or
// overflow its stack (no recover catches those): a page whose header is
// not its own (wrong id, a type that is not a tree page, an overflow past
// the end of the file), an element that does not fit its page, a page
// that two pages point to or that leads back to itself. It starts from
// the root of the newer valid meta page; it needs no bolt transaction.
//
// loops says that a walk would go round or too deep: bbolt's cursors
// would then overflow the stack.
func treeProblems(path string, max int) (found []string, loops bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	add := func(format string, args ...any) {
		if len(found) < max {
			found = append(found, fmt.Sprintf(format, args...))
		}
	}
	ps, root, ok := activeMeta(f)
	if !ok {
		add("no valid meta page")
		return found, false, nil
	}
	pages := fi.Size() / ps
	seen := map[int64]bool{}
	var walk func(id int64, depth int)
	walk = func(id int64, depth int) {
		if len(found) >= max {
			return
		}
		switch {
		case id < 2 || id >= pages:
			add("page %d: out of the file (%d pages)", id, pages)
			return
		case seen[id]:
			add("page %d: pointed to twice, or the tree loops back to it", id)
			loops = true
			return
		case depth > 64:
			add("page %d: the tree is deeper than any real one", id)
			loops = true
			return
		}
		seen[id] = true
		head := make([]byte, pageHeader)
		if _, err := f.ReadAt(head, id*ps); err != nil {
			add("page %d: %v", id, err)
			return
		}
		flags := binary.LittleEndian.Uint16(head[8:])
		count := int(binary.LittleEndian.Uint16(head[10:]))
		overflow := int64(binary.LittleEndian.Uint32(head[12:]))
		switch {
		case int64(binary.LittleEndian.Uint64(head)) != id:
			add("page %d: its header names page %d", id, binary.LittleEndian.Uint64(head))
			return
		case flags != branchPage && flags != leafPage:
			add("page %d: not a tree page (type %#x)", id, flags)
			return
		case id+1+overflow > pages || pageHeader+count*pageElement > int((1+overflow)*ps):
			add("page %d: its header does not fit the file", id)
			return
		}
		for o := int64(1); o <= overflow; o++ {
			seen[id+o] = true
		}
		p := rawPage{flags: flags, count: count, b: make([]byte, (1+overflow)*ps)}
		if _, err := f.ReadAt(p.b, id*ps); err != nil {
			add("page %d: %v", id, err)
			return
		}
		for i := range count {
			start, ksz, vsz, ok := p.span(i)
			if !ok {
				add("page %d: element %d does not fit the page", id, i)
				return
			}
			e := p.b[pageHeader+i*pageElement:]
			switch {
			case flags == branchPage:
				walk(int64(binary.LittleEndian.Uint64(e[8:])), depth+1)
			case binary.LittleEndian.Uint32(e)&0x01 != 0 && vsz >= 16: // a nested bucket
				if child := int64(binary.LittleEndian.Uint64(p.b[start+ksz:])); child != 0 {
					walk(child, depth+1)
				}
			}
		}
	}
	walk(root, 0)
	return found, loops, nil
}

// activeMeta reads the two meta pages and returns the page size and the
// root page of the newer one whose checksum holds.
func activeMeta(f *os.File) (pageSize, root int64, ok bool) {
	var best uint64
	for _, off := range []int64{0, -1} {
		if off < 0 { // the second meta page sits one page size in
			off = pageSize
			if off == 0 { // the first is damaged: bbolt's default
				off = int64(os.Getpagesize())
			}
		}
		b := make([]byte, pageHeader+64)
		if _, err := f.ReadAt(b, off); err != nil {
			continue
		}
		m := b[pageHeader:]
		// magic, version, page size, flags, root (pgid, sequence),
		// freelist, pgid, txid, checksum (FNV-1a 64 of what precedes it)
		if binary.LittleEndian.Uint32(m) != 0xED0CDAED || binary.LittleEndian.Uint32(m[4:]) != 2 {
			continue
		}
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != binary.LittleEndian.Uint64(m[56:]) {
			continue
		}
		if pageSize == 0 {
			pageSize = int64(binary.LittleEndian.Uint32(m[8:]))
		}
		if txid := binary.LittleEndian.Uint64(m[48:]); !ok || txid > best {
			best, root, ok = txid, int64(binary.LittleEndian.Uint64(m[16:])), true
		}
	}
	return pageSize, root, ok
}
