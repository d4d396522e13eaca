// Proves each pushed-down executor region by region: TableScan, Selection, hash Aggregation
// (TiDB's partial layout), TopN, Limit and Projection, in Default and Chunk encodings, merged in
// Go and compared with values computed from the written rows.
package copr

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"

	"github.com/pingcap/tipb/go-tipb"
)

func TestCopTableScan(t *testing.T) {
	t.Log("proves: a TableScan DAG sent to every region returns exactly the written rows in key order (int handle from the key, row v2 BIGINT/DOUBLE/VARCHAR/DECIMAL values, NULLs), in Default and Chunk encodings; output_counts = rows scanned per range")
	e, ts := setup(t)
	want := writtenRows()
	for _, enc := range encodings {
		per := e.run(t, dag(enc, 5, tableScan()), scanKinds, ts)
		if len(per) < 3 {
			t.Fatalf("table spans %d regions; the test needs several", len(per))
		}
		counts := make([]int, len(per))
		for i, p := range per {
			counts[i] = len(p.rows)
		}
		t.Logf("%v: %d regions, rows per region %v", enc, len(per), counts)
		for i, p := range per {
			if len(p.outputCounts) != 1 || p.outputCounts[0] != int64(len(p.rows)) {
				t.Errorf("%v region %d: output_counts %v, want [%d] (rows scanned in the one range, as TiKV always fills)", enc, i, p.outputCounts, len(p.rows))
			}
		}
		rowsEqual(t, "scan "+enc.String(), flatten(per), want)
	}
}

func TestCopSelection(t *testing.T) {
	t.Log("proves: Selection with a > 100 AND c LIKE 'x%' (GTInt, LikeSig with escape '\\\\') keeps exactly the matching rows; NULL a or c never matches; with collect_execution_summaries each region answers one summary per executor whose num_produced_rows are the scanned and the kept rows")
	e, ts := setup(t)
	const k = 100
	var want [][]any
	for _, r := range written {
		if r.a != nil && *r.a > k && r.c != nil && strings.HasPrefix(*r.c, "x") {
			want = append(want, r.asAny())
		}
	}
	sel := &tipb.Executor{Tp: tipb.ExecType_TypeSelection, Selection: &tipb.Selection{Conditions: []*tipb.Expr{
		scalar(tipb.ScalarFuncSig_GTInt, ftInt(), colRef(1, ftInt()), constInt(k)),
		scalar(tipb.ScalarFuncSig_LikeSig, ftInt(), colRef(3, ftString()), constString("x%"), constInt('\\')),
	}}}
	all := writtenRows()
	for _, enc := range encodings {
		d := dag(enc, 5, tableScan(), sel)
		collect := true
		d.CollectExecutionSummaries = &collect
		per := e.run(t, d, scanKinds, ts)
		got := flatten(per)
		t.Logf("%v: %d rows matched (expected %d)", enc, len(got), len(want))
		rowsEqual(t, "selection "+enc.String(), got, want)
		// collect_execution_summaries: exactly one summary per executor, in request order.
		for i, p := range per {
			scanned := len(rowsInRange(all, p.startKey, p.endKey))
			if len(p.summaries) != 2 {
				t.Fatalf("%v region %d: %d execution summaries for 2 executors", enc, i, len(p.summaries))
			}
			if n := p.summaries[0].GetNumProducedRows(); n != uint64(scanned) {
				t.Errorf("%v region %d: TableScan summary num_produced_rows %d, want %d", enc, i, n, scanned)
			}
			if n := p.summaries[1].GetNumProducedRows(); n != uint64(len(p.rows)) {
				t.Errorf("%v region %d: Selection summary num_produced_rows %d, want %d", enc, i, n, len(p.rows))
			}
		}
	}
}

// aggState is the merged partial aggregate of one group.
type aggState struct {
	count  int64
	sum    *big.Rat // SUM(a): nil until a non-NULL a
	max    *float64 // MAX(b): nil until a non-NULL b
	countC int64    // COUNT(c): non-NULL c only
	sumD   *big.Rat // SUM(d): nil until a non-NULL d
	minC   *string  // MIN(c) under utf8mb4_bin: nil until a non-NULL c
}

func addRat(acc **big.Rat, v *big.Rat) {
	if *acc == nil {
		*acc = new(big.Rat)
	}
	(*acc).Add(*acc, v)
}

func (s *aggState) String() string {
	minC := "NULL"
	if s.minC != nil {
		minC = *s.minC
	}
	return fmt.Sprintf("count=%d sum(a)=%s max(b)=%v count(c)=%d sum(d)=%s min(c)=%s",
		s.count, ratStr(s.sum), fptr(s.max), s.countC, ratStr(s.sumD), minC)
}

func (s *aggState) equal(o *aggState) bool {
	ratEq := func(x, y *big.Rat) bool { return (x == nil) == (y == nil) && (x == nil || x.Cmp(y) == 0) }
	return s.count == o.count && ratEq(s.sum, o.sum) && (s.max == nil) == (o.max == nil) &&
		(s.max == nil || *s.max == *o.max) && s.countC == o.countC && ratEq(s.sumD, o.sumD) &&
		(s.minC == nil) == (o.minC == nil) && (s.minC == nil || *s.minC == *o.minC)
}

func groupKey(v any) string {
	if v == nil {
		return "NULL"
	}
	return fmtVal(v)
}

func TestCopAggregation(t *testing.T) {
	t.Log("proves: hash Aggregation COUNT(1), SUM(a), MAX(b), COUNT(c), SUM(d), MIN(c) GROUP BY a % 10 answers per region in TiDB's partial layout [aggregates in order, then the group key] (SUMs as exact DECIMAL, COUNT(c) skips NULLs), one row per group per region, and the per-region partials merge to the totals computed from the written rows (NULL a forms its own group)")
	e, ts := setup(t)
	want := map[string]*aggState{}
	for _, r := range written {
		var g any
		if r.a != nil {
			g = *r.a % 10
		}
		s := want[groupKey(g)]
		if s == nil {
			s = &aggState{}
			want[groupKey(g)] = s
		}
		s.count++
		if r.a != nil {
			addRat(&s.sum, new(big.Rat).SetInt64(*r.a))
		}
		if r.b != nil && (s.max == nil || *r.b > *s.max) {
			b := *r.b
			s.max = &b
		}
		if r.c != nil {
			s.countC++
			if s.minC == nil || *r.c < *s.minC {
				c := *r.c
				s.minC = &c
			}
		}
		if r.d != nil {
			addRat(&s.sumD, r.d.rat())
		}
	}
	agg := &tipb.Executor{Tp: tipb.ExecType_TypeAggregation, Aggregation: &tipb.Aggregation{
		GroupBy: []*tipb.Expr{scalar(tipb.ScalarFuncSig_ModInt, ftInt(), colRef(1, ftInt()), constInt(10))},
		AggFunc: []*tipb.Expr{
			aggFunc(tipb.ExprType_Count, &tipb.FieldType{Tp: tpLonglong, Flag: flagBinary | 1, Flen: 21, Collate: 63, Charset: "binary"}, constInt(1)),
			aggFunc(tipb.ExprType_Sum, ftDecimal(41, 0), colRef(1, ftInt())),
			aggFunc(tipb.ExprType_Max, ftReal(), colRef(2, ftReal())),
			aggFunc(tipb.ExprType_Count, &tipb.FieldType{Tp: tpLonglong, Flag: flagBinary | 1, Flen: 21, Collate: 63, Charset: "binary"}, colRef(3, ftString())),
			aggFunc(tipb.ExprType_Sum, ftDecimal(32, 2), colRef(4, ftDecimal(10, 2))),
			aggFunc(tipb.ExprType_Min, ftString(), colRef(3, ftString())),
		},
	}}
	kinds := []colKind{kindInt, kindDecimal, kindReal, kindInt, kindDecimal, kindBytes, kindInt}
	const groupCol = 6
	for _, enc := range encodings {
		per := e.run(t, dag(enc, len(kinds), tableScan(), agg), kinds, ts)
		got := map[string]*aggState{}
		for ri, p := range per {
			seen := map[string]bool{}
			for _, row := range p.rows {
				k := groupKey(row[groupCol])
				if seen[k] {
					t.Fatalf("%v region %d: group %s appears twice", enc, ri, k)
				}
				seen[k] = true
				cnt, ok := row[0].(int64)
				if !ok {
					t.Fatalf("%v region %d group %s: count is %s, want an int", enc, ri, k, fmtVal(row[0]))
				}
				s := got[k]
				if s == nil {
					s = &aggState{}
					got[k] = s
				}
				s.count += cnt
				for _, sc := range []struct {
					col int
					acc **big.Rat
				}{{1, &s.sum}, {4, &s.sumD}} {
					switch v := row[sc.col].(type) {
					case nil:
					case *big.Rat:
						addRat(sc.acc, v)
					default:
						t.Fatalf("%v region %d group %s: column %d (SUM) is %s, want DECIMAL", enc, ri, k, sc.col, fmtVal(v))
					}
				}
				cntC, ok := row[3].(int64)
				if !ok {
					t.Fatalf("%v region %d group %s: count(c) is %s, want an int", enc, ri, k, fmtVal(row[3]))
				}
				s.countC += cntC
				switch v := row[5].(type) {
				case nil:
				case string:
					if s.minC == nil || v < *s.minC {
						s.minC = &v
					}
				default:
					t.Fatalf("%v region %d group %s: min(c) is %s, want a string", enc, ri, k, fmtVal(v))
				}
				switch v := row[2].(type) {
				case nil:
				case float64:
					if s.max == nil || v > *s.max {
						s.max = &v
					}
				default:
					t.Fatalf("%v region %d group %s: max is %s, want DOUBLE", enc, ri, k, fmtVal(v))
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%v: %d groups, want %d", enc, len(got), len(want))
		}
		for k, w := range want {
			g := got[k]
			if g == nil {
				t.Fatalf("%v: group %s missing", enc, k)
			}
			if !g.equal(w) {
				t.Fatalf("%v group %s: got %s, want %s", enc, k, g, w)
			}
		}
		t.Logf("%v: %d groups merged from %d regions match", enc, len(got), len(per))
	}
}

func ratStr(r *big.Rat) string {
	if r == nil {
		return "NULL"
	}
	return r.FloatString(2)
}

func fptr(f *float64) any {
	if f == nil {
		return "NULL"
	}
	return *f
}

// aDescLess orders scan rows by a descending, NULLs last (MySQL: NULL is smallest).
func aDesc(x, y []any) bool {
	if x[1] == nil || y[1] == nil {
		return x[1] != nil && y[1] == nil
	}
	return x[1].(int64) > y[1].(int64)
}

func TestCopTopNAndLimit(t *testing.T) {
	t.Log("proves: TopN ORDER BY a DESC LIMIT 10 returns per region its 10 largest a in order, and the merged top 10 equals the global top 10; Limit 10 returns each region's first 10 rows in key order")
	e, ts := setup(t)
	var wantA []any
	all := writtenRows()
	sorted := append([][]any(nil), all...)
	sort.SliceStable(sorted, func(i, j int) bool { return aDesc(sorted[i], sorted[j]) })
	for _, r := range sorted[:10] {
		wantA = append(wantA, r[1])
	}
	byID := map[int64][]any{}
	for _, r := range all {
		byID[r[0].(int64)] = r
	}
	topN := &tipb.Executor{Tp: tipb.ExecType_TypeTopN, TopN: &tipb.TopN{Limit: 10,
		OrderBy: []*tipb.ByItem{{Expr: colRef(1, ftInt()), Desc: true}}}}
	limit := &tipb.Executor{Tp: tipb.ExecType_TypeLimit, Limit: &tipb.Limit{Limit: 10}}
	for _, enc := range encodings {
		per := e.run(t, dag(enc, 5, tableScan(), topN), scanKinds, ts)
		var merged [][]any
		for ri, p := range per {
			inRegion := rowsInRange(all, p.startKey, p.endKey)
			if len(p.rows) != min(10, len(inRegion)) {
				t.Fatalf("%v topN region %d: %d rows, want %d", enc, ri, len(p.rows), min(10, len(inRegion)))
			}
			regionSorted := append([][]any(nil), inRegion...)
			sort.SliceStable(regionSorted, func(i, j int) bool { return aDesc(regionSorted[i], regionSorted[j]) })
			for i, row := range p.rows {
				id, _ := row[0].(int64)
				rowsEqual(t, "topN row vs written row", [][]any{row}, [][]any{byID[id]})
				if !valEqual(row[1], regionSorted[i][1]) {
					t.Fatalf("%v topN region %d row %d: a=%s, want %s", enc, ri, i, fmtVal(row[1]), fmtVal(regionSorted[i][1]))
				}
			}
			merged = append(merged, p.rows...)
		}
		sort.SliceStable(merged, func(i, j int) bool { return aDesc(merged[i], merged[j]) })
		for i := range wantA {
			if !valEqual(merged[i][1], wantA[i]) {
				t.Fatalf("%v merged topN %d: a=%s, want %s", enc, i, fmtVal(merged[i][1]), fmtVal(wantA[i]))
			}
		}
		t.Logf("%v: TopN over %d regions, global top a values %v", enc, len(per), wantA)

		per = e.run(t, dag(enc, 5, tableScan(), limit), scanKinds, ts)
		for ri, p := range per {
			inRegion := rowsInRange(all, p.startKey, p.endKey)
			rowsEqual(t, enc.String()+" limit region "+itoa(ri), p.rows, inRegion[:min(10, len(inRegion))])
		}
		t.Logf("%v: Limit 10 over %d regions matches each region's first rows", enc, len(per))
	}
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// rowsInRange are the written rows (scan layout) whose record key is in [start, end).
func rowsInRange(all [][]any, start, end []byte) [][]any {
	var out [][]any
	for _, r := range all {
		k := string(recordKey(tableID, r[0].(int64)))
		if k >= string(start) && k < string(end) {
			out = append(out, r)
		}
	}
	return out
}

func TestCopProjection(t *testing.T) {
	t.Log("proves: Projection [a*2+1 (MultiplyInt, PlusInt), b*2.5 (MultiplyReal), id, c, d] evaluates per row with NULL propagation, in Default and Chunk encodings")
	e, ts := setup(t)
	proj := &tipb.Executor{Tp: tipb.ExecType_TypeProjection, Projection: &tipb.Projection{Exprs: []*tipb.Expr{
		scalar(tipb.ScalarFuncSig_PlusInt, ftInt(), scalar(tipb.ScalarFuncSig_MultiplyInt, ftInt(), colRef(1, ftInt()), constInt(2)), constInt(1)),
		scalar(tipb.ScalarFuncSig_MultiplyReal, ftReal(), colRef(2, ftReal()), constReal(2.5)),
		colRef(0, ftInt()),
		colRef(3, ftString()),
		colRef(4, ftDecimal(10, 2)),
	}}}
	var want [][]any
	for _, r := range written {
		w := []any{nil, nil, r.id, nil, nil}
		if r.a != nil {
			w[0] = *r.a*2 + 1
		}
		if r.b != nil {
			w[1] = *r.b * 2.5
		}
		if r.c != nil {
			w[3] = *r.c
		}
		if r.d != nil {
			w[4] = r.d.rat()
		}
		want = append(want, w)
	}
	kinds := []colKind{kindInt, kindReal, kindInt, kindBytes, kindDecimal}
	for _, enc := range encodings {
		rowsEqual(t, "projection "+enc.String(), flatten(e.run(t, dag(enc, 5, tableScan(), proj), kinds, ts)), want)
		t.Logf("%v: %d projected rows match", enc, len(want))
	}
}

func TestCopSimpleAggregation(t *testing.T) {
	t.Log("proves: an Aggregation without GROUP BY (COUNT(1), SUM(a) over a > 650) answers one row in regions with matching rows and, like TiKV, no row in regions without any; the counts and sums add up")
	e, ts := setup(t)
	const k = 650
	sel := &tipb.Executor{Tp: tipb.ExecType_TypeSelection, Selection: &tipb.Selection{Conditions: []*tipb.Expr{
		scalar(tipb.ScalarFuncSig_GTInt, ftInt(), colRef(1, ftInt()), constInt(k))}}}
	agg := &tipb.Executor{Tp: tipb.ExecType_TypeAggregation, Aggregation: &tipb.Aggregation{AggFunc: []*tipb.Expr{
		aggFunc(tipb.ExprType_Count, &tipb.FieldType{Tp: tpLonglong, Flag: flagBinary | 1, Flen: 21, Collate: 63, Charset: "binary"}, constInt(1)),
		aggFunc(tipb.ExprType_Sum, ftDecimal(41, 0), colRef(1, ftInt())),
	}}}
	all := writtenRows()
	kinds := []colKind{kindInt, kindDecimal}
	for _, enc := range encodings {
		per := e.run(t, dag(enc, 2, tableScan(), sel, agg), kinds, ts)
		var total int64
		totalSum := new(big.Rat)
		empty := 0
		for ri, p := range per {
			var n int64
			sum := new(big.Rat)
			for _, r := range rowsInRange(all, p.startKey, p.endKey) {
				if r[1] != nil && r[1].(int64) > k {
					n++
					sum.Add(sum, new(big.Rat).SetInt64(r[1].(int64)))
				}
			}
			if n == 0 {
				empty++
				if len(p.rows) != 0 {
					t.Fatalf("%v region %d has no row with a > %d but answered %d rows (first %s); TiKV answers none", enc, ri, k, len(p.rows), fmtRow(p.rows[0]))
				}
				continue
			}
			if len(p.rows) != 1 {
				t.Fatalf("%v region %d: %d rows, want 1", enc, ri, len(p.rows))
			}
			got := p.rows[0]
			gs, _ := got[1].(*big.Rat)
			if !valEqual(got[0], n) || gs == nil || gs.Cmp(sum) != 0 {
				t.Fatalf("%v region %d: got %s, want [%d %s]", enc, ri, fmtRow(got), n, sum.FloatString(0))
			}
			total += n
			totalSum.Add(totalSum, sum)
		}
		t.Logf("%v: COUNT=%d SUM=%s over %d regions (%d without matching rows answered no row)", enc, total, totalSum.FloatString(0), len(per), empty)
	}
}

func TestCopDescScan(t *testing.T) {
	t.Log("proves: a TableScan with desc=true + Limit 5 (what TiDB sends for ORDER BY id DESC LIMIT 5) returns each region's last 5 rows in descending key order")
	e, ts := setup(t)
	all := writtenRows()
	scan := tableScan()
	scan.TblScan.Desc = true
	limit := &tipb.Executor{Tp: tipb.ExecType_TypeLimit, Limit: &tipb.Limit{Limit: 5}}
	for _, enc := range encodings {
		per := e.run(t, dag(enc, 5, scan, limit), scanKinds, ts)
		for ri, p := range per {
			in := rowsInRange(all, p.startKey, p.endKey)
			var want [][]any
			for i := len(in) - 1; i >= 0 && len(want) < 5; i-- {
				want = append(want, in[i])
			}
			rowsEqual(t, fmt.Sprintf("%v desc scan region %d", enc, ri), p.rows, want)
		}
		t.Logf("%v: descending scan + Limit 5 right in %d regions", enc, len(per))
	}
}
