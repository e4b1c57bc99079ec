package policy

import "sync"

// numberCache remembers parseNumber's answers for recent inputs: parsing
// with the phonenumbers metadata (regular expressions per region) was
// 5 % of the gateway's CPU at 1,000 submissions/s, and a PSAP's traffic
// goes to the same numbers again and again. parseNumber depends only on
// its arguments (the metadata is compiled in), so a cached answer is the
// answer. It is bounded by two generations of at most numberCacheSize/2
// entries each (a hit in the old one moves to the new one; a full new
// one drops the old one), and inputs longer than maxCachedNumber are not
// kept, so odd input cannot fill memory.
type numberCache struct {
	mu       sync.Mutex
	cur, old map[numberKey]parsed
}

type numberKey struct {
	raw, region string
	strict      bool
}

type parsed struct {
	n   number
	why string
}

const (
	numberCacheSize = 8192
	maxCachedNumber = 40
)

var numbers numberCache

// parseNumberCached is parseNumber through the cache.
func parseNumberCached(raw, region string, strict bool) (number, string) {
	if len(raw) > maxCachedNumber || len(region) > 8 {
		return parseNumber(raw, region, strict)
	}
	k := numberKey{raw, region, strict}
	if p, ok := numbers.get(k); ok {
		return p.n, p.why
	}
	n, why := parseNumber(raw, region, strict)
	numbers.put(k, parsed{n, why})
	return n, why
}

func (c *numberCache) get(k numberKey) (parsed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.cur[k]; ok {
		return p, true
	}
	p, ok := c.old[k]
	if ok {
		c.putLocked(k, p)
	}
	return p, ok
}

func (c *numberCache) put(k numberKey, p parsed) {
	c.mu.Lock()
	c.putLocked(k, p)
	c.mu.Unlock()
}

func (c *numberCache) putLocked(k numberKey, p parsed) {
	if c.cur == nil || len(c.cur) >= numberCacheSize/2 {
		c.old, c.cur = c.cur, make(map[numberKey]parsed, numberCacheSize/2)
	}
	c.cur[k] = p
}
