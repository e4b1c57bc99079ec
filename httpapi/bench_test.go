package httpapi

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsgw/smsgw/spool"
)

// BenchmarkSubmit submits in parallel through the handler to a real spool
// (each accept waits for its fsync) and reports req/s and the p99 latency.
func BenchmarkSubmit(b *testing.B) {
	s, err := spool.Open(filepath.Join(b.TempDir(), "spool.db"), spool.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	api := New(Options{Keys: testKeys, Logger: discardLogger()}, &fakeBackend{s: s})
	h := api.Handler()
	body := `{"to":"+13195550123","text":"Help is on the way. Stay on the line."}`
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(16) // many clients per core, as the spool's group commit wants
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			req := httptest.NewRequest("POST", "/api/v1/messages", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+keyNorth)
			w := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(w, req)
			mine = append(mine, time.Since(t0))
			if w.Code != http.StatusAccepted {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
