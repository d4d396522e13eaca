// Proves basic transactional semantics through the official client: read-your-writes,
// snapshot isolation, optimistic write conflicts, async commit and 1PC.
package txn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	tikverr "github.com/tikv/client-go/v2/error"
	"github.com/tikv/client-go/v2/txnkv"
	"github.com/tikv/client-go/v2/txnkv/transaction"
)

// regionSplitKeys is small so the bank workload spans many regions and splits while it runs.
const regionSplitKeys = 200

// opTimeout bounds each client call sequence so a silent server fails the test instead of hanging it.
const opTimeout = 60 * time.Second

var shared = cluster.Shared{Opts: cluster.Options{
	RegionSplitKeys: regionSplitKeys,
	// A short store GC interval so TestTxnGC sees the store act on PD's safe point quickly.
	ExtraArgs: []string{"--gc-interval-ms", "1000"},
}}

func TestMain(m *testing.M) { os.Exit(shared.Finish(m.Run())) }

func opCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	t.Cleanup(cancel)
	return ctx
}

func begin(t testing.TB, c *txnkv.Client) *transaction.KVTxn {
	t.Helper()
	txn, err := c.Begin()
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	return txn
}

// commitKV writes key=value pairs (alternating) in one transaction and returns its commit ts.
func commitKV(t testing.TB, c *txnkv.Client, kv ...string) uint64 {
	t.Helper()
	txn := begin(t, c)
	for i := 0; i < len(kv); i += 2 {
		if err := txn.Set([]byte(kv[i]), []byte(kv[i+1])); err != nil {
			t.Fatalf("Set: %v", err)
		}
	}
	if err := txn.Commit(opCtx(t)); err != nil {
		t.Fatalf("Commit(%v): %v", kv, err)
	}
	return commitTSOf(txn)
}

// readAt reads key in a snapshot at ts; "" with found=false means the key does not exist.
func readAt(t testing.TB, c *txnkv.Client, ts uint64, key string) (string, bool) {
	t.Helper()
	v, err := c.GetSnapshot(ts).Get(opCtx(t), []byte(key))
	if tikverr.IsErrNotFound(err) {
		return "", false
	}
	if err != nil {
		t.Fatalf("snapshot(%d).Get(%q): %v", ts, key, err)
	}
	return string(v), true
}

func now(t testing.TB, c *txnkv.Client) uint64 {
	t.Helper()
	ts, err := c.GetTimestamp(opCtx(t))
	if err != nil {
		t.Fatalf("GetTimestamp: %v", err)
	}
	return ts
}

func expectValue(t testing.TB, c *txnkv.Client, ts uint64, key, want string) {
	t.Helper()
	got, ok := readAt(t, c, ts, key)
	if !ok || got != want {
		t.Fatalf("read %q at ts %d = %q (found %v), want %q", key, ts, got, ok, want)
	}
}

func expectMissing(t testing.TB, c *txnkv.Client, ts uint64, key string) {
	t.Helper()
	if got, ok := readAt(t, c, ts, key); ok {
		t.Fatalf("read %q at ts %d = %q, want not found", key, ts, got)
	}
}

func TestTxnReadYourWrites(t *testing.T) {
	t.Log("proves: a transaction sees its own uncommitted sets and deletes (point reads and iteration merge the memory buffer with the store snapshot), and after commit a new transaction sees them")
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	ctx := opCtx(t)
	commitKV(t, c, "ryw/a", "a0", "ryw/b", "b0", "ryw/c", "c0")

	txn := begin(t, c)
	if v, err := txn.Get(ctx, []byte("ryw/a")); err != nil || string(v) != "a0" {
		t.Fatalf("Get committed ryw/a = %q, %v; want a0", v, err)
	}
	_ = txn.Set([]byte("ryw/a"), []byte("a1"))
	_ = txn.Set([]byte("ryw/d"), []byte("d1"))
	_ = txn.Delete([]byte("ryw/b"))
	if v, err := txn.Get(ctx, []byte("ryw/a")); err != nil || string(v) != "a1" {
		t.Fatalf("Get own write ryw/a = %q, %v; want a1", v, err)
	}
	if _, err := txn.Get(ctx, []byte("ryw/b")); !tikverr.IsErrNotFound(err) {
		t.Fatalf("Get own delete ryw/b: err = %v, want not found", err)
	}
	it, err := txn.Iter([]byte("ryw/"), []byte("ryw0"))
	if err != nil {
		t.Fatalf("Iter: %v", err)
	}
	var seen []string
	for it.Valid() {
		seen = append(seen, string(it.Key())+"="+string(it.Value()))
		if err := it.Next(); err != nil {
			t.Fatalf("Iter.Next: %v", err)
		}
	}
	it.Close()
	want := "[ryw/a=a1 ryw/c=c0 ryw/d=d1]"
	if fmt.Sprint(seen) != want {
		t.Fatalf("iteration inside the txn = %v, want %s", seen, want)
	}
	if err := txn.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	ts := now(t, c)
	expectValue(t, c, ts, "ryw/a", "a1")
	expectMissing(t, c, ts, "ryw/b")
	expectValue(t, c, ts, "ryw/d", "d1")
}

func TestTxnSnapshotIsolation(t *testing.T) {
	t.Log("proves: a reader's snapshot (start_ts) does not see a transaction committed after it began, while a snapshot taken after the commit does; the old version stays readable at the old ts")
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	ctx := opCtx(t)
	commitKV(t, c, "si/k", "v1")

	reader := begin(t, c)
	if v, err := reader.Get(ctx, []byte("si/k")); err != nil || string(v) != "v1" {
		t.Fatalf("reader first Get = %q, %v; want v1", v, err)
	}
	commitTS := commitKV(t, c, "si/k", "v2", "si/new", "n2")
	if commitTS <= reader.StartTS() {
		t.Fatalf("commit ts %d is not after the reader's start ts %d (TSO not monotonic?)", commitTS, reader.StartTS())
	}
	if v, err := reader.Get(ctx, []byte("si/k")); err != nil || string(v) != "v1" {
		t.Fatalf("reader Get after a later commit = %q, %v; want v1 (snapshot isolation)", v, err)
	}
	if _, err := reader.Get(ctx, []byte("si/new")); !tikverr.IsErrNotFound(err) {
		t.Fatalf("reader sees a key created after its start ts: err = %v", err)
	}
	m, err := reader.BatchGet(ctx, [][]byte{[]byte("si/k"), []byte("si/new")})
	if err != nil || len(m) != 1 || string(m["si/k"]) != "v1" {
		t.Fatalf("reader BatchGet = %q, %v; want only si/k=v1", m, err)
	}
	_ = reader.Rollback()
	expectValue(t, c, now(t, c), "si/k", "v2")
	expectValue(t, c, commitTS-1, "si/k", "v1")
	expectValue(t, c, commitTS, "si/k", "v2")
}

func TestTxnWriteConflict(t *testing.T) {
	t.Log("proves: two optimistic transactions that both began before either committed and write the same key: exactly one commits, the other gets a write-conflict error, and the key holds the winner's value")
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	ctx := opCtx(t)
	commitKV(t, c, "wc/k", "0")

	// Sequential: the later committer must fail.
	t1, t2 := begin(t, c), begin(t, c)
	_ = t1.Set([]byte("wc/k"), []byte("t1"))
	_ = t2.Set([]byte("wc/k"), []byte("t2"))
	if err := t1.Commit(ctx); err != nil {
		t.Fatalf("first committer failed: %v", err)
	}
	err := t2.Commit(ctx)
	if err == nil {
		t.Fatalf("second committer of the same key succeeded (lost update)")
	}
	if !tikverr.IsErrWriteConflict(err) {
		t.Errorf("second committer error is not a write conflict: %v", err)
	}
	t.Logf("loser's error: %v", err)
	expectValue(t, c, now(t, c), "wc/k", "t1")

	// Concurrent rounds: all contenders begin first, then commit at the same time.
	const rounds, contenders = 5, 4
	for r := 0; r < rounds; r++ {
		txns := make([]*transaction.KVTxn, contenders)
		for i := range txns {
			txns[i] = begin(t, c)
			_ = txns[i].Set([]byte("wc/k"), []byte(fmt.Sprintf("r%d-c%d", r, i)))
		}
		errs := make([]error, contenders)
		var wg sync.WaitGroup
		for i := range txns {
			wg.Add(1)
			go func(i int) { defer wg.Done(); errs[i] = txns[i].Commit(ctx) }(i)
		}
		wg.Wait()
		winners := 0
		winner := ""
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
				winner = fmt.Sprintf("r%d-c%d", r, i)
			case tikverr.IsErrWriteConflict(err):
			default:
				t.Errorf("round %d contender %d: unexpected error (want nil or write conflict): %v", r, i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d contenders committed, want exactly 1 (errors: %v)", r, winners, errs)
		}
		expectValue(t, c, now(t, c), "wc/k", winner)
	}
}

func TestTxnAsyncCommitAnd1PC(t *testing.T) {
	t.Log("proves: transactions with async commit and with 1PC enabled commit and are readable (single-region and multi-region); reports whether the store accepted async commit / 1PC or made the client fall back to 2PC")
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	ctx := opCtx(t)

	for _, mode := range []string{"async-commit", "1pc", "async-commit+1pc"} {
		for _, nkeys := range []int{1, 5, 60} {
			txn := begin(t, c)
			txn.SetEnableAsyncCommit(mode != "1pc")
			txn.SetEnable1PC(mode != "async-commit")
			for i := 0; i < nkeys; i++ {
				_ = txn.Set([]byte(fmt.Sprintf("ac/%s/%d/%03d", mode, nkeys, i)), []byte(fmt.Sprintf("v%d", i)))
			}
			if err := txn.Commit(ctx); err != nil {
				t.Fatalf("%s commit of %d keys: %v", mode, nkeys, err)
			}
			probe := transaction.TxnProbe{KVTxn: txn}
			committer := probe.GetCommitter()
			t.Logf("%s, %d keys: commit_ts=%d async=%v 1pc=%v", mode, nkeys, commitTSOf(txn), committer.IsAsyncCommit(), committer.IsOnePC())
			ts := now(t, c)
			for i := 0; i < nkeys; i++ {
				expectValue(t, c, ts, fmt.Sprintf("ac/%s/%d/%03d", mode, nkeys, i), fmt.Sprintf("v%d", i))
			}
			// Read exactly at the commit ts too: the commit ts must make the writes visible there.
			expectValue(t, c, commitTSOf(txn), fmt.Sprintf("ac/%s/%d/%03d", mode, nkeys, 0), "v0")
			if commitTSOf(txn) <= txn.StartTS() {
				t.Fatalf("%s: commit_ts %d <= start_ts %d", mode, commitTSOf(txn), txn.StartTS())
			}
		}
	}
	// A conflicting async-commit transaction still loses cleanly.
	t1, t2 := begin(t, c), begin(t, c)
	t1.SetEnableAsyncCommit(true)
	t2.SetEnableAsyncCommit(true)
	_ = t1.Set([]byte("ac/conflict"), []byte("t1"))
	_ = t2.Set([]byte("ac/conflict"), []byte("t2"))
	if err := t1.Commit(ctx); err != nil {
		t.Fatalf("async commit t1: %v", err)
	}
	if err := t2.Commit(ctx); err == nil || !tikverr.IsErrWriteConflict(err) {
		t.Fatalf("conflicting async commit t2: err = %v, want a write conflict", err)
	}
}

// commitTSOf returns the commit ts client-go recorded for a committed transaction.
func commitTSOf(txn *transaction.KVTxn) uint64 { return transaction.TxnProbe{KVTxn: txn}.GetCommitTS() }

// isWriteConflict reports a client-go write-conflict error (wrapped or not).
func isWriteConflict(err error) bool { return tikverr.IsErrWriteConflict(err) }

// asErr is errors.As for client-go's pingcap/errors-wrapped errors.
func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
