// Proves the plain unary Tikv/Coprocessor entry point (client-go sends CmdCop over BatchCommands,
// so the other tests exercise that path) and its region checks: the right answer for a current
// epoch, epoch_not_match for a stale one.
package copr

import (
	"context"
	"testing"

	"github.com/pingcap/kvproto/pkg/coprocessor"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/pingcap/kvproto/pkg/tikvpb"
	"github.com/pingcap/tipb/go-tipb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func TestCopUnaryGRPCAndStaleEpoch(t *testing.T) {
	t.Log("proves: a unary Tikv/Coprocessor call (plain gRPC, kvproto types) for the region holding handle 1000 answers exactly that region's rows (Chunk encoding); the same request with a stale region epoch gets region_error.epoch_not_match and no data")
	e, ts := setup(t)
	pg := shared.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), copTimeout)
	defer cancel()
	r, err := e.c.KVStore.GetPDClient().GetRegion(ctx, recordKey(tableID, 1000))
	if err != nil || r == nil || r.Meta == nil {
		t.Fatalf("PD GetRegion: %v, %v", r, err)
	}
	peer := r.Leader
	if peer == nil || peer.GetId() == 0 {
		peer = r.Meta.GetPeers()[0]
	}
	start, end := recordPrefixRange(tableID)
	if s := r.Meta.GetStartKey(); string(s) > string(start) {
		start = s
	}
	if ek := r.Meta.GetEndKey(); len(ek) > 0 && string(ek) < string(end) {
		end = ek
	}
	conn, err := grpc.Dial(pg.TiKVAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	kv := tikvpb.NewTikvClient(conn)
	data, err := dag(tipb.EncodeType_TypeChunk, 5, tableScan()).Marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	send := func(epoch *metapb.RegionEpoch) *coprocessor.Response {
		t.Helper()
		resp, err := kv.Coprocessor(ctx, &coprocessor.Request{
			Context: &kvrpcpb.Context{RegionId: r.Meta.GetId(), RegionEpoch: epoch, Peer: peer},
			Tp:      103, Data: data, StartTs: ts,
			Ranges: []*coprocessor.KeyRange{{Start: start, End: end}},
		})
		if err != nil {
			t.Fatalf("unary Coprocessor: %v", err)
		}
		return resp
	}
	resp := send(r.Meta.GetRegionEpoch())
	if resp.RegionError != nil || resp.OtherError != "" || resp.Locked != nil {
		t.Fatalf("unary cop: region_error=%v other_error=%q locked=%v", resp.RegionError, resp.OtherError, resp.Locked)
	}
	var sel tipb.SelectResponse
	if err := sel.Unmarshal(resp.Data); err != nil {
		t.Fatalf("unmarshal SelectResponse: %v", err)
	}
	var got [][]any
	for _, ch := range sel.Chunks {
		rows, err := decodeChunk(ch.RowsData, scanKinds)
		if err != nil {
			t.Fatalf("decode chunk: %v", err)
		}
		got = append(got, rows...)
	}
	all := writtenRows()
	rowsEqual(t, "unary scan", got, rowsInRange(all, start, end))
	t.Logf("region %d (epoch %v): %d rows over unary gRPC", r.Meta.GetId(), r.Meta.GetRegionEpoch(), len(got))

	stale := *r.Meta.GetRegionEpoch()
	stale.Version--
	resp = send(&stale)
	if resp.RegionError.GetEpochNotMatch() == nil || len(resp.Data) != 0 {
		t.Fatalf("stale epoch %v: region_error=%v data=%d bytes, want epoch_not_match and no data", &stale, resp.RegionError, len(resp.Data))
	}
	t.Logf("stale epoch %v -> epoch_not_match with %d current regions", &stale, len(resp.RegionError.GetEpochNotMatch().GetCurrentRegions()))
}
