// Proves TiDB's store batch (coprocessor.Request.tasks, kvproto's StoreBatchTask): one RPC to one
// region carrying the other regions of the table as tasks answers each task in batch_responses
// exactly as a request of its own would, and a task with a stale epoch gets its own region error.
package copr

import (
	"testing"

	"github.com/pingcap/kvproto/pkg/coprocessor"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/pingcap/tipb/go-tipb"
	"github.com/tikv/client-go/v2/tikv"
	"github.com/tikv/client-go/v2/tikvrpc"
)

func TestCopStoreBatchTasks(t *testing.T) {
	t.Log("proves: a DAG sent to the table's first region with every other region as a StoreBatchTask returns the first region's rows in data and each task's rows in batch_responses (by task_id), together exactly the written rows; a task with a stale epoch answers region_error in its batch response only")
	e, ts := setup(t)
	d := dag(tipb.EncodeType_TypeChunk, 5, tableScan())
	data, err := d.Marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	// One request per region first: it settles the client's region cache after the splits.
	perRegion := e.run(t, d, scanKinds, ts)
	start, end := recordPrefixRange(tableID)
	bo := tikv.NewBackofferWithVars(opCtx(t), 20000, nil)
	cache := e.c.KVStore.GetRegionCache()
	var locs []*tikv.KeyLocation
	for key := start; ; {
		loc, err := cache.LocateKey(bo, key)
		if err != nil {
			t.Fatalf("LocateKey: %v", err)
		}
		locs = append(locs, loc)
		if len(loc.EndKey) == 0 || string(loc.EndKey) >= string(end) {
			break
		}
		key = loc.EndKey
	}
	if len(locs) != len(perRegion) {
		t.Fatalf("located %d regions, the per-region run saw %d", len(locs), len(perRegion))
	}
	if len(locs) < 3 {
		t.Fatalf("table spans %d regions; the test needs several", len(locs))
	}
	clip := func(loc *tikv.KeyLocation) []*coprocessor.KeyRange {
		s, en := start, end
		if string(loc.StartKey) > string(s) {
			s = loc.StartKey
		}
		if len(loc.EndKey) > 0 && string(loc.EndKey) < string(en) {
			en = loc.EndKey
		}
		return []*coprocessor.KeyRange{{Start: s, End: en}}
	}
	var tasks []*coprocessor.StoreBatchTask
	for i, loc := range locs[1:] {
		rpcCtx, err := cache.GetTiKVRPCContext(bo, loc.Region, 0, 0)
		if err != nil || rpcCtx == nil {
			t.Fatalf("GetTiKVRPCContext: %v", err)
		}
		tasks = append(tasks, &coprocessor.StoreBatchTask{RegionId: loc.Region.GetID(), RegionEpoch: rpcCtx.Meta.RegionEpoch, Peer: rpcCtx.Peer, Ranges: clip(loc), TaskId: uint64(i + 1)})
	}
	stale := *tasks[0]
	stale.TaskId = 1000
	stale.RegionEpoch = &metapb.RegionEpoch{ConfVer: stale.RegionEpoch.ConfVer, Version: 0}
	tasks = append(tasks, &stale)
	req := tikvrpc.NewRequest(tikvrpc.CmdCop, &coprocessor.Request{Tp: 103, Data: data, StartTs: ts, Ranges: clip(locs[0]), Tasks: tasks})
	resp, err := e.c.KVStore.SendReq(bo, req, locs[0].Region, copTimeout)
	if err != nil {
		t.Fatalf("SendReq: %v", err)
	}
	cr, ok := resp.Resp.(*coprocessor.Response)
	if !ok || cr.RegionError != nil || cr.OtherError != "" {
		t.Fatalf("main response: %T %+v", resp.Resp, resp.Resp)
	}
	decode := func(b []byte) [][]any {
		var sel tipb.SelectResponse
		if err := sel.Unmarshal(b); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		var rows [][]any
		for _, ch := range sel.Chunks {
			got, err := decodeChunk(ch.RowsData, scanKinds)
			if err != nil {
				t.Fatalf("decodeChunk: %v", err)
			}
			rows = append(rows, got...)
		}
		return rows
	}
	all := decode(cr.Data)
	if len(cr.BatchResponses) != len(tasks) {
		t.Fatalf("%d batch responses for %d tasks", len(cr.BatchResponses), len(tasks))
	}
	for i, br := range cr.BatchResponses {
		if br.TaskId != tasks[i].TaskId {
			t.Fatalf("batch response %d has task_id %d, want %d", i, br.TaskId, tasks[i].TaskId)
		}
		if br.TaskId == 1000 {
			if br.RegionError == nil || br.RegionError.EpochNotMatch == nil {
				t.Fatalf("stale task: want epoch_not_match, got %+v", br)
			}
			continue
		}
		if br.RegionError != nil || br.OtherError != "" || br.Locked != nil {
			t.Fatalf("task %d: %+v", br.TaskId, br)
		}
		all = append(all, decode(br.Data)...)
	}
	t.Logf("1 RPC, %d regions (%d tasks + a stale one): %d rows", len(locs), len(tasks)-1, len(all))
	rowsEqual(t, "store batch", all, writtenRows())
}
