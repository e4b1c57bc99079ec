package cmd

import "testing"

func TestGCLimit(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name  string
		env   map[string]string
		ram   uint64
		limit int64
	}{
		{"24 GiB: at most 1 GiB", nil, 24 << 30, 1 << 30},
		{"a quarter of a small box", nil, 1 << 30, 256 << 20},
		{"RAM unknown", nil, 0, 512 << 20},
		{"GOMEMLIMIT set: left alone", map[string]string{"GOMEMLIMIT": "200MiB"}, 1 << 30, 0},
	} {
		if l := gcLimit(env(tc.env), tc.ram); l != tc.limit {
			t.Errorf("%s: got %d; want %d", tc.name, l, tc.limit)
		}
	}
	if p := gcTarget(env(nil)); p != 400 {
		t.Errorf("GOGC unset: gcTarget %d; want 400", p)
	}
	if p := gcTarget(env(map[string]string{"GOGC": "100"})); p != 0 {
		t.Errorf("GOGC set: gcTarget %d; want 0 (left alone)", p)
	}
	if memTotal() == 0 {
		t.Error("memTotal: no MemTotal in /proc/meminfo")
	}
}
