package pdu

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxSegments is the most parts a concatenated message can have (the
// total is one octet in the concatenation element).
const MaxSegments = 255

// Options choose how a text is encoded.
type Options struct {
	// Encoding forces GSM7 or UCS2; EncodingAuto picks whichever needs the
	// fewest segments.
	Encoding Encoding
	// Languages lists the national language shift tables (TS 23.038
	// Annex A) that may be used. Operators and handsets differ in which
	// they support, so none is used unless listed.
	Languages []Language
	// Ref16 uses 16-bit concatenation references (IE 0x08), which leaves
	// one septet or character less per segment than 8-bit ones (IE 0x00).
	Ref16 bool
}

// Plan is the encoding chosen for a text and what it costs. PlanText
// computes it without encoding, for previews and billing; Split encodes.
type Plan struct {
	Encoding Encoding
	Locking  Language // GSM7: the locking-shift table (LangDefault: none)
	Single   Language // GSM7: the single-shift table (LangDefault: none)
	Ref16    bool     // concatenation references are 16-bit
	Segments int      // parts needed, 1..255
	// Units is the length of the text in septets (GSM7, escapes counted),
	// UTF-16 code units (UCS2) or octets (Binary).
	Units int
	// PerSegment is the capacity of each part in the same units: 160, 153
	// or 152 septets, 70, 67 or 66 characters, less what shift-table
	// elements take.
	PerSegment int
	// Free is how many units the last part could still take.
	Free int
}

// String summarises the plan, for example "gsm7 3 segments (306 septets)".
func (p Plan) String() string {
	enc := p.Encoding.String()
	if p.Locking != LangDefault || p.Single != LangDefault {
		enc += fmt.Sprintf(" (locking %s, single %s)", p.Locking, p.Single)
	}
	return fmt.Sprintf("%s, %d segment(s), %d units", enc, p.Segments, p.Units)
}

// counter simulates the greedy split of a unit stream in which a character
// takes one or two units that must stay in the same segment.
type counter struct {
	cap1, capN   int // capacity of a lone segment and of each concatenated one
	total, used  int
	segs         int
	unencodable  bool
	ies          int // shift-table elements
	lock, single Language
}

func newCounter(enc Encoding, shiftIEs int, ref16 bool) counter {
	hl := 0
	if shiftIEs > 0 {
		hl = 1 + 3*shiftIEs
	}
	cl := 5
	if ref16 {
		cl = 6
	}
	hlN := hl + cl
	if hl == 0 {
		hlN = 1 + cl
	}
	c := counter{segs: 1, ies: shiftIEs}
	c.cap1, c.capN = capacity(enc, hl), capacity(enc, hlN)
	return c
}

// capacity is how many units fit in TP-UD after a header of hl octets.
func capacity(enc Encoding, hl int) int {
	switch enc {
	case GSM7:
		return (maxUD*8 - hl*8) / 7
	case UCS2:
		return (maxUD - hl) / 2
	}
	return maxUD - hl
}

func (c *counter) add(cost int) {
	c.total += cost
	if c.used+cost > c.capN {
		c.segs++
		c.used = cost
		return
	}
	c.used += cost
}

func (c *counter) plan(enc Encoding, ref16 bool) Plan {
	p := Plan{Encoding: enc, Locking: c.lock, Single: c.single, Ref16: ref16, Units: c.total}
	if c.total <= c.cap1 {
		p.Segments, p.PerSegment, p.Free = 1, c.cap1, c.cap1-c.total
		return p
	}
	p.Segments, p.PerSegment, p.Free = c.segs, c.capN, c.capN-c.used
	return p
}

// PlanText chooses the encoding of text and counts its segments exactly,
// without encoding it. With EncodingAuto it picks the fewest segments;
// on a tie the default GSM 7-bit alphabet wins, then UCS-2 (which every
// handset renders), then the national shift tables, fewest elements first.
func PlanText(text string, o Options) (Plan, error) {
	p, err := planText(text, o)
	if err == nil && p.Segments > MaxSegments {
		return Plan{}, errSegments(p)
	}
	return p, err
}

func planText(text string, o Options) (Plan, error) {
	if !utf8.ValidString(text) {
		return Plan{}, fmt.Errorf("pdu: %w", ErrInvalidUTF8)
	}
	switch o.Encoding {
	case UCS2:
		return planUCS2(text, o.Ref16), nil
	case Binary:
		return Plan{}, fmt.Errorf("pdu: plan 8-bit data with PlanBinary: %w", ErrInvalid)
	case GSM7, EncodingAuto:
	default:
		return Plan{}, fmt.Errorf("pdu: %v: %w", o.Encoding, ErrInvalid)
	}
	best, ok := planGSM7(text, o)
	if o.Encoding == GSM7 {
		if !ok {
			return Plan{}, unencodable(text, o.Languages)
		}
		return best, nil
	}
	if ok && best.Locking == LangDefault && best.Single == LangDefault {
		return best, nil // nothing beats the default alphabet: shift tables only add header
	}
	u := planUCS2(text, o.Ref16)
	if !ok || u.Segments <= best.Segments {
		return u, nil
	}
	return best, nil
}

// planGSM7 returns the best GSM 7-bit plan and whether the text is
// encodable at all. The default alphabet is tried first and wins ties.
func planGSM7(text string, o Options) (Plan, bool) {
	def := countGSM7(text, LangDefault, LangDefault, o.Ref16)
	if !def.unencodable && def.total <= def.cap1 {
		return def.plan(GSM7, o.Ref16), true // one segment: cannot do better
	}
	var best *counter
	if !def.unencodable {
		best = &def
	}
	locks, singles := []Language{LangDefault}, []Language{LangDefault}
	for _, l := range o.Languages {
		if l.HasLockingShift() && !slices.Contains(locks, l) {
			locks = append(locks, l)
		}
		if l.HasSingleShift() && !slices.Contains(singles, l) {
			singles = append(singles, l)
		}
	}
	for _, lk := range locks {
		for _, sg := range singles {
			if lk == LangDefault && sg == LangDefault {
				continue
			}
			c := countGSM7(text, lk, sg, o.Ref16)
			if c.unencodable {
				continue
			}
			if best == nil || better(&c, best) {
				cc := c
				best = &cc
			}
		}
	}
	if best == nil {
		return def.plan(GSM7, o.Ref16), false
	}
	return best.plan(GSM7, o.Ref16), true
}

// better reports whether a beats b: fewer segments, then fewer header
// elements, then more room left.
func better(a, b *counter) bool {
	pa, pb := a.plan(GSM7, false), b.plan(GSM7, false)
	if pa.Segments != pb.Segments {
		return pa.Segments < pb.Segments
	}
	if a.ies != b.ies {
		return a.ies < b.ies
	}
	return pa.Free > pb.Free
}

func countGSM7(text string, lock, single Language, ref16 bool) counter {
	ies := 0
	if lock != LangDefault {
		ies++
	}
	if single != LangDefault {
		ies++
	}
	c := newCounter(GSM7, ies, ref16)
	c.lock, c.single = lock, single
	lt, st := encoders(lock, single)
	for _, r := range text {
		cost := septetCost(r, lt, st)
		if cost == 0 {
			c.unencodable = true
			return c
		}
		c.add(cost)
	}
	return c
}

func planUCS2(text string, ref16 bool) Plan {
	c := newCounter(UCS2, 0, ref16)
	for _, r := range text {
		c.add(utf16Len(r))
	}
	return c.plan(UCS2, ref16)
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// PlanBinary counts the segments of 8-bit data sent after a caller's
// header (for example application ports). It fails if the header leaves
// no room, or if more than MaxSegments parts are needed.
func PlanBinary(data []byte, udh UDH, ref16 bool) (Plan, error) {
	hl := udh.Len()
	cl := 5
	if ref16 {
		cl = 6
	}
	hlN := hl + cl
	if hl == 0 {
		hlN = 1 + cl
	}
	p := Plan{Encoding: Binary, Ref16: ref16, Units: len(data)}
	if cap1 := capacity(Binary, hl); len(data) <= cap1 {
		p.Segments, p.PerSegment, p.Free = 1, cap1, cap1-len(data)
		return p, nil
	}
	capN := capacity(Binary, hlN)
	if capN <= 0 {
		return Plan{}, fmt.Errorf("pdu: a %d-octet header leaves no room for data: %w", hl, ErrTooLong)
	}
	p.PerSegment = capN
	p.Segments = (len(data) + capN - 1) / capN
	p.Free = p.Segments*capN - len(data)
	if p.Segments > MaxSegments {
		return Plan{}, fmt.Errorf("pdu: %d octets need %d segments, at most %d: %w", len(data), p.Segments, MaxSegments, ErrTooLong)
	}
	return p, nil
}

// unencodable explains why no GSM 7-bit table pair can carry text: it
// names the first character outside the default alphabet and the tables
// that were allowed.
func unencodable(text string, langs []Language) error {
	lt, st := encoders(LangDefault, LangDefault)
	allowed := "none"
	if len(langs) > 0 {
		names := make([]string, len(langs))
		for i, l := range langs {
			names[i] = l.String()
		}
		allowed = strings.Join(names, ", ")
	}
	for i, r := range text {
		if septetCost(r, lt, st) == 0 {
			return fmt.Errorf("pdu: text is not in the GSM 7-bit default alphabet (%q, U+%04X, at byte %d) and no allowed national table pair covers it all (allowed: %s): %w", r, r, i, allowed, ErrUnencodable)
		}
	}
	return fmt.Errorf("pdu: no allowed national table pair covers the whole text (allowed: %s): %w", allowed, ErrUnencodable)
}
