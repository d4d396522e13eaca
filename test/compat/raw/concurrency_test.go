// Proves BatchCommands multiplexing is correct under load: many goroutines share the client's
// batch streams, and every response is matched to its own request (request ids honoured, no
// cross-talk between concurrent gets, puts and batch gets).
package raw

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
)

const (
	concurrentWorkers      = 64
	concurrentOpsPerWorker = 60
)

func TestRawConcurrentBatchCommands(t *testing.T) {
	t.Logf("proves: %d goroutines x %d put/get/batch-get rounds over one client (BatchCommands streams shared) each read back exactly their own values", concurrentWorkers, concurrentOpsPerWorker)
	pg := shared.Get(t)
	c := cluster.NewRawClient(t, pg.PDAddr, false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	errs := make(chan error, concurrentWorkers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrentWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < concurrentOpsPerWorker; i++ {
				k := []byte(fmt.Sprintf("cc/%02d/%04d", w, i))
				v := []byte(fmt.Sprintf("worker %d op %d", w, i))
				if err := c.Put(ctx, k, v); err != nil {
					errs <- fmt.Errorf("worker %d Put: %w", w, err)
					return
				}
				got, err := c.Get(ctx, k)
				if err != nil || !bytes.Equal(got, v) {
					errs <- fmt.Errorf("worker %d Get(%q) = %q, %v; want %q (response of another request?)", w, k, got, err, v)
					return
				}
				if i > 0 {
					prev := []byte(fmt.Sprintf("cc/%02d/%04d", w, i-1))
					vals, err := c.BatchGet(ctx, [][]byte{k, prev})
					if err != nil || len(vals) != 2 || !bytes.Equal(vals[0], v) || !bytes.Equal(vals[1], []byte(fmt.Sprintf("worker %d op %d", w, i-1))) {
						errs <- fmt.Errorf("worker %d BatchGet = %q, %v", w, vals, err)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ops := concurrentWorkers * concurrentOpsPerWorker * 3
	t.Logf("%d raw operations in %s", ops, time.Since(start).Round(time.Millisecond))
}
