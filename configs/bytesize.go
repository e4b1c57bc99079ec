package configs

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ByteSize is a size in bytes. In the file it is a whole number of bytes
// or a number with a unit: KB, MB, GB, TB (powers of 1000) or KiB, MiB,
// GiB, TiB (powers of 1024), e.g. "4GiB".
type ByteSize int64

var byteUnits = []struct {
	suffix string
	mult   float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// ParseByteSize reads a size such as "512MiB", "4GB" or "1048576".
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || math.IsNaN(f) || f*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("want a size such as 512MiB or 4GiB, got %q", s)
	}
	return ByteSize(f * mult), nil
}

// String formats b with the largest binary unit that divides it.
func (b ByteSize) String() string {
	for i := 3; i >= 0; i-- {
		u := byteUnits[i]
		if b != 0 && int64(b)%int64(u.mult) == 0 {
			return strconv.FormatInt(int64(b)/int64(u.mult), 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// Human is the size for people, to one decimal: "1.5 GiB", "320.0 MiB",
// "4.0 KiB", "512 B".
func (b ByteSize) Human() string {
	for i := 3; i >= 0; i-- { // TiB down to KiB
		if u := byteUnits[i]; int64(b) >= int64(u.mult) {
			return fmt.Sprintf("%.1f %s", float64(b)/float64(u.mult), u.suffix)
		}
	}
	return fmt.Sprintf("%d B", int64(b))
}
