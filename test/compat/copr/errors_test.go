// Proves the coprocessor's error placement: an uncommitted lock in range is answered as
// Response.locked (with the lock's primary, start_ts and key), and malformed or unsupported DAGs
// as Response.other_error with a clear message, after which the store keeps serving.
package copr

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/tikv/client-go/v2/txnkv/txnlock"

	"github.com/pingcap/tipb/go-tipb"
	"github.com/tikv/client-go/v2/tikv"
)

// lockTableID is a separate table so the lock never disturbs the executor tests.
const lockTableID = int64(4343)

// lockTTLMs is short so the official lock resolver may roll the abandoned lock back soon.
const lockTTLMs = 1000

func TestCopLockedInRange(t *testing.T) {
	t.Log("proves: a key prewritten but not committed (client-go's CommitterProbe) inside the scanned range makes a coprocessor request at a later start_ts answer Response.locked carrying that lock (primary, lock_version = the prewrite's start_ts, key), not rows and not other_error; a read below the lock is not blocked; client-go's LockResolver, given that LockInfo, rolls the expired lock back and the retried scan sees only committed rows")
	e, _ := setup(t)
	c := e.c
	// One committed row before the lock, then the locked row.
	txn, err := c.Begin()
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	one := int64(1)
	_ = txn.Set(recordKey(lockTableID, 1), row{id: 1, a: &one}.value())
	if err := txn.Commit(opCtx(t)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	probe, err := tikv.StoreProbe{KVStore: c.KVStore}.Begin()
	if err != nil {
		t.Fatalf("Begin probe: %v", err)
	}
	lockedKey := recordKey(lockTableID, 2)
	two := int64(2)
	_ = probe.Set(lockedKey, row{id: 2, a: &two}.value())
	committer, err := probe.NewCommitter(1)
	if err != nil {
		t.Fatalf("NewCommitter: %v", err)
	}
	committer.SetLockTTL(lockTTLMs)
	if err := committer.PrewriteAllMutations(opCtx(t)); err != nil {
		t.Fatalf("prewrite: %v", err)
	}
	committer.CloseTTLManager()
	ts, err := c.GetTimestamp(opCtx(t))
	if err != nil {
		t.Fatalf("GetTimestamp: %v", err)
	}
	d := dag(tipb.EncodeType_TypeChunk, 5, &tipb.Executor{Tp: tipb.ExecType_TypeTableScan, TblScan: &tipb.TableScan{
		TableId: lockTableID, Columns: tableScan().TblScan.Columns}})
	data, err := d.Marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	start, end := recordPrefixRange(lockTableID)
	results := e.sendRaw(t, data, ts, start, end)
	var found *kvrpcpb.LockInfo
	for _, rr := range results {
		cr := rr.resp
		if cr.Locked == nil {
			continue
		}
		found = cr.Locked
		l := cr.Locked
		t.Logf("locked: primary=%x lock_version=%d key=%x ttl=%d other_error=%q data=%d bytes", l.PrimaryLock, l.LockVersion, l.Key, l.LockTtl, cr.OtherError, len(cr.Data))
		if !bytes.Equal(l.Key, lockedKey) || !bytes.Equal(l.PrimaryLock, lockedKey) || l.LockVersion != committer.GetStartTS() {
			t.Fatalf("locked = {primary %x, version %d, key %x}, want {primary %x, version %d, key %x}",
				l.PrimaryLock, l.LockVersion, l.Key, lockedKey, committer.GetStartTS(), lockedKey)
		}
		if cr.OtherError != "" {
			t.Fatalf("locked response also has other_error %q", cr.OtherError)
		}
	}
	if found == nil {
		t.Fatalf("no region answered locked for the uncommitted key %x (%d responses)", lockedKey, len(results))
	}
	// A read at a start_ts before the prewrite is not blocked (lock.ts > start_ts).
	before := e.sendRaw(t, data, committer.GetStartTS()-1, start, end)
	for _, rr := range before {
		if rr.resp.Locked != nil || rr.resp.OtherError != "" {
			t.Fatalf("read below the lock's start_ts: locked=%v other_error=%q", rr.resp.Locked, rr.resp.OtherError)
		}
	}
	// What TiDB does next: hand the LockInfo to client-go's lock resolver (CheckTxnStatus on the
	// primary, then ResolveLock), then retry. Once the TTL has expired the lock is rolled back.
	bo := tikv.NewBackofferWithVars(opCtx(t), 20000, nil)
	deadline := time.Now().Add(10 * lockTTLMs * time.Millisecond)
	for {
		msBeforeExpired, err := c.KVStore.GetLockResolver().ResolveLocks(bo, ts, []*txnlock.Lock{txnlock.NewLock(found)})
		if err != nil {
			t.Fatalf("ResolveLocks: %v", err)
		}
		if msBeforeExpired <= 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock still not expired after %s (msBeforeExpired=%d)", 10*lockTTLMs*time.Millisecond, msBeforeExpired)
		}
		time.Sleep(time.Duration(msBeforeExpired) * time.Millisecond)
	}
	ts2, err := c.GetTimestamp(opCtx(t))
	if err != nil {
		t.Fatalf("GetTimestamp: %v", err)
	}
	var got [][]any
	for _, rr := range e.sendRaw(t, data, ts2, start, end) {
		if rr.resp.Locked != nil || rr.resp.OtherError != "" {
			t.Fatalf("after ResolveLocks: locked=%v other_error=%q", rr.resp.Locked, rr.resp.OtherError)
		}
		var sel tipb.SelectResponse
		if err := sel.Unmarshal(rr.resp.Data); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		for _, ch := range sel.Chunks {
			rows, err := decodeChunk(ch.RowsData, scanKinds)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			got = append(got, rows...)
		}
	}
	rowsEqual(t, "scan after the lock was resolved", got, [][]any{row{id: 1, a: &one}.asAny()})
	t.Log("after client-go's LockResolver rolled the expired lock back, the scan returns only the committed row")
}

func TestCopBadInput(t *testing.T) {
	t.Log("proves: undecodable DAG bytes, an unknown executor type (99), an executor TiKV does not run (Join), a ColumnRef offset beyond the child schema and a DAG without executors each get other_error with a clear message; the store answers a valid DAG correctly afterwards")
	e, ts := setup(t)
	start, end := recordPrefixRange(tableID)
	first := func(data []byte) string {
		t.Helper()
		rs := e.sendRaw(t, data, ts, start, end)
		if len(rs) == 0 {
			t.Fatalf("no responses")
		}
		cr := rs[0].resp
		if cr.OtherError == "" {
			t.Fatalf("expected other_error, got data %d bytes, locked %v", len(cr.Data), cr.Locked)
		}
		return cr.OtherError
	}
	marshal := func(d *tipb.DAGRequest) []byte {
		b, err := d.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		return b
	}
	cases := []struct {
		name, wantSubstr string
		data             []byte
	}{
		{"malformed bytes", "", []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x12}},
		{"unknown executor type 99", "99", marshal(dag(tipb.EncodeType_TypeDefault, 5, tableScan(),
			&tipb.Executor{Tp: tipb.ExecType(99)}))},
		{"join executor", "", marshal(dag(tipb.EncodeType_TypeDefault, 5, tableScan(),
			&tipb.Executor{Tp: tipb.ExecType_TypeJoin, Join: &tipb.Join{}}))},
		{"column offset out of range", "", marshal(dag(tipb.EncodeType_TypeDefault, 5, tableScan(),
			&tipb.Executor{Tp: tipb.ExecType_TypeSelection, Selection: &tipb.Selection{Conditions: []*tipb.Expr{
				scalar(tipb.ScalarFuncSig_GTInt, ftInt(), colRef(42, ftInt()), constInt(1))}}}))},
		{"no executors", "", marshal(&tipb.DAGRequest{EncodeType: tipb.EncodeType_TypeDefault})},
	}
	for _, tc := range cases {
		msg := first(tc.data)
		t.Logf("%s -> other_error %q", tc.name, msg)
		if tc.wantSubstr != "" && !strings.Contains(msg, tc.wantSubstr) {
			t.Errorf("%s: other_error %q does not mention %q", tc.name, msg, tc.wantSubstr)
		}
		if tc.name == "column offset out of range" && !strings.Contains(msg, "42") && !strings.Contains(strings.ToLower(msg), "offset") {
			t.Errorf("%s: other_error %q mentions neither the offset nor 'offset'", tc.name, msg)
		}
	}
	// Still serving: the full table scan is right.
	want := writtenRows()
	rowsEqual(t, "scan after bad input", flatten(e.run(t, dag(tipb.EncodeType_TypeChunk, 5, tableScan()), scanKinds, ts)), want)
	t.Log("store still answers a valid DAG correctly")
}
