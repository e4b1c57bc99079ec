package cmd

import "testing"

func TestGCSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name    string
		env     map[string]string
		ram     uint64
		percent int
		limit   int64
	}{
		{"defaults, 24 GiB", nil, 24 << 30, 400, 1 << 30},
		{"a quarter of a small box", nil, 1 << 30, 400, 256 << 20},
		{"RAM unknown", nil, 0, 400, 512 << 20},
		{"GOGC set: left alone", map[string]string{"GOGC": "100"}, 1 << 30, 0, 256 << 20},
		{"GOMEMLIMIT set: left alone", map[string]string{"GOMEMLIMIT": "200MiB"}, 1 << 30, 400, 0},
		{"both set", map[string]string{"GOGC": "off", "GOMEMLIMIT": "2GiB"}, 1 << 30, 0, 0},
	} {
		p, l := gcSettings(env(tc.env), tc.ram)
		if p != tc.percent || l != tc.limit {
			t.Errorf("%s: got percent %d, limit %d; want %d, %d", tc.name, p, l, tc.percent, tc.limit)
		}
	}
	if memTotal() == 0 {
		t.Error("memTotal: no MemTotal in /proc/meminfo")
	}
}
