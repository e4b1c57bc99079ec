package spool

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkEnqueue measures durable enqueues with many concurrent
// submitters (each waits for its own fsync). bench/spoolbench has the
// full set of figures; this one is for profiles:
//
//	go test -run '^$' -bench Enqueue -cpuprofile cpu.out ./spool/
func BenchmarkEnqueue(b *testing.B) {
	for _, par := range []int{1, 64, 128} {
		b.Run(fmt.Sprintf("submitters=%d", par*2), func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "spool.db"), Options{MaxQueued: 10_000_000})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			body := strings.Repeat("Help is on the way. ", 6)
			var n atomic.Int64
			b.SetParallelism(par)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					m := &Message{Tenant: "psap-north", From: "+13195550100", To: fmt.Sprintf("+1319555%04d", i%10000),
						Body: body, Source: "http:cad-1"}
					if _, _, err := s.Enqueue(bg, m); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
