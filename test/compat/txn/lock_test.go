// Proves lock handling through the official client: locks left by a client that died after
// prewrite are resolved by later readers (per the primary's fate), and pessimistic locks block,
// time out, refuse no-wait requests and hand over after commit.
package txn

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	"github.com/tikv/client-go/v2/kv"
	"github.com/tikv/client-go/v2/oracle"
	"github.com/tikv/client-go/v2/tikv"
	"github.com/tikv/client-go/v2/txnkv"
	"github.com/tikv/client-go/v2/txnkv/transaction"
)

// abandonedLockTTLMs is the lock TTL of the "dead" transactions: short so readers may roll them back soon.
const abandonedLockTTLMs = 500

// prewriteAndDie prewrites kv (alternating key, value) with the official 2PC committer and
// returns it without committing anything, as if the client process died after prewrite.
func prewriteAndDie(t *testing.T, c *txnkv.Client, asyncCommit bool, kvs ...string) transaction.CommitterProbe {
	t.Helper()
	txn, err := tikv.StoreProbe{KVStore: c.KVStore}.Begin()
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	for i := 0; i < len(kvs); i += 2 {
		_ = txn.Set([]byte(kvs[i]), []byte(kvs[i+1]))
	}
	committer, err := txn.NewCommitter(1)
	if err != nil {
		t.Fatalf("NewCommitter: %v", err)
	}
	committer.SetLockTTL(abandonedLockTTLMs)
	if asyncCommit {
		committer.SetUseAsyncCommit()
		// The window in which the commit ts must fall (what client-go computes from the safe window).
		ts := now(t, c)
		committer.SetMaxCommitTS(oracle.ComposeTS(oracle.ExtractPhysical(ts)+10_000, 0))
	}
	if err := committer.PrewriteAllMutations(opCtx(t)); err != nil {
		t.Fatalf("prewrite: %v", err)
	}
	committer.CloseTTLManager()
	return committer
}

func TestTxnLocksOfDeadClientAreResolved(t *testing.T) {
	t.Log("proves: when a client dies after prewrite, a later reader resolves its locks through CheckTxnStatus/ResolveLock (or CheckSecondaryLocks for async commit): rolled back if the primary never committed, committed if the primary did, committed if every async-commit lock was prewritten; afterwards writers are not blocked")
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)

	t.Run("primary-not-committed", func(t *testing.T) {
		commitKV(t, c, "dead/rb/1", "old1", "dead/rb/2", "old2", "dead/rb/3", "old3")
		committer := prewriteAndDie(t, c, false, "dead/rb/1", "new1", "dead/rb/2", "new2", "dead/rb/3", "new3")
		t.Logf("abandoned txn start_ts=%d primary=%q", committer.GetStartTS(), committer.GetPrimaryKey())
		start := time.Now()
		ts := now(t, c)
		// Secondary first: the reader must look up the primary's status.
		expectValue(t, c, ts, "dead/rb/3", "old3")
		expectValue(t, c, ts, "dead/rb/1", "old1")
		expectValue(t, c, ts, "dead/rb/2", "old2")
		t.Logf("reader resolved the locks (rolled back) after %s", time.Since(start).Round(time.Millisecond))
		// Nothing lingers: a writer succeeds and its value is visible.
		commitKV(t, c, "dead/rb/1", "after1", "dead/rb/2", "after2")
		ts = now(t, c)
		expectValue(t, c, ts, "dead/rb/1", "after1")
		expectValue(t, c, ts, "dead/rb/3", "old3")
		// The dead transaction can no longer commit (its primary was rolled back).
		committer.SetCommitTS(now(t, c))
		if err := committer.CommitMutations(opCtx(t)); err == nil {
			t.Fatalf("committing the rolled-back transaction's primary succeeded; the rollback must be durable")
		} else {
			t.Logf("late commit of the rolled-back primary failed as it must: %v", err)
		}
	})

	t.Run("primary-committed", func(t *testing.T) {
		commitKV(t, c, "dead/cm/1", "old1", "dead/cm/2", "old2", "dead/cm/3", "old3")
		committer := prewriteAndDie(t, c, false, "dead/cm/1", "new1", "dead/cm/2", "new2", "dead/cm/3", "new3")
		commitTS := now(t, c)
		committer.SetCommitTS(commitTS)
		// Commit only the primary, then "die" before the secondaries are committed.
		if err := committer.CommitMutations(opCtx(t)); err != nil {
			t.Fatalf("commit primary: %v", err)
		}
		ts := now(t, c)
		expectValue(t, c, ts, "dead/cm/3", "new3")
		expectValue(t, c, ts, "dead/cm/2", "new2")
		expectValue(t, c, ts, "dead/cm/1", "new1")
		expectValue(t, c, commitTS-1, "dead/cm/3", "old3")
		commitKV(t, c, "dead/cm/2", "after2")
		expectValue(t, c, now(t, c), "dead/cm/2", "after2")
	})

	t.Run("async-commit-all-prewritten", func(t *testing.T) {
		commitKV(t, c, "dead/ac/1", "old1", "dead/ac/2", "old2")
		committer := prewriteAndDie(t, c, true, "dead/ac/1", "new1", "dead/ac/2", "new2")
		t.Logf("async-commit prewrite: still async after the store's answer = %v, min_commit_ts=%d (the store may decline async commit by answering min_commit_ts 0; the locks are then plain 2PC locks)", committer.IsAsyncCommit(), committer.GetMinCommitTS())
		ts := now(t, c)
		want1, want2 := "new1", "new2"
		if !committer.IsAsyncCommit() {
			// Declined: the locks are ordinary and will be rolled back.
			want1, want2 = "old1", "old2"
		}
		expectValue(t, c, ts, "dead/ac/2", want2)
		expectValue(t, c, ts, "dead/ac/1", want1)
	})
}

func TestTxnPessimisticLocking(t *testing.T) {
	t.Log("proves: pessimistic LockKeys holds a key against other pessimistic transactions: no-wait fails fast, a short wait times out, a long wait is woken by the holder's commit, the value returned at lock time is the committed one, and the final counter equals the number of increments")
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	ctx := opCtx(t)
	k := []byte("pess/counter")
	commitKV(t, c, string(k), "0")

	holder := begin(t, c)
	holder.SetPessimistic(true)
	if err := holder.LockKeys(ctx, kv.NewLockCtx(now(t, c), kv.LockAlwaysWait, time.Now()), k); err != nil {
		t.Fatalf("holder LockKeys: %v", err)
	}

	noWait := begin(t, c)
	noWait.SetPessimistic(true)
	start := time.Now()
	err := noWait.LockKeys(ctx, kv.NewLockCtx(now(t, c), kv.LockNoWait, time.Now()), k)
	if err == nil {
		t.Fatalf("no-wait LockKeys on a key locked by another transaction succeeded")
	}
	t.Logf("no-wait lock failed after %s: %v", time.Since(start).Round(time.Millisecond), err)
	_ = noWait.Rollback()

	shortWait := begin(t, c)
	shortWait.SetPessimistic(true)
	start = time.Now()
	err = shortWait.LockKeys(ctx, kv.NewLockCtx(now(t, c), 300, time.Now()), k)
	if err == nil {
		t.Fatalf("LockKeys with a 300 ms wait succeeded while the key is held")
	}
	t.Logf("300 ms lock wait failed after %s: %v", time.Since(start).Round(time.Millisecond), err)
	_ = shortWait.Rollback()

	// A waiter blocks until the holder commits, then gets the lock (possibly after a retry with
	// a newer for_update_ts, which is what TiDB does on a pessimistic write conflict).
	waiterDone := make(chan error, 1)
	var waiterValue string
	go func() {
		w, err := c.Begin()
		if err != nil {
			waiterDone <- err
			return
		}
		w.SetPessimistic(true)
		for attempt := 0; attempt < 5; attempt++ {
			ts, err := c.GetTimestamp(ctx)
			if err != nil {
				waiterDone <- err
				return
			}
			lockCtx := kv.NewLockCtx(ts, 10_000, time.Now())
			lockCtx.InitReturnValues(1)
			err = w.LockKeys(ctx, lockCtx, k)
			if err == nil {
				waiterValue = string(lockCtx.Values[string(k)].Value)
				n := 0
				fmt.Sscanf(waiterValue, "%d", &n)
				_ = w.Set(k, []byte(fmt.Sprint(n+1)))
				waiterDone <- w.Commit(ctx)
				return
			}
			if !isWriteConflict(err) {
				waiterDone <- fmt.Errorf("waiter LockKeys: %w", err)
				return
			}
		}
		waiterDone <- fmt.Errorf("waiter kept getting write conflicts")
	}()
	select {
	case err := <-waiterDone:
		t.Fatalf("waiter finished while the key was still locked: %v", err)
	case <-time.After(700 * time.Millisecond):
	}
	_ = holder.Set(k, []byte("10"))
	if err := holder.Commit(ctx); err != nil {
		t.Fatalf("holder commit: %v", err)
	}
	select {
	case err := <-waiterDone:
		if err != nil {
			t.Fatalf("waiter: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("waiter still blocked 30 s after the holder committed")
	}
	if waiterValue != "10" {
		t.Fatalf("waiter's locked read returned %q, want the holder's committed \"10\"", waiterValue)
	}
	expectValue(t, c, now(t, c), string(k), "11")

	// Concurrent pessimistic increments: no lost updates.
	const workers, perWorker = 4, 5
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < perWorker; i++ {
				if err := pessimisticIncrement(ctx, c, k); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil {
			t.Fatalf("pessimistic increment: %v", err)
		}
	}
	expectValue(t, c, now(t, c), string(k), fmt.Sprint(11+workers*perWorker))
}

// pessimisticIncrement locks k (retrying pessimistic write conflicts with a fresh for_update_ts),
// reads the locked value and commits value+1.
func pessimisticIncrement(ctx context.Context, c *txnkv.Client, k []byte) error {
	txn, err := c.Begin()
	if err != nil {
		return err
	}
	txn.SetPessimistic(true)
	for attempt := 0; ; attempt++ {
		ts, err := c.GetTimestamp(ctx)
		if err != nil {
			return err
		}
		lockCtx := kv.NewLockCtx(ts, 20_000, time.Now())
		lockCtx.InitReturnValues(1)
		err = txn.LockKeys(ctx, lockCtx, k)
		if err != nil {
			if isWriteConflict(err) && attempt < 20 {
				continue
			}
			_ = txn.Rollback()
			return fmt.Errorf("LockKeys (attempt %d): %w", attempt, err)
		}
		n := 0
		fmt.Sscanf(string(lockCtx.Values[string(k)].Value), "%d", &n)
		_ = txn.Set(k, []byte(fmt.Sprint(n+1)))
		return txn.Commit(ctx)
	}
}
