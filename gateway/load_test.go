package gateway

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentSubmits: many applications submitting at once.
func TestConcurrentSubmits(t *testing.T) {
	r := newRig(t, rigOptions{carrierEnabled: true})
	r.waitReady("carrier-a")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				code, body := r.post(testKey, map[string]any{"to": fmt.Sprintf("+1319555%d%03d", w, i), "text": "load"})
				if code != 202 {
					t.Errorf("%d %v", code, body)
					return
				}
			}
		})
	}
	wg.Wait()
}
