// Proves our pd_server speaks to the official Go PD client (the one client-go v2.0.7 pins) and
// to the etcd v3 client txnkv uses for the GC safe point, and that it exits cleanly on SIGTERM.
package pd

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	"github.com/tikv/client-go/v2/oracle"
	pd "github.com/tikv/pd/client"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func TestPDOfficialClients(t *testing.T) {
	t.Log("proves: pd_server starts on a fresh dir, the official PD client connects (GetMembers/cluster id), TSO is strictly increasing with a physical part near wall time, GC safe point only moves forward, and the etcd client reads/writes /tidb/store/gcworker/saved_safe_point; SIGTERM exits 0")
	dir := t.TempDir()
	port, err := cluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	proc, addr, err := cluster.StartPD(port, filepath.Join(dir, "pd"), filepath.Join(dir, "pd.log"))
	if err != nil {
		t.Fatalf("start pd_server: %v", err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = proc.Stop()
		}
		if t.Failed() {
			t.Logf("pd_server log tail:\n%s", proc.LogTail())
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	c, err := pd.NewClientWithContext(ctx, []string{addr}, pd.SecurityOption{})
	if err != nil {
		t.Fatalf("pd.NewClient: %v", err)
	}
	defer c.Close()
	if id := c.GetClusterID(ctx); id == 0 {
		t.Fatalf("cluster id is 0")
	}
	var last uint64
	for i := 0; i < 200; i++ {
		p, l, err := c.GetTS(ctx)
		if err != nil {
			t.Fatalf("GetTS #%d: %v", i, err)
		}
		ts := oracle.ComposeTS(p, l)
		if ts <= last {
			t.Fatalf("TSO went backwards or repeated: %d after %d", ts, last)
		}
		last = ts
	}
	if skew := time.Since(oracle.GetTimeFromTS(last)); skew > 5*time.Second || skew < -5*time.Second {
		t.Errorf("TSO physical time is %s away from the wall clock", skew)
	}
	// Concurrent async TSO requests are batched by the client into one stream request.
	futures := make([]pd.TSFuture, 64)
	for i := range futures {
		futures[i] = c.GetTSAsync(ctx)
	}
	seen := map[uint64]bool{}
	for i, f := range futures {
		p, l, err := f.Wait()
		if err != nil {
			t.Fatalf("GetTSAsync #%d: %v", i, err)
		}
		ts := oracle.ComposeTS(p, l)
		if seen[ts] || ts <= last {
			t.Fatalf("batched TSO returned a duplicate or stale ts %d", ts)
		}
		seen[ts] = true
	}
	if _, err := c.GetAllStores(ctx); err != nil {
		t.Fatalf("GetAllStores: %v", err)
	}
	sp, err := c.UpdateGCSafePoint(ctx, last)
	if err != nil || sp != last {
		t.Fatalf("UpdateGCSafePoint(%d) = %d, %v", last, sp, err)
	}
	if sp, err := c.UpdateGCSafePoint(ctx, last-100); err != nil || sp != last {
		t.Fatalf("UpdateGCSafePoint(lower) = %d, %v; want %d kept", sp, err, last)
	}

	etcd, err := clientv3.New(clientv3.Config{Endpoints: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	defer etcd.Close()
	const key = "/tidb/store/gcworker/saved_safe_point"
	if resp, err := etcd.Get(ctx, key); err != nil || len(resp.Kvs) != 0 {
		t.Fatalf("etcd Get(%s) on a fresh PD = %v, %v; want no key", key, resp, err)
	}
	if _, err := etcd.Put(ctx, key, "12345"); err != nil {
		t.Fatalf("etcd Put: %v", err)
	}
	if resp, err := etcd.Get(ctx, key); err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "12345" {
		t.Fatalf("etcd Get after Put = %v, %v", resp, err)
	}

	c.Close()
	etcd.Close()
	stopped = true
	if err := proc.Stop(); err != nil {
		t.Fatalf("pd_server did not exit cleanly on SIGTERM: %v", err)
	}
	_ = os.Remove(filepath.Join(dir, "pd.log"))
}
