// Proves the store rejects bad input clearly and keeps serving: undecodable protobuf bytes get
// a gRPC error status, and requests with no Context, an unknown region, a stale epoch, a wrong
// store or an over-long key get a region_error / key error / gRPC status rather than a hang,
// a crash or silent success.
package badinput

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	"github.com/pingcap/kvproto/pkg/errorpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/pingcap/kvproto/pkg/tikvpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// rpcTimeout bounds each raw RPC: a server that never answers bad input fails the test.
const rpcTimeout = 10 * time.Second

// overLongKeyBytes is past TiKV's default max-key-size (8 KiB).
const overLongKeyBytes = 9 * 1024

var shared cluster.Shared

func TestMain(m *testing.M) { os.Exit(shared.Finish(m.Run())) }

// bytesCodec sends and receives raw bytes, so the test can put arbitrary bytes on the wire.
type bytesCodec struct{}

func (bytesCodec) Name() string { return "proto" } // keep content-type application/grpc+proto
func (bytesCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("bytesCodec: cannot marshal %T", v)
	}
	return *b, nil
}
func (bytesCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("bytesCodec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

type fixture struct {
	pg     *cluster.Playground
	conn   *grpc.ClientConn
	kv     tikvpb.TikvClient
	region *metapb.Region
	peer   *metapb.Peer
}

func setup(t *testing.T) *fixture {
	t.Helper()
	pg := shared.Get(t)
	raw := cluster.NewRawClient(t, pg.PDAddr, false)
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	r, err := raw.GetPDClient().GetRegion(ctx, []byte("bad/"))
	if err != nil || r == nil || r.Meta == nil {
		t.Fatalf("PD GetRegion: %v, %v", r, err)
	}
	peer := r.Leader
	if peer == nil || peer.GetId() == 0 {
		peer = r.Meta.GetPeers()[0]
	}
	conn, err := grpc.Dial(pg.TiKVAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial %s: %v", pg.TiKVAddr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &fixture{pg: pg, conn: conn, kv: tikvpb.NewTikvClient(conn), region: r.Meta, peer: peer}
}

func (f *fixture) ctx(mutate func(*kvrpcpb.Context)) *kvrpcpb.Context {
	c := &kvrpcpb.Context{RegionId: f.region.GetId(), RegionEpoch: f.region.GetRegionEpoch(), Peer: f.peer}
	if mutate != nil {
		mutate(c)
	}
	return c
}

func rpcCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	t.Cleanup(cancel)
	return ctx
}

// stillServing proves the store answers a valid request after the bad one (same connection,
// plain unary RPCs) and through the official client (BatchCommands).
func (f *fixture) stillServing(t *testing.T, after string) {
	t.Helper()
	k := []byte("bad/alive/" + after)
	put, err := f.kv.RawPut(rpcCtx(t), &kvrpcpb.RawPutRequest{Context: f.ctx(nil), Key: k, Value: []byte("ok")})
	if err != nil || put.GetRegionError() != nil || put.GetError() != "" {
		t.Fatalf("store stopped serving after %s: RawPut = %v, %v", after, put, err)
	}
	get, err := f.kv.RawGet(rpcCtx(t), &kvrpcpb.RawGetRequest{Context: f.ctx(nil), Key: k})
	if err != nil || string(get.GetValue()) != "ok" {
		t.Fatalf("store stopped serving after %s: RawGet = %v, %v", after, get, err)
	}
	raw := cluster.NewRawClient(t, f.pg.PDAddr, false)
	if v, err := raw.Get(rpcCtx(t), k); err != nil || string(v) != "ok" {
		t.Fatalf("official client cannot read after %s: %q, %v", after, v, err)
	}
}

func TestBadInputMalformedProtobuf(t *testing.T) {
	t.Log("proves: undecodable protobuf request bytes on unary Tikv methods (RawGet, KvPrewrite, KvCommit) and on the BatchCommands stream get a gRPC error status promptly, and the store keeps serving")
	f := setup(t)
	garbage := map[string][]byte{
		"truncated length-delimited field": {0x12, 0x64, 'a', 'b', 'c'},
		"over-long varint tag":             {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"wire type 7":                      {0x0f, 0x00},
	}
	// A lenient decoder may accept some of these (protobufjs ignores the wire type of a known
	// field); that is acceptable only if the answer is then a clear region error or error.
	methods := map[string]func([]byte) (string, error){
		"/tikvpb.Tikv/RawGet": func(b []byte) (string, error) {
			var r kvrpcpb.RawGetResponse
			err := r.Unmarshal(b)
			return describe(r.GetRegionError(), r.GetError(), nil), err
		},
		"/tikvpb.Tikv/KvPrewrite": func(b []byte) (string, error) {
			var r kvrpcpb.PrewriteResponse
			err := r.Unmarshal(b)
			return describe(r.GetRegionError(), keyErrors(r.GetErrors()), nil), err
		},
		"/tikvpb.Tikv/KvCommit": func(b []byte) (string, error) {
			var r kvrpcpb.CommitResponse
			err := r.Unmarshal(b)
			keyErr := ""
			if r.GetError() != nil {
				keyErr = r.GetError().String()
			}
			return describe(r.GetRegionError(), keyErr, nil), err
		},
	}
	for method, decodeAnswer := range methods {
		for name, payload := range garbage {
			in := append([]byte{}, payload...)
			var out []byte
			err := f.conn.Invoke(rpcCtx(t), method, &in, &out, grpc.ForceCodec(bytesCodec{}))
			if err == nil {
				what, decodeErr := decodeAnswer(out)
				if decodeErr != nil || what == "success" {
					t.Errorf("%s with %s (% x) succeeded (response % x: %s, %v); want a gRPC error status or a region error", method, name, payload, out, what, decodeErr)
				} else {
					t.Logf("%s with %s -> decoded leniently, answered %s (TiKV's decoder would reject the bytes with a gRPC status)", method, name, what)
				}
				continue
			}
			st, _ := status.FromError(err)
			if st.Code().String() == "DeadlineExceeded" {
				t.Errorf("%s with %s: no answer within %s", method, name, rpcTimeout)
				continue
			}
			t.Logf("%s with %s -> %s: %s", method, name, st.Code(), st.Message())
		}
	}
	f.stillServing(t, "malformed unary requests")

	// BatchCommands: one garbage frame on the stream.
	stream, err := f.conn.NewStream(rpcCtx(t), &grpc.StreamDesc{StreamName: "BatchCommands", ServerStreams: true, ClientStreams: true},
		"/tikvpb.Tikv/BatchCommands", grpc.ForceCodec(bytesCodec{}))
	if err != nil {
		t.Fatalf("open BatchCommands stream: %v", err)
	}
	in := []byte{0x0a, 0x40, 0x01} // requests[0] claims 64 bytes, has 1
	if err := stream.SendMsg(&in); err != nil {
		t.Logf("SendMsg: %v", err)
	}
	var out []byte
	err = stream.RecvMsg(&out)
	if err == nil {
		t.Errorf("BatchCommands answered a malformed frame with a normal message (% x); want the stream to fail with a status", out)
	} else {
		st, _ := status.FromError(err)
		if st.Code().String() == "DeadlineExceeded" {
			t.Errorf("BatchCommands: no answer to a malformed frame within %s", rpcTimeout)
		} else {
			t.Logf("BatchCommands with a malformed frame -> %s: %s", st.Code(), st.Message())
		}
	}
	f.stillServing(t, "a malformed BatchCommands frame")
}

// keyErrors renders KvPrewrite key errors ("" when there are none).
func keyErrors(errs []*kvrpcpb.KeyError) string {
	if len(errs) == 0 {
		return ""
	}
	return fmt.Sprint(errs)
}

// describe renders what the store answered: a gRPC status, a region error, an error string, or success.
func describe(regionErr *errorpb.Error, keyErr string, rpcErr error) string {
	switch {
	case rpcErr != nil:
		st, _ := status.FromError(rpcErr)
		return fmt.Sprintf("gRPC status %s: %s", st.Code(), st.Message())
	case regionErr != nil:
		return fmt.Sprintf("region_error %v", regionErr)
	case keyErr != "":
		return "error " + keyErr
	}
	return "success"
}

func TestBadInputInvalidRequests(t *testing.T) {
	t.Log("proves: well-formed requests that are invalid for the store get a clear rejection: no Context -> region error or status; unknown region id -> region_not_found; stale epoch -> epoch_not_match; wrong store -> store_not_match; a key over 8 KiB -> an error; the store keeps serving")
	f := setup(t)
	k := []byte("bad/k")

	t.Run("no-context", func(t *testing.T) {
		resp, err := f.kv.RawGet(rpcCtx(t), &kvrpcpb.RawGetRequest{Key: k})
		what := describe(resp.GetRegionError(), resp.GetError(), err)
		t.Logf("RawGet without Context -> %s", what)
		if err == nil && resp.GetRegionError() == nil && resp.GetError() == "" {
			t.Errorf("RawGet without Context succeeded; want a region error or gRPC status")
		}
		presp, err := f.kv.KvPrewrite(rpcCtx(t), &kvrpcpb.PrewriteRequest{
			Mutations: []*kvrpcpb.Mutation{{Op: kvrpcpb.Op_Put, Key: k, Value: []byte("v")}}, PrimaryLock: k, StartVersion: 10, LockTtl: 1000})
		t.Logf("KvPrewrite without Context -> %s", describe(presp.GetRegionError(), keyErrors(presp.GetErrors()), err))
		if err == nil && presp.GetRegionError() == nil && len(presp.GetErrors()) == 0 {
			t.Errorf("KvPrewrite without Context succeeded; want a region error or gRPC status")
		}
	})

	t.Run("unknown-region", func(t *testing.T) {
		resp, err := f.kv.RawGet(rpcCtx(t), &kvrpcpb.RawGetRequest{Key: k, Context: f.ctx(func(c *kvrpcpb.Context) { c.RegionId = 987654321 })})
		t.Logf("RawGet with unknown region id -> %s", describe(resp.GetRegionError(), resp.GetError(), err))
		if err != nil || resp.GetRegionError().GetRegionNotFound() == nil {
			t.Errorf("want region_error.region_not_found, got %s", describe(resp.GetRegionError(), resp.GetError(), err))
		}
	})

	t.Run("stale-epoch", func(t *testing.T) {
		epoch := *f.region.GetRegionEpoch()
		epoch.Version += 10
		resp, err := f.kv.RawPut(rpcCtx(t), &kvrpcpb.RawPutRequest{Key: k, Value: []byte("v"),
			Context: f.ctx(func(c *kvrpcpb.Context) { c.RegionEpoch = &epoch })})
		t.Logf("RawPut with epoch version+10 -> %s", describe(resp.GetRegionError(), resp.GetError(), err))
		if err != nil || resp.GetRegionError().GetEpochNotMatch() == nil {
			t.Errorf("want region_error.epoch_not_match, got %s", describe(resp.GetRegionError(), resp.GetError(), err))
		} else if len(resp.GetRegionError().GetEpochNotMatch().GetCurrentRegions()) == 0 {
			t.Errorf("epoch_not_match carries no current_regions (TiKV includes the current region so clients can update their cache)")
		}
		// No epoch at all: TiKV answers "missing epoch!" as a region error.
		resp, err = f.kv.RawPut(rpcCtx(t), &kvrpcpb.RawPutRequest{Key: k, Value: []byte("v"),
			Context: f.ctx(func(c *kvrpcpb.Context) { c.RegionEpoch = nil })})
		t.Logf("RawPut with no epoch -> %s", describe(resp.GetRegionError(), resp.GetError(), err))
		if err == nil && resp.GetRegionError() == nil && resp.GetError() == "" {
			t.Errorf("RawPut without a region epoch succeeded; want a region error")
		}
	})

	t.Run("wrong-store", func(t *testing.T) {
		resp, err := f.kv.RawGet(rpcCtx(t), &kvrpcpb.RawGetRequest{Key: k,
			Context: f.ctx(func(c *kvrpcpb.Context) {
				c.Peer = &metapb.Peer{Id: f.peer.GetId(), StoreId: f.peer.GetStoreId() + 1000}
			})})
		t.Logf("RawGet addressed to another store -> %s", describe(resp.GetRegionError(), resp.GetError(), err))
		if err != nil || resp.GetRegionError().GetStoreNotMatch() == nil {
			t.Errorf("want region_error.store_not_match, got %s", describe(resp.GetRegionError(), resp.GetError(), err))
		}
	})

	t.Run("key-over-8KiB", func(t *testing.T) {
		big := append([]byte("bad/big/"), bytes.Repeat([]byte{'x'}, overLongKeyBytes)...)
		resp, err := f.kv.RawPut(rpcCtx(t), &kvrpcpb.RawPutRequest{Context: f.ctx(nil), Key: big, Value: []byte("v")})
		t.Logf("RawPut with a %d-byte key -> %s", len(big), describe(resp.GetRegionError(), resp.GetError(), err))
		if err == nil && resp.GetRegionError() == nil && resp.GetError() == "" {
			t.Errorf("RawPut with a %d-byte key succeeded; TiKV rejects keys over max-key-size (8 KiB)", len(big))
		}
		ts := uint64(time.Now().UnixMilli()) << 18
		presp, err := f.kv.KvPrewrite(rpcCtx(t), &kvrpcpb.PrewriteRequest{Context: f.ctx(nil),
			Mutations: []*kvrpcpb.Mutation{{Op: kvrpcpb.Op_Put, Key: big, Value: []byte("v")}}, PrimaryLock: big, StartVersion: ts, LockTtl: 1000})
		t.Logf("KvPrewrite with a %d-byte key -> %s", len(big), describe(presp.GetRegionError(), keyErrors(presp.GetErrors()), err))
		if err == nil && presp.GetRegionError() == nil && len(presp.GetErrors()) == 0 {
			t.Errorf("KvPrewrite with a %d-byte key succeeded; TiKV rejects keys over max-key-size (8 KiB)", len(big))
			// Do not leave the lock behind.
			_, _ = f.kv.KvBatchRollback(rpcCtx(t), &kvrpcpb.BatchRollbackRequest{Context: f.ctx(nil), StartVersion: ts, Keys: [][]byte{big}})
		}
	})

	f.stillServing(t, "invalid requests")
}
