// Proves GC through the official client: KVStore.GC resolves locks below the safe point and
// advances PD's GC safe point; afterwards the store still serves the newest version at or
// below the safe point and everything after it, and reads below the safe point are rejected
// by client-go once the safe point is published where TiDB publishes it (etcd).
package txn

import (
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	tikverr "github.com/tikv/client-go/v2/error"
	"github.com/tikv/client-go/v2/tikv"
)

func TestTxnGC(t *testing.T) {
	t.Log("proves: after KVStore.GC(safepoint) (lock resolution + PD UpdateGCSafePoint) and a few server GC intervals, reads at/after the safe point see the right versions, deletes before it stay deleted, and a lock left below the safe point is resolved; reports what reads below the safe point return")
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	ctx := opCtx(t)

	commitKV(t, c, "gc/k", "v1", "gc/del", "d1")
	tsV1 := now(t, c)
	commitKV(t, c, "gc/k", "v2")
	txn := begin(t, c)
	_ = txn.Delete([]byte("gc/del"))
	if err := txn.Commit(ctx); err != nil {
		t.Fatalf("delete gc/del: %v", err)
	}
	// A dead transaction's lock below the safe point: GC must resolve it (rolled back after TTL).
	dead := prewriteAndDie(t, c, false, "gc/locked", "never")
	time.Sleep(abandonedLockTTLMs * time.Millisecond)
	safePoint := now(t, c)
	commitKV(t, c, "gc/k", "v3")
	after := now(t, c)

	newSafePoint, err := c.GC(ctx, safePoint)
	if err != nil {
		// Keep going with PD's safe point set directly, so the rest of the test still reports.
		t.Errorf("KVStore.GC(%d): %v", safePoint, err)
		if newSafePoint, err = c.GetPDClient().UpdateGCSafePoint(ctx, safePoint); err != nil {
			t.Fatalf("PD UpdateGCSafePoint(%d): %v", safePoint, err)
		}
	}
	if newSafePoint != safePoint {
		t.Errorf("PD returned safe point %d, want %d", newSafePoint, safePoint)
	}
	t.Logf("GC(%d) -> PD safe point %d; dead txn start_ts=%d", safePoint, newSafePoint, dead.GetStartTS())
	// A lower safe point must not move PD's backwards.
	if sp, err := c.GetPDClient().UpdateGCSafePoint(ctx, safePoint-1000); err != nil || sp != safePoint {
		t.Errorf("UpdateGCSafePoint(lower) = %d, %v; PD must keep %d", sp, err, safePoint)
	}
	// Give the store's GC worker (--gc-interval-ms 1000) time to act on the new safe point.
	time.Sleep(3 * time.Second)

	expectValue(t, c, safePoint, "gc/k", "v2")
	expectValue(t, c, after, "gc/k", "v3")
	expectValue(t, c, now(t, c), "gc/k", "v3")
	expectMissing(t, c, safePoint, "gc/del")
	expectMissing(t, c, now(t, c), "gc/locked")
	// The lock must be gone (resolved by GC), so a writer is not blocked by it.
	commitKV(t, c, "gc/locked", "written-after-gc")

	// Below the safe point: client-go v2.0.7 only checks its cached etcd safe point, which
	// KVStore.GC does not write, so the read goes to the store. TiKV may have removed v1.
	v, err := c.GetSnapshot(tsV1).Get(ctx, []byte("gc/k"))
	t.Logf("read below the safe point (ts %d < %d) before publishing it: value %q, err %v (TiKV returns whatever its GC left: v1 or nothing)", tsV1, safePoint, v, err)

	t.Run("published-safe-point-rejects-old-reads", func(t *testing.T) {
		probe := tikv.StoreProbe{KVStore: c.KVStore}
		// TiDB's GC worker publishes the safe point in PD's etcd; client-go polls it every 10 s.
		if err := probe.SaveSafePoint(safePoint); err != nil {
			t.Fatalf("saving the safe point in PD's etcd (KV Put /tidb/store/gcworker/saved_safe_point): %v", err)
		}
		loaded, err := probe.LoadSafePoint()
		if err != nil || loaded != safePoint {
			t.Fatalf("LoadSafePoint from PD's etcd = %d, %v; want %d", loaded, err, safePoint)
		}
		// Same effect as the 10 s checker tick, without waiting for it.
		c.UpdateSPCache(loaded, time.Now())
		_, err = c.GetSnapshot(tsV1).Get(ctx, []byte("gc/k"))
		var tooEarly *tikverr.ErrGCTooEarly
		if err == nil || !asErr(err, &tooEarly) {
			t.Fatalf("read below the published safe point: err = %v, want ErrGCTooEarly", err)
		}
		t.Logf("read below the published safe point fails as in TiKV+TiDB: %v", err)
		expectValue(t, c, safePoint, "gc/k", "v2")
	})
}
