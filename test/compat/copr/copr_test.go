// Proves the store's coprocessor (Tikv/Coprocessor, tp 103) against DAGs built with the official
// tipb Go types: per-region partial results (scan, selection, aggregation, TopN, Limit,
// projection; Default and Chunk encodings) merge to what the test computes from the rows it wrote.
package copr

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	"github.com/pingcap/kvproto/pkg/coprocessor"
	"github.com/pingcap/tipb/go-tipb"
	"github.com/tikv/client-go/v2/tikv"
	"github.com/tikv/client-go/v2/tikvrpc"
	"github.com/tikv/client-go/v2/txnkv"
)

const (
	regionSplitKeys = 200
	opTimeout       = 60 * time.Second
	copTimeout      = 20 * time.Second
	tableID         = int64(4242)
	rowCount        = 2000
	// Column ids of the test table t(id BIGINT PRIMARY KEY (handle), a BIGINT, b DOUBLE, c VARCHAR(64), d DECIMAL(10,2)).
	colID, colA, colB, colC, colD = 1, 2, 3, 4, 5
	// MySQL type codes.
	tpLonglong, tpDouble, tpVarchar, tpNewDecimal = 8, 5, 15, 246
	flagBinary                                    = 128
	collUTF8MB4Bin                                = -46
	// A plain SELECT's statement flags (coprocessor.md §2.2).
	selectFlags = 482
)

var shared = cluster.Shared{Opts: cluster.Options{RegionSplitKeys: regionSplitKeys}}

func TestMain(m *testing.M) { os.Exit(shared.Finish(m.Run())) }

func opCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	t.Cleanup(cancel)
	return ctx
}

// row is one written row of the test table; nil fields are NULL.
type row struct {
	id int64
	a  *int64
	b  *float64
	c  *string
	d  *decimalValue
}

func makeRows() []row {
	rows := make([]row, 0, rowCount)
	for i := int64(1); i <= rowCount; i++ {
		r := row{id: i}
		if i%50 != 0 {
			a := (i*7919)%1000 - 300
			r.a = &a
		}
		if i%37 != 0 {
			b := float64(i)*0.25 - 100
			r.b = &b
		}
		if i%41 != 0 {
			c := fmt.Sprintf("%c%04d-é", 'v'+rune(i%4), i)
			r.c = &c
		}
		if i%43 != 0 {
			d := decimalValue{prec: 10, frac: 2, unscaled: (i*137)%100000 - 20000}
			r.d = &d
		}
		rows = append(rows, r)
	}
	return rows
}

func (r row) value() []byte {
	cols := []rowCol{{id: colA}, {id: colB}, {id: colC}, {id: colD}}
	if r.a != nil {
		cols[0].val = *r.a
	}
	if r.b != nil {
		cols[1].val = *r.b
	}
	if r.c != nil {
		cols[2].val = *r.c
	}
	if r.d != nil {
		cols[3].val = *r.d
	}
	return encodeRowV2(cols)
}

// writtenRows is every written row in scan layout, in handle (= key) order.
func writtenRows() [][]any {
	out := make([][]any, len(written))
	for i, r := range written {
		out[i] = r.asAny()
	}
	return out
}

// asAny is the row in the scan's output order [id, a, b, c, d] as decoded values.
func (r row) asAny() []any {
	out := []any{r.id, nil, nil, nil, nil}
	if r.a != nil {
		out[1] = *r.a
	}
	if r.b != nil {
		out[2] = *r.b
	}
	if r.c != nil {
		out[3] = *r.c
	}
	if r.d != nil {
		out[4] = r.d.rat()
	}
	return out
}

// ---- tipb builders (official Go types) ----

func ftInt() *tipb.FieldType {
	return &tipb.FieldType{Tp: tpLonglong, Flag: flagBinary, Flen: 20, Collate: 63, Charset: "binary"}
}
func ftReal() *tipb.FieldType {
	return &tipb.FieldType{Tp: tpDouble, Flag: flagBinary, Flen: 22, Decimal: -1, Collate: 63, Charset: "binary"}
}
func ftString() *tipb.FieldType {
	return &tipb.FieldType{Tp: tpVarchar, Flen: 64, Collate: collUTF8MB4Bin, Charset: "utf8mb4"}
}
func ftDecimal(flen, dec int32) *tipb.FieldType {
	return &tipb.FieldType{Tp: tpNewDecimal, Flag: flagBinary, Flen: flen, Decimal: dec, Collate: 63, Charset: "binary"}
}

func colRef(offset int64, ft *tipb.FieldType) *tipb.Expr {
	return &tipb.Expr{Tp: tipb.ExprType_ColumnRef, Val: encodeInt(offset), FieldType: ft}
}
func constInt(v int64) *tipb.Expr {
	return &tipb.Expr{Tp: tipb.ExprType_Int64, Val: encodeInt(v), FieldType: ftInt()}
}
func constReal(v float64) *tipb.Expr {
	return &tipb.Expr{Tp: tipb.ExprType_Float64, Val: encodeFloat(v), FieldType: ftReal()}
}
func constString(s string) *tipb.Expr {
	return &tipb.Expr{Tp: tipb.ExprType_String, Val: []byte(s), FieldType: ftString()}
}
func scalar(sig tipb.ScalarFuncSig, ft *tipb.FieldType, children ...*tipb.Expr) *tipb.Expr {
	return &tipb.Expr{Tp: tipb.ExprType_ScalarFunc, Sig: sig, FieldType: ft, Children: children}
}
func aggFunc(tp tipb.ExprType, ft *tipb.FieldType, arg *tipb.Expr) *tipb.Expr {
	return &tipb.Expr{Tp: tp, FieldType: ft, Children: []*tipb.Expr{arg}}
}

// tableScan outputs [id, a, b, c, d] (offsets 0..4); id is the int handle.
func tableScan() *tipb.Executor {
	return &tipb.Executor{Tp: tipb.ExecType_TypeTableScan, TblScan: &tipb.TableScan{
		TableId: tableID,
		Columns: []*tipb.ColumnInfo{
			{ColumnId: colID, Tp: tpLonglong, Flag: 2 | 1 | flagBinary, ColumnLen: 20, Collation: 63, PkHandle: true},
			{ColumnId: colA, Tp: tpLonglong, Flag: flagBinary, ColumnLen: 20, Collation: 63},
			{ColumnId: colB, Tp: tpDouble, Flag: flagBinary, ColumnLen: 22, Decimal: -1, Collation: 63},
			{ColumnId: colC, Tp: tpVarchar, ColumnLen: 64, Collation: collUTF8MB4Bin},
			{ColumnId: colD, Tp: tpNewDecimal, Flag: flagBinary, ColumnLen: 10, Decimal: 2, Collation: 63},
		},
	}}
}

var scanKinds = []colKind{kindInt, kindInt, kindReal, kindBytes, kindDecimal}

func dag(enc tipb.EncodeType, nOut int, execs ...*tipb.Executor) *tipb.DAGRequest {
	offs := make([]uint32, nOut)
	for i := range offs {
		offs[i] = uint32(i)
	}
	d := &tipb.DAGRequest{Executors: execs, Flags: selectFlags, OutputOffsets: offs, EncodeType: enc, TimeZoneName: "UTC"}
	if enc == tipb.EncodeType_TypeChunk {
		d.ChunkMemoryLayout = &tipb.ChunkMemoryLayout{Endian: tipb.Endian_LittleEndian}
	}
	return d
}

// ---- sending ----

type env struct {
	c *txnkv.Client
}

// regionResult is one region's answer.
type regionResult struct {
	startKey, endKey []byte
	resp             *coprocessor.Response
}

// sendRaw sends a tp-103 request with arbitrary data to every region of [start, end) and returns the
// responses in key order. Region errors (a split during the walk) re-locate and retry that part.
func (e *env) sendRaw(t *testing.T, data []byte, startTS uint64, start, end []byte) []regionResult {
	t.Helper()
	return e.sendTp(t, 103, data, startTS, start, end)
}

// sendTp is sendRaw for any coprocessor request type (103 DAG, 105 checksum).
func (e *env) sendTp(t *testing.T, tp int64, data []byte, startTS uint64, start, end []byte) []regionResult {
	t.Helper()
	ctx := opCtx(t)
	bo := tikv.NewBackofferWithVars(ctx, 20000, nil)
	cache := e.c.KVStore.GetRegionCache()
	var out []regionResult
	key := start
	for attempts := 0; len(key) > 0 && string(key) < string(end); attempts++ {
		if attempts > 200 {
			t.Fatalf("too many region retries walking [%x, %x)", start, end)
		}
		loc, err := cache.LocateKey(bo, key)
		if err != nil {
			t.Fatalf("LocateKey(%x): %v", key, err)
		}
		rEnd := end
		if len(loc.EndKey) > 0 && string(loc.EndKey) < string(end) {
			rEnd = loc.EndKey
		}
		req := tikvrpc.NewRequest(tikvrpc.CmdCop, &coprocessor.Request{
			Tp: tp, Data: data, StartTs: startTS,
			Ranges: []*coprocessor.KeyRange{{Start: key, End: rEnd}},
		})
		resp, err := e.c.KVStore.SendReq(bo, req, loc.Region, copTimeout)
		if err != nil {
			t.Fatalf("SendReq cop region %v: %v", loc.Region, err)
		}
		if rerr, err := resp.GetRegionError(); err != nil {
			t.Fatalf("GetRegionError: %v", err)
		} else if rerr != nil {
			cache.InvalidateCachedRegion(loc.Region)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		cr, ok := resp.Resp.(*coprocessor.Response)
		if !ok || cr == nil {
			t.Fatalf("cop response type %T", resp.Resp)
		}
		if cr.RegionError != nil {
			cache.InvalidateCachedRegion(loc.Region)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		out = append(out, regionResult{startKey: key, endKey: rEnd, resp: cr})
		key = rEnd
		if len(loc.EndKey) == 0 {
			break
		}
	}
	return out
}

// run sends d to every region of the table and returns each region's decoded rows (kinds give
// the output column layout for Chunk decoding). Any other_error / locked / SelectResponse.error fails.
func (e *env) run(t *testing.T, d *tipb.DAGRequest, kinds []colKind, startTS uint64) []regionRows {
	t.Helper()
	data, err := d.Marshal()
	if err != nil {
		t.Fatalf("marshal DAG: %v", err)
	}
	start, end := recordPrefixRange(tableID)
	var perRegion []regionRows
	for _, rr := range e.sendRaw(t, data, startTS, start, end) {
		cr := rr.resp
		if cr.OtherError != "" || cr.Locked != nil {
			t.Fatalf("region [%x,%x): other_error=%q locked=%v", rr.startKey, rr.endKey, cr.OtherError, cr.Locked)
		}
		if cr.Range != nil {
			t.Fatalf("region [%x,%x): response has a paging range %v although paging_size was 0", rr.startKey, rr.endKey, cr.Range)
		}
		var sel tipb.SelectResponse
		if err := sel.Unmarshal(cr.Data); err != nil {
			t.Fatalf("unmarshal SelectResponse: %v", err)
		}
		if sel.Error != nil {
			t.Fatalf("SelectResponse.error %d %q", sel.Error.Code, sel.Error.Msg)
		}
		if sel.EncodeType != d.EncodeType {
			t.Fatalf("SelectResponse.encode_type %v, requested %v (no downgrade expected for these types)", sel.EncodeType, d.EncodeType)
		}
		var rows [][]any
		for ci, ch := range sel.Chunks {
			var got [][]any
			var err error
			if d.EncodeType == tipb.EncodeType_TypeChunk {
				got, err = decodeChunk(ch.RowsData, kinds)
			} else {
				got, err = decodeDefaultRows(ch.RowsData, len(kinds))
			}
			if err != nil {
				t.Fatalf("region [%x,%x) chunk %d (%v): %v", rr.startKey, rr.endKey, ci, d.EncodeType, err)
			}
			rows = append(rows, got...)
		}
		perRegion = append(perRegion, regionRows{startKey: rr.startKey, endKey: rr.endKey, rows: rows,
			outputCounts: sel.OutputCounts, summaries: sel.ExecutionSummaries})
	}
	return perRegion
}

// regionRows is one region's decoded output rows and the range it was asked for.
type regionRows struct {
	startKey, endKey []byte
	rows             [][]any
	outputCounts     []int64                          // SelectResponse.output_counts
	summaries        []*tipb.ExecutorExecutionSummary // SelectResponse.execution_summaries
}

func flatten(perRegion []regionRows) [][]any {
	var all [][]any
	for _, r := range perRegion {
		all = append(all, r.rows...)
	}
	return all
}

// ---- comparisons ----

func valEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case *big.Rat:
		y, ok := b.(*big.Rat)
		return ok && x.Cmp(y) == 0
	default:
		return a == b
	}
}

func fmtVal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case *big.Rat:
		return x.FloatString(4)
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprintf("%v(%T)", x, x)
	}
}

func fmtRow(r []any) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = fmtVal(v)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func rowsEqual(t *testing.T, what string, got, want [][]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d (first got %v)", what, len(got), len(want), firstRows(got))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s row %d: %d columns, want %d", what, i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			if !valEqual(got[i][j], want[i][j]) {
				t.Fatalf("%s row %d col %d: got %s, want %s (row got %s want %s)", what, i, j,
					fmtVal(got[i][j]), fmtVal(want[i][j]), fmtRow(got[i]), fmtRow(want[i]))
			}
		}
	}
}

func firstRows(r [][]any) string {
	if len(r) > 3 {
		r = r[:3]
	}
	s := make([]string, len(r))
	for i := range r {
		s[i] = fmtRow(r[i])
	}
	return strings.Join(s, ",")
}

var encodings = []tipb.EncodeType{tipb.EncodeType_TypeDefault, tipb.EncodeType_TypeChunk}

// ---- setup ----

var (
	written   []row
	setupDone bool
)

// setup writes the table once (batches of 250 rows per transaction), splits it explicitly and
// returns a client and a read ts after the writes.
func setup(t *testing.T) (*env, uint64) {
	t.Helper()
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	e := &env{c: c}
	if !setupDone {
		written = makeRows()
		for i := 0; i < len(written); i += 250 {
			txn, err := c.Begin()
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			for _, r := range written[i:min(i+250, len(written))] {
				if err := txn.Set(recordKey(tableID, r.id), r.value()); err != nil {
					t.Fatalf("Set: %v", err)
				}
			}
			if err := txn.Commit(opCtx(t)); err != nil {
				t.Fatalf("Commit rows %d..: %v", i, err)
			}
		}
		var splitKeys [][]byte
		for h := int64(333); h < rowCount; h += 333 {
			splitKeys = append(splitKeys, recordKey(tableID, h))
		}
		if _, err := c.KVStore.SplitRegions(opCtx(t), splitKeys, false, nil); err != nil {
			t.Fatalf("SplitRegions: %v", err)
		}
		setupDone = true
	}
	ts, err := c.GetTimestamp(opCtx(t))
	if err != nil {
		t.Fatalf("GetTimestamp: %v", err)
	}
	return e, ts
}

func TestCopCodecHelpers(t *testing.T) {
	t.Log("proves: the test's own encoders match the byte examples of coprocessor.md §6 (record key, row v2, decimal bin), so later comparisons test the server and not the helper")
	if got := fmt.Sprintf("%x", recordKey(42, 7)); got != "74800000000000002a5f728000000000000007" {
		t.Fatalf("recordKey(42,7) = %s", got)
	}
	if got := fmt.Sprintf("%x", decimalBin(decimalValue{5, 2, 12345})); got != "807b2d" {
		t.Fatalf("decimalBin(123.45) = %s", got)
	}
	if got := fmt.Sprintf("%x", decimalBin(decimalValue{5, 2, -12345})); got != "7f84d2" {
		t.Fatalf("decimalBin(-123.45) = %s", got)
	}
	for _, v := range []int64{0, 1, -1, 12345, -12345, 99999999, -100, 2000000000} {
		d := decimalValue{10, 2, v}
		r, err := decodeDecimalBin(10, 2, decimalBin(d))
		if err != nil || r.Cmp(d.rat()) != 0 {
			t.Fatalf("decimal round trip %d: %v %v", v, r, err)
		}
	}
	got := fmt.Sprintf("%x", encodeRowV2([]rowCol{{1, int64(5)}, {2, "ab"}, {3, nil}}))
	if got != "80000200010001020301000300056162" {
		t.Fatalf("encodeRowV2 example = %s", got)
	}
}
