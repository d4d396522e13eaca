// Proves the paging protocol TiDB uses by default (coprocessor.md §1.6): with paging_size set the
// store stops early and returns the scanned range; resuming after it (ascending) or before it
// (descending) yields every row of the region exactly once, in order.
package copr

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pingcap/kvproto/pkg/coprocessor"
	"github.com/pingcap/tipb/go-tipb"
	"github.com/tikv/client-go/v2/tikv"
	"github.com/tikv/client-go/v2/tikvrpc"
)

// pagingSize is small so one ~333-row region takes several pages.
const pagingSize = 64

func TestCopPaging(t *testing.T) {
	t.Log("proves: paging_size=64 on a 333-row region: every page but the last sets Response.range (asc: [range start, last key+00), desc: [last key, range end)), resuming from the remaining range returns each row exactly once in scan order, and the last page leaves range unset")
	e, ts := setup(t)
	bo := tikv.NewBackofferWithVars(opCtx(t), 20000, nil)
	cache := e.c.KVStore.GetRegionCache()
	// A cache filled before the explicit splits is stale: probe until the region answers.
	loc, err := cache.LocateKey(bo, recordKey(tableID, 1000))
	for attempt := 0; ; attempt++ {
		if err != nil {
			t.Fatalf("LocateKey: %v", err)
		}
		probe := tikvrpc.NewRequest(tikvrpc.CmdCop, &coprocessor.Request{Tp: 103, Data: []byte{}, StartTs: ts,
			Ranges: []*coprocessor.KeyRange{{Start: loc.StartKey, End: loc.EndKey}}})
		resp, err := e.c.KVStore.SendReq(bo, probe, loc.Region, copTimeout)
		if err != nil {
			t.Fatalf("SendReq: %v", err)
		}
		if cr, _ := resp.Resp.(*coprocessor.Response); cr != nil && cr.RegionError == nil {
			break
		}
		if attempt > 20 {
			t.Fatalf("region of handle 1000 keeps answering region errors")
		}
		cache.InvalidateCachedRegion(loc.Region)
		loc, err = cache.LocateKey(bo, recordKey(tableID, 1000))
	}
	start, end := recordPrefixRange(tableID)
	if string(loc.StartKey) > string(start) {
		start = loc.StartKey
	}
	if len(loc.EndKey) > 0 && string(loc.EndKey) < string(end) {
		end = loc.EndKey
	}
	want := rowsInRange(writtenRows(), start, end)
	for _, desc := range []bool{false, true} {
		scan := tableScan()
		scan.TblScan.Desc = desc
		data, err := dag(tipb.EncodeType_TypeChunk, 5, scan).Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		lo, hi := start, end
		var got [][]any
		var pages []int
		for page := 0; ; page++ {
			if page > 50 {
				t.Fatalf("desc=%v: more than 50 pages", desc)
			}
			req := tikvrpc.NewRequest(tikvrpc.CmdCop, &coprocessor.Request{
				Tp: 103, Data: data, StartTs: ts, PagingSize: pagingSize,
				Ranges: []*coprocessor.KeyRange{{Start: lo, End: hi}},
			})
			resp, err := e.c.KVStore.SendReq(bo, req, loc.Region, copTimeout)
			if err != nil {
				t.Fatalf("SendReq: %v", err)
			}
			cr, _ := resp.Resp.(*coprocessor.Response)
			if cr == nil || cr.RegionError != nil || cr.OtherError != "" || cr.Locked != nil {
				t.Fatalf("desc=%v page %d: %v", desc, page, cr)
			}
			var sel tipb.SelectResponse
			if err := sel.Unmarshal(cr.Data); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			n := 0
			for _, ch := range sel.Chunks {
				rows, err := decodeChunk(ch.RowsData, scanKinds)
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				got = append(got, rows...)
				n += len(rows)
			}
			pages = append(pages, n)
			if cr.Range == nil {
				break
			}
			if n == 0 {
				t.Fatalf("desc=%v page %d: range %x..%x set but no rows", desc, page, cr.Range.Start, cr.Range.End)
			}
			last := got[len(got)-1][0].(int64)
			if !desc {
				wantEnd := append(recordKey(tableID, last), 0)
				if !bytes.Equal(cr.Range.Start, lo) || !bytes.Equal(cr.Range.End, wantEnd) {
					t.Fatalf("asc page %d: range [%x, %x), want [%x, %x)", page, cr.Range.Start, cr.Range.End, lo, wantEnd)
				}
				lo = cr.Range.End
			} else {
				wantStart := recordKey(tableID, last)
				if !bytes.Equal(cr.Range.Start, wantStart) || !bytes.Equal(cr.Range.End, hi) {
					t.Fatalf("desc page %d: range [%x, %x), want [%x, %x)", page, cr.Range.Start, cr.Range.End, wantStart, hi)
				}
				hi = cr.Range.Start
			}
		}
		w := want
		if desc {
			w = make([][]any, len(want))
			for i := range want {
				w[i] = want[len(want)-1-i]
			}
		}
		rowsEqual(t, fmt.Sprintf("paged scan desc=%v", desc), got, w)
		if len(pages) < 3 {
			t.Fatalf("desc=%v: %d pages for %d rows with paging_size %d; expected several", desc, len(pages), len(want), pagingSize)
		}
		t.Logf("desc=%v: %d rows in %d pages %v", desc, len(got), len(pages), pages)
	}
}
