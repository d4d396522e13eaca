// Proves durability: every write the official client saw acknowledged (raw puts and txn
// commits) is readable with its value after the store process is killed with SIGKILL and
// restarted on the same data directory (PD keeps running).
package crash

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	tikverr "github.com/tikv/client-go/v2/error"
	"github.com/tikv/client-go/v2/rawkv"
)

const (
	crashWriters     = 16
	crashWriteFor    = 2 * time.Second
	crashReadTimeout = 2 * time.Minute
)

// node is a PD + store pair started as separate processes so only the store can be killed.
type node struct {
	dir                             string
	pd, tikv                        *cluster.Process
	pdAddr                          string
	tikvPort, statusPort, restarted int
}

func startNode(t *testing.T) *node {
	t.Helper()
	dir, err := os.MkdirTemp("", "compat-crash-")
	if err != nil {
		t.Fatal(err)
	}
	n := &node{dir: dir}
	t.Cleanup(func() {
		if n.tikv != nil {
			_ = n.tikv.Stop()
		}
		if n.pd != nil {
			_ = n.pd.Stop()
		}
		if t.Failed() {
			for _, p := range []*cluster.Process{n.pd, n.tikv} {
				if p != nil {
					t.Logf("--- %s log tail (%s) ---\n%s", p.Name, p.LogPath, p.LogTail())
				}
			}
		}
		if os.Getenv("COMPAT_KEEP_DATA") == "" {
			os.RemoveAll(dir)
		}
	})
	pdPort := mustPort(t)
	n.pd, n.pdAddr, err = cluster.StartPD(pdPort, filepath.Join(dir, "pd"), filepath.Join(dir, "pd.log"))
	if err != nil {
		t.Fatalf("start pd_server: %v", err)
	}
	n.tikvPort, n.statusPort = mustPort(t), mustPort(t)
	n.startTiKV(t)
	return n
}

func (n *node) startTiKV(t *testing.T) {
	t.Helper()
	var err error
	logPath := filepath.Join(n.dir, fmt.Sprintf("tikv-%d.log", n.restarted))
	n.tikv, _, err = cluster.StartTiKV(n.pdAddr, n.tikvPort, n.statusPort, filepath.Join(n.dir, "tikv"), logPath)
	if err != nil {
		t.Fatalf("start tikv_server (start #%d): %v", n.restarted+1, err)
	}
	n.restarted++
}

func mustPort(t *testing.T) int {
	p, err := cluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ack is one acknowledged write.
type ack struct{ key, value []byte }

// writeUntilKilled runs crashWriters goroutines calling write with unique keys; after
// crashWriteFor it SIGKILLs the store and returns the writes that were acknowledged.
func writeUntilKilled(t *testing.T, n *node, write func(ctx context.Context, k, v []byte) error) []ack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var acked []ack
	var wg sync.WaitGroup
	for w := 0; w < crashWriters; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				k := []byte(fmt.Sprintf("crash/w%02d/%07d", w, i))
				v := bytes.Repeat([]byte(fmt.Sprintf("v%d.%d;", w, i)), 1+i%40) // some values > 255 bytes
				opCtx, opCancel := context.WithTimeout(ctx, 5*time.Second)
				err := write(opCtx, k, v)
				opCancel()
				if err != nil {
					return // the store is gone (or failing): stop this writer
				}
				mu.Lock()
				acked = append(acked, ack{k, v})
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(crashWriteFor)
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	n.tikv.Kill9()
	t.Logf("SIGKILLed tikv_server with %d writes acknowledged so far", before)
	cancel()
	wg.Wait()
	return acked
}

func TestCrashRawPutsSurviveKill9(t *testing.T) {
	t.Logf("proves: raw puts acknowledged to %d concurrent writers are all readable with their values after kill -9 of tikv_server and a restart on the same data dir", crashWriters)
	n := startNode(t)
	ctx := context.Background()
	c, err := rawkv.NewClientWithOpts(ctx, []string{n.pdAddr})
	if err != nil {
		t.Fatalf("rawkv client: %v", err)
	}
	defer c.Close()
	acked := writeUntilKilled(t, n, func(ctx context.Context, k, v []byte) error { return c.Put(ctx, k, v) })
	if len(acked) == 0 {
		t.Fatalf("no raw put was acknowledged in %s before the kill", crashWriteFor)
	}
	n.startTiKV(t)
	verify(t, len(acked), func(ctx context.Context, i int) error {
		got, err := c.Get(ctx, acked[i].key)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, acked[i].value) {
			return fmt.Errorf("acknowledged key %q reads back as %d bytes %q..., want %d bytes", acked[i].key, len(got), head(got), len(acked[i].value))
		}
		return nil
	})
	t.Logf("all %d acknowledged raw puts survived", len(acked))
	if err := c.Put(ctx, []byte("crash/after"), []byte("ok")); err != nil {
		t.Fatalf("put after restart: %v", err)
	}
}

func TestCrashTxnCommitsSurviveKill9(t *testing.T) {
	t.Logf("proves: transactions (two keys each, 2PC) acknowledged as committed are all readable after kill -9 of tikv_server and a restart; none is half-visible")
	n := startNode(t)
	c, err := cluster.NewTxnClientErr(n.pdAddr)
	if err != nil {
		t.Fatalf("txnkv client: %v", err)
	}
	defer c.Close()
	acked := writeUntilKilled(t, n, func(ctx context.Context, k, v []byte) error {
		txn, err := c.Begin()
		if err != nil {
			return err
		}
		_ = txn.Set(k, v)
		_ = txn.Set(append(append([]byte{}, k...), "/twin"...), v)
		return txn.Commit(ctx)
	})
	if len(acked) == 0 {
		t.Fatalf("no transaction was acknowledged in %s before the kill", crashWriteFor)
	}
	n.startTiKV(t)
	verify(t, len(acked), func(ctx context.Context, i int) error {
		ts, err := c.GetTimestamp(ctx)
		if err != nil {
			return err
		}
		snap := c.GetSnapshot(ts)
		for _, k := range [][]byte{acked[i].key, append(append([]byte{}, acked[i].key...), "/twin"...)} {
			got, err := snap.Get(ctx, k)
			if tikverr.IsErrNotFound(err) {
				return fmt.Errorf("acknowledged committed key %q is missing after restart", k)
			}
			if err != nil {
				return err
			}
			if !bytes.Equal(got, acked[i].value) {
				return fmt.Errorf("acknowledged key %q reads back %q..., want %d bytes", k, head(got), len(acked[i].value))
			}
		}
		return nil
	})
	t.Logf("all %d acknowledged transactions survived", len(acked))
}

// verify checks items [0,n) with a few goroutines; the first failure fails the test.
func verify(t *testing.T, n int, check func(ctx context.Context, i int) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), crashReadTimeout)
	defer cancel()
	const readers = 8
	errs := make(chan error, readers)
	for r := 0; r < readers; r++ {
		go func(r int) {
			for i := r; i < n; i += readers {
				if err := check(ctx, i); err != nil {
					errs <- fmt.Errorf("item %d: %w", i, err)
					return
				}
			}
			errs <- nil
		}(r)
	}
	for r := 0; r < readers; r++ {
		if err := <-errs; err != nil {
			t.Fatalf("after restart: %v", err)
		}
	}
}

func head(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}
