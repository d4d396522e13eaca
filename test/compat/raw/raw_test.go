// Proves the official rawkv client works against our servers: point and batch operations,
// scans and reverse scans across many region boundaries, delete range, CAS, and TTL rejection.
package raw

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	"github.com/tikv/client-go/v2/rawkv"
)

// regionSplitKeys is small so a few thousand keys produce several regions.
const regionSplitKeys = 200

// opTimeout bounds every client call so a server that never answers fails the test instead of hanging it.
const opTimeout = 30 * time.Second

var shared = cluster.Shared{Opts: cluster.Options{RegionSplitKeys: regionSplitKeys}}

func TestMain(m *testing.M) { os.Exit(shared.Finish(m.Run())) }

func opCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	t.Cleanup(cancel)
	return ctx
}

func key(prefix string, i int) []byte { return []byte(fmt.Sprintf("%s%06d", prefix, i)) }
func val(prefix string, i int) []byte { return []byte(fmt.Sprintf("value-%s-%d", prefix, i)) }

func TestRawPointAndBatch(t *testing.T) {
	t.Log("proves: RawPut/RawGet/RawDelete and RawBatchPut/RawBatchGet/RawBatchDelete round-trip through the official client, and missing keys read as nil")
	pg := shared.Get(t)
	c := cluster.NewRawClient(t, pg.PDAddr, false)
	ctx := opCtx(t)

	if err := c.Put(ctx, []byte("pt/a"), []byte("1")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	got, err := c.Get(ctx, []byte("pt/a"))
	if err != nil || string(got) != "1" {
		t.Fatalf("Get after Put = %q, %v; want \"1\"", got, err)
	}
	if err := c.Put(ctx, []byte("pt/a"), []byte("2")); err != nil {
		t.Fatalf("overwrite Put: %v", err)
	}
	if got, err := c.Get(ctx, []byte("pt/a")); err != nil || string(got) != "2" {
		t.Fatalf("Get after overwrite = %q, %v; want \"2\"", got, err)
	}
	if got, err := c.Get(ctx, []byte("pt/missing")); err != nil || got != nil {
		t.Fatalf("Get(missing) = %q, %v; want nil, nil", got, err)
	}
	if err := c.Delete(ctx, []byte("pt/a")); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got, err := c.Get(ctx, []byte("pt/a")); err != nil || got != nil {
		t.Fatalf("Get after Delete = %q, %v; want nil", got, err)
	}
	if err := c.Delete(ctx, []byte("pt/never")); err != nil {
		t.Fatalf("Delete of a missing key must succeed: %v", err)
	}

	const n = 300
	keys := make([][]byte, n)
	vals := make([][]byte, n)
	for i := range keys {
		keys[i], vals[i] = key("bt/", i), val("bt", i)
	}
	if err := c.BatchPut(ctx, keys, vals); err != nil {
		t.Fatalf("BatchPut(%d): %v", n, err)
	}
	// BatchGet with a missing key in the middle, in shuffled order: results follow request order.
	req := [][]byte{keys[5], []byte("bt/zz-missing"), keys[250], keys[0]}
	res, err := c.BatchGet(ctx, req)
	if err != nil {
		t.Fatalf("BatchGet: %v", err)
	}
	want := [][]byte{vals[5], nil, vals[250], vals[0]}
	for i := range want {
		if !bytes.Equal(res[i], want[i]) {
			t.Errorf("BatchGet[%d] (%q) = %q, want %q", i, req[i], res[i], want[i])
		}
	}
	all, err := c.BatchGet(ctx, keys)
	if err != nil {
		t.Fatalf("BatchGet(all): %v", err)
	}
	for i := range keys {
		if !bytes.Equal(all[i], vals[i]) {
			t.Fatalf("BatchGet(all)[%d] = %q, want %q", i, all[i], vals[i])
		}
	}
	if err := c.BatchDelete(ctx, keys[:100]); err != nil {
		t.Fatalf("BatchDelete: %v", err)
	}
	all, err = c.BatchGet(ctx, keys)
	if err != nil {
		t.Fatalf("BatchGet after BatchDelete: %v", err)
	}
	for i := range keys {
		if i < 100 && all[i] != nil {
			t.Fatalf("key %q survived BatchDelete: %q", keys[i], all[i])
		}
		if i >= 100 && !bytes.Equal(all[i], vals[i]) {
			t.Fatalf("key %q after BatchDelete of others = %q, want %q", keys[i], all[i], vals[i])
		}
	}
}

// manyRegionKeys is several times regionSplitKeys so the store must split.
const manyRegionKeys = 3000

func TestRawManyRegions(t *testing.T) {
	t.Logf("proves: with --region-split-keys %d, %d keys end up in several regions (seen through PD ScanRegions, contiguous), and Scan/ReverseScan (limits, key-only), BatchGet and DeleteRange are complete and ordered across region boundaries", regionSplitKeys, manyRegionKeys)
	pg := shared.Get(t)
	c := cluster.NewRawClient(t, pg.PDAddr, false)
	ctx := opCtx(t)
	const prefix = "mr/"
	keys := make([][]byte, manyRegionKeys)
	vals := make([][]byte, manyRegionKeys)
	for i := range keys {
		keys[i], vals[i] = key(prefix, i), val("mr", i)
	}
	// Write in chunks, like an application would, so splits happen between writes.
	const chunk = 250
	for i := 0; i < manyRegionKeys; i += chunk {
		if err := c.BatchPut(ctx, keys[i:i+chunk], vals[i:i+chunk]); err != nil {
			t.Fatalf("BatchPut chunk at %d: %v", i, err)
		}
	}

	// Splits may be asynchronous (split checker): wait for PD to know several regions.
	regions := waitForRegions(t, c, []byte(prefix), []byte("mr0"), 3)
	t.Logf("PD reports %d regions covering %q..: %s", len(regions), prefix, describeRegions(regions))

	// A full scan with a limit larger than the data returns everything, in order.
	gotK, gotV, err := c.Scan(ctx, []byte(prefix), []byte("mr0"), manyRegionKeys+10)
	if err != nil {
		t.Fatalf("Scan(all): %v", err)
	}
	checkRange(t, "Scan(all)", gotK, gotV, keys, vals)

	// Limits that end mid-region and in later regions.
	for _, limit := range []int{1, 7, 199, 200, 201, 1000, 2999} {
		k, v, err := c.Scan(ctx, keys[100], []byte("mr0"), limit)
		if err != nil {
			t.Fatalf("Scan(limit %d): %v", limit, err)
		}
		checkRange(t, fmt.Sprintf("Scan(from 100, limit %d)", limit), k, v, keys[100:100+min(limit, manyRegionKeys-100)], vals[100:100+min(limit, manyRegionKeys-100)])
	}
	// Bounded scan: [500, 2500) with a big limit.
	k, v, err := c.Scan(ctx, keys[500], keys[2500], 10000)
	if err != nil {
		t.Fatalf("Scan([500,2500)): %v", err)
	}
	checkRange(t, "Scan([500,2500))", k, v, keys[500:2500], vals[500:2500])

	// Paging with a small limit, the way applications iterate: every key exactly once, in order.
	var paged [][]byte
	next := []byte(prefix)
	for pages := 0; ; pages++ {
		if pages > manyRegionKeys {
			t.Fatalf("paging did not terminate")
		}
		k, _, err := c.Scan(ctx, next, []byte("mr0"), 128)
		if err != nil {
			t.Fatalf("Scan page from %q: %v", next, err)
		}
		if len(k) == 0 {
			break
		}
		paged = append(paged, k...)
		next = append(append([]byte{}, k[len(k)-1]...), 0)
	}
	if len(paged) != manyRegionKeys {
		t.Fatalf("paged scan returned %d keys, want %d", len(paged), manyRegionKeys)
	}
	for i := range paged {
		if !bytes.Equal(paged[i], keys[i]) {
			t.Fatalf("paged scan key %d = %q, want %q", i, paged[i], keys[i])
		}
	}

	// Key-only scan: keys complete, values empty.
	k, v, err = c.Scan(ctx, []byte(prefix), []byte("mr0"), manyRegionKeys, rawkv.ScanKeyOnly())
	if err != nil {
		t.Fatalf("Scan(key only): %v", err)
	}
	if len(k) != manyRegionKeys {
		t.Fatalf("key-only scan returned %d keys, want %d", len(k), manyRegionKeys)
	}
	for i := range k {
		if !bytes.Equal(k[i], keys[i]) || len(v[i]) != 0 {
			t.Fatalf("key-only scan [%d] = %q=%q, want %q with an empty value", i, k[i], v[i], keys[i])
		}
	}

	// Reverse scan: start is the exclusive upper bound, end the inclusive lower bound.
	for _, limit := range []int{1, 50, 200, 201, 1500, manyRegionKeys + 5} {
		k, v, err := c.ReverseScan(ctx, []byte("mr0"), []byte(prefix), limit)
		if err != nil {
			t.Fatalf("ReverseScan(limit %d): %v", limit, err)
		}
		n := min(limit, manyRegionKeys)
		checkRange(t, fmt.Sprintf("ReverseScan(all, limit %d)", limit), k, v, reversed(keys[manyRegionKeys-n:]), reversed(vals[manyRegionKeys-n:]))
	}
	k, v, err = c.ReverseScan(ctx, keys[2500], keys[500], 10000)
	if err != nil {
		t.Fatalf("ReverseScan((500,2500]): %v", err)
	}
	checkRange(t, "ReverseScan(2500 -> 500)", k, v, reversed(keys[500:2500]), reversed(vals[500:2500]))

	// BatchGet spanning every region.
	got, err := c.BatchGet(ctx, keys)
	if err != nil {
		t.Fatalf("BatchGet(all %d): %v", manyRegionKeys, err)
	}
	for i := range keys {
		if !bytes.Equal(got[i], vals[i]) {
			t.Fatalf("BatchGet[%d] = %q, want %q", i, got[i], vals[i])
		}
	}

	// DeleteRange across several region boundaries removes exactly [700, 2300).
	if err := c.DeleteRange(ctx, keys[700], keys[2300]); err != nil {
		t.Fatalf("DeleteRange([700,2300)): %v", err)
	}
	k, v, err = c.Scan(ctx, []byte(prefix), []byte("mr0"), manyRegionKeys)
	if err != nil {
		t.Fatalf("Scan after DeleteRange: %v", err)
	}
	wantK := append(append([][]byte{}, keys[:700]...), keys[2300:]...)
	wantV := append(append([][]byte{}, vals[:700]...), vals[2300:]...)
	checkRange(t, "Scan after DeleteRange", k, v, wantK, wantV)
	if g, err := c.Get(ctx, keys[1500]); err != nil || g != nil {
		t.Fatalf("Get(deleted key) = %q, %v; want nil", g, err)
	}
}

func TestRawCompareAndSwap(t *testing.T) {
	t.Log("proves: RawCompareAndSwap (atomic mode, always a unary RPC) creates when absent, swaps on a match, and on a mismatch reports the current value without writing")
	pg := shared.Get(t)
	c := cluster.NewRawClient(t, pg.PDAddr, true)
	ctx := opCtx(t)
	k := []byte("cas/k")

	prev, ok, err := c.CompareAndSwap(ctx, k, nil, []byte("v1"))
	if err != nil || !ok || prev != nil {
		t.Fatalf("CAS(absent -> v1) = %q, %v, %v; want nil, true, nil", prev, ok, err)
	}
	prev, ok, err = c.CompareAndSwap(ctx, k, []byte("v1"), []byte("v2"))
	if err != nil || !ok || string(prev) != "v1" {
		t.Fatalf("CAS(v1 -> v2) = %q, %v, %v; want \"v1\", true, nil", prev, ok, err)
	}
	prev, ok, err = c.CompareAndSwap(ctx, k, []byte("v1"), []byte("v3"))
	if err != nil || ok || string(prev) != "v2" {
		t.Fatalf("CAS(stale v1 -> v3) = %q, %v, %v; want \"v2\", false, nil", prev, ok, err)
	}
	prev, ok, err = c.CompareAndSwap(ctx, k, nil, []byte("v4"))
	if err != nil || ok || string(prev) != "v2" {
		t.Fatalf("CAS(expect absent, but present) = %q, %v, %v; want \"v2\", false, nil", prev, ok, err)
	}
	if got, err := c.Get(ctx, k); err != nil || string(got) != "v2" {
		t.Fatalf("Get after CAS sequence = %q, %v; want \"v2\"", got, err)
	}
	// In atomic mode plain writes carry for_cas and must still work.
	if err := c.Put(ctx, k, []byte("v5")); err != nil {
		t.Fatalf("atomic Put: %v", err)
	}
	if err := c.Delete(ctx, k); err != nil {
		t.Fatalf("atomic Delete: %v", err)
	}
	prev, ok, err = c.CompareAndSwap(ctx, k, nil, []byte("v6"))
	if err != nil || !ok || prev != nil {
		t.Fatalf("CAS(after delete, absent -> v6) = %q, %v, %v; want nil, true, nil", prev, ok, err)
	}
}

func TestRawTTLRejected(t *testing.T) {
	t.Log("proves: a TTL put (needs API V1TTL/V2) against an API V1 store returns an error promptly instead of hanging or silently storing")
	pg := shared.Get(t)
	c := cluster.NewRawClient(t, pg.PDAddr, false)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	start := time.Now()
	err := c.PutWithTTL(ctx, []byte("ttl/k"), []byte("v"), 60)
	elapsed := time.Since(start)
	if err == nil {
		got, _ := c.Get(opCtx(t), []byte("ttl/k"))
		t.Fatalf("PutWithTTL succeeded on an API V1 store (value now %q); TiKV rejects ttl != 0 unless TTL is enabled", got)
	}
	if ctx.Err() != nil {
		t.Fatalf("PutWithTTL only failed because the 15 s context expired (the server never answered clearly): %v", err)
	}
	t.Logf("PutWithTTL failed after %s with: %v", elapsed.Round(time.Millisecond), err)
	// The store still serves normal writes afterwards.
	if err := c.Put(opCtx(t), []byte("ttl/after"), []byte("ok")); err != nil {
		t.Fatalf("Put after the TTL error: %v", err)
	}
}

// waitForRegions polls PD until [start,end) is covered, without holes or overlaps, by at least
// want regions. A transiently non-covering answer is tolerated (real PD can briefly show a hole
// while split heartbeats arrive; newer client-go checks for it and retries) but counted and logged.
func waitForRegions(t *testing.T, c *rawkv.Client, start, end []byte, want int) []*regionView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	holes := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rs, err := c.GetPDClient().ScanRegions(ctx, start, end, 1000)
		cancel()
		if err != nil {
			t.Fatalf("PD ScanRegions: %v", err)
		}
		views := make([]*regionView, 0, len(rs))
		for _, r := range rs {
			views = append(views, &regionView{id: r.Meta.GetId(), start: r.Meta.GetStartKey(), end: r.Meta.GetEndKey(), version: r.Meta.GetRegionEpoch().GetVersion()})
		}
		coverErr := checkContiguous(views, start, end)
		if coverErr == nil && len(views) >= want {
			if holes > 0 {
				t.Logf("PD ScanRegions gave %d transiently non-covering answer(s) before a covering one", holes)
			}
			return views
		}
		if coverErr != nil {
			holes++
		}
		if time.Now().After(deadline) {
			if coverErr != nil {
				t.Fatalf("after 30 s PD ScanRegions still does not cover %q..%q: %v (%s)", start, end, coverErr, describeRegions(views))
			}
			t.Fatalf("after 30 s PD still reports %d region(s) for %q..%q, want >= %d (does the store split at --region-split-keys %d and report splits to PD?): %s",
				len(views), start, end, want, regionSplitKeys, describeRegions(views))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

type regionView struct {
	id         uint64
	start, end []byte
	version    uint64
}

// checkContiguous reports a hole or overlap in PD's regions inside [start, end).
func checkContiguous(rs []*regionView, start, end []byte) error {
	if len(rs) == 0 {
		return fmt.Errorf("no region returned for %q", start)
	}
	if bytes.Compare(rs[0].start, start) > 0 {
		return fmt.Errorf("first region %d starts at %q, after the scan start %q", rs[0].id, rs[0].start, start)
	}
	for i := 1; i < len(rs); i++ {
		if !bytes.Equal(rs[i-1].end, rs[i].start) {
			return fmt.Errorf("regions %d and %d are not contiguous: end %q != start %q", rs[i-1].id, rs[i].id, rs[i-1].end, rs[i].start)
		}
	}
	last := rs[len(rs)-1]
	if len(last.end) != 0 && bytes.Compare(last.end, end) < 0 {
		return fmt.Errorf("last region %d ends at %q, before the scan end %q", last.id, last.end, end)
	}
	return nil
}

func describeRegions(rs []*regionView) string {
	var b bytes.Buffer
	for i, r := range rs {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "#%d[%q,%q)v%d", r.id, r.start, r.end, r.version)
	}
	return b.String()
}

func checkRange(t *testing.T, what string, gotK, gotV, wantK, wantV [][]byte) {
	t.Helper()
	if len(gotK) != len(wantK) || len(gotV) != len(wantK) {
		t.Fatalf("%s returned %d keys / %d values, want %d", what, len(gotK), len(gotV), len(wantK))
	}
	for i := range wantK {
		if !bytes.Equal(gotK[i], wantK[i]) || !bytes.Equal(gotV[i], wantV[i]) {
			t.Fatalf("%s [%d] = %q=%q, want %q=%q", what, i, gotK[i], gotV[i], wantK[i], wantV[i])
		}
	}
}

func reversed(xs [][]byte) [][]byte {
	out := append([][]byte{}, xs...)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
