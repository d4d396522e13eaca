// Command tidbcodec prints golden test vectors for src/codec/tidb, computed by TiDB's own
// codec packages (util/codec, types, tablecodec), as one JSON document on stdout.
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	gotime "time"

	"github.com/pingcap/tidb/mysql"
	"github.com/pingcap/tidb/sessionctx/stmtctx"
	"github.com/pingcap/tidb/tablecodec"
	"github.com/pingcap/tidb/types"
	tidbjson "github.com/pingcap/tidb/types/json"
	"github.com/pingcap/tidb/util/codec"
)

const seed = 20261123

type obj = map[string]interface{}

func h(b []byte) string { return hex.EncodeToString(b) }

func must(err error) {
	if err != nil {
		panic(err)
	}
}

var sc = &stmtctx.StatementContext{TimeZone: gotime.UTC}

// datumDesc describes a datum so that the TypeScript test can rebuild it.
type datumDesc struct {
	d    types.Datum
	desc obj
}

func randDigits(r *rand.Rand, n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteByte(byte('0' + r.Intn(10)))
	}
	return sb.String()
}

func randDecimalString(r *rand.Rand, intMax, fracMax int) string {
	s := ""
	if r.Intn(2) == 0 {
		s = "-"
	}
	ni := r.Intn(intMax + 1)
	if ni == 0 {
		s += "0"
	} else {
		d := randDigits(r, ni)
		d = strings.TrimLeft(d, "0")
		if d == "" {
			d = "0"
		}
		s += d
	}
	nf := r.Intn(fracMax + 1)
	if nf > 0 {
		s += "." + randDigits(r, nf)
	}
	return s
}

func dec(s string) *types.MyDecimal {
	d := new(types.MyDecimal)
	must(d.FromString([]byte(s)))
	return d
}

func ints(r *rand.Rand) []obj {
	vals := []int64{0, 1, -1, 63, -64, 64, -65, 127, -128, 128, 255, 256, 32767, -32768, 65535, 1 << 31, -(1 << 31), math.MaxInt64, math.MinInt64}
	for i := 0; i < 60; i++ {
		vals = append(vals, r.Int63()>>uint(r.Intn(63))*int64(1-2*r.Intn(2)))
	}
	out := []obj{}
	for _, v := range vals {
		out = append(out, obj{
			"v":       strconv.FormatInt(v, 10),
			"cmp":     h(codec.EncodeInt(nil, v)),
			"cmpDesc": h(codec.EncodeIntDesc(nil, v)),
			"varint":  h(codec.EncodeVarint(nil, v)),
		})
	}
	return out
}

func uints(r *rand.Rand) []obj {
	vals := []uint64{0, 1, 127, 128, 255, 256, 16383, 16384, math.MaxUint32, math.MaxUint64, 1 << 63}
	for i := 0; i < 40; i++ {
		vals = append(vals, r.Uint64()>>uint(r.Intn(64)))
	}
	out := []obj{}
	for _, v := range vals {
		out = append(out, obj{
			"v":       strconv.FormatUint(v, 10),
			"cmp":     h(codec.EncodeUint(nil, v)),
			"cmpDesc": h(codec.EncodeUintDesc(nil, v)),
			"uvarint": h(codec.EncodeUvarint(nil, v)),
		})
	}
	return out
}

func floats(r *rand.Rand) []obj {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, -2.5, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1)}
	for i := 0; i < 40; i++ {
		vals = append(vals, (r.Float64()-0.5)*math.Pow(10, float64(r.Intn(40)-20)))
	}
	out := []obj{}
	for _, v := range vals {
		out = append(out, obj{
			"bits":    strconv.FormatUint(math.Float64bits(v), 16),
			"cmp":     h(codec.EncodeFloat(nil, v)),
			"cmpDesc": h(codec.EncodeFloatDesc(nil, v)),
		})
	}
	return out
}

func byteStrings(r *rand.Rand) []obj {
	vals := [][]byte{{}, {0}, {1, 2, 3}, []byte("12345678"), []byte("123456789"), []byte("0123456789abcdef"), {0xff, 0xff, 0, 0}}
	for i := 0; i < 30; i++ {
		b := make([]byte, r.Intn(40))
		r.Read(b)
		vals = append(vals, b)
	}
	out := []obj{}
	for _, v := range vals {
		out = append(out, obj{
			"v":       h(v),
			"mem":     h(codec.EncodeBytes(nil, v)),
			"memDesc": h(codec.EncodeBytesDesc(nil, v)),
			"compact": h(codec.EncodeCompactBytes(nil, v)),
		})
	}
	return out
}

func decimals(r *rand.Rand) []obj {
	type c struct {
		s          string
		prec, frac int
	}
	cases := []c{{"123.45", 5, 2}, {"-123.45", 5, 2}, {"0", 1, 0}, {"0.5", 1, 1}, {"-0.5", 3, 2}, {"1234567890.1234", 14, 4},
		{"-1234567890.1234", 14, 4}, {"99999999999999999999999999999999999.999999999999999999999999999999", 65, 30}, {"0.000000001", 10, 9}, {"12", 10, 0}}
	for i := 0; i < 120; i++ {
		s := randDecimalString(r, 30, 30)
		d := dec(s)
		p, f := d.PrecisionAndFrac()
		// Random column type wide enough for the value.
		extraInt := r.Intn(5)
		extraFrac := r.Intn(3)
		if f+extraFrac > 30 {
			extraFrac = 30 - f
		}
		prec := p - f + extraInt + f + extraFrac
		if prec > 65 {
			prec, extraFrac = p, 0
		}
		if prec > 65 {
			continue
		}
		cases = append(cases, c{s, prec, f + extraFrac})
	}
	out := []obj{}
	for _, cs := range cases {
		d := dec(cs.s)
		bin, err := d.ToBin(cs.prec, cs.frac)
		must(err)
		p, f := d.PrecisionAndFrac()
		key, err := codec.EncodeKey(sc, nil, types.NewDecimalDatum(d))
		must(err)
		out = append(out, obj{"s": cs.s, "str": d.String(), "prec": cs.prec, "frac": cs.frac, "bin": h(bin), "autoPrec": p, "autoFrac": f, "datumKey": h(key)})
	}
	return out
}

func decimalOps(r *rand.Rand) []obj {
	out := []obj{}
	fixed := [][2]string{{"2.00000", "3"}, {"1.00000", "7"}, {"5.12345", "-3"}, {"2", "3"}, {"1.1", "9"}, {"0.5", "3"}, {"10", "7"},
		{"1.000000000000000000000000000", "3"}, {"7", "0.000000000000000000000000003"}}
	for i := 0; i < 150+len(fixed); i++ {
		as := randDecimalString(r, 18, 10)
		bs := randDecimalString(r, 12, 10)
		if i >= 150 {
			as, bs = fixed[i-150][0], fixed[i-150][1]
		} else if i%5 == 1 {
			// frac1 = 5 (or 14) makes frac1+4 land on a 9-digit word boundary.
			as = randDecimalString(r, 6, 0) + "." + randDigits(r, 5+9*(i%2))
		}
		if i%10 == 0 {
			bs = "0"
		}
		a, b := dec(as), dec(bs)
		res := obj{"a": as, "b": bs}
		var t types.MyDecimal
		must(types.DecimalAdd(a, b, &t))
		res["add"] = t.String()
		must(types.DecimalSub(a, b, &t))
		res["sub"] = t.String()
		if err := types.DecimalMul(a, b, &t); err == nil {
			res["mul"] = t.String()
		}
		err := types.DecimalDiv(a, b, &t, 4)
		if err == types.ErrDivByZero {
			res["div"] = nil
		} else {
			// String() rounds to resultFrac (frac1 + 4), as TiDB displays and stores it.
			res["div"] = t.String()
		}
		err = types.DecimalMod(a, b, &t)
		if err == types.ErrDivByZero {
			res["mod"] = nil
		} else {
			res["mod"] = t.String()
		}
		rf := r.Intn(8) - 2
		var rd types.MyDecimal
		must(a.Round(&rd, rf, types.ModeHalfEven))
		res["roundFrac"] = rf
		res["round"] = rd.String()
		out = append(out, res)
	}
	return out
}

func times(r *rand.Rand) []obj {
	out := []obj{}
	strs := []string{"2024-02-29 13:04:05.123456", "0000-00-00 00:00:00", "1000-01-01 00:00:00", "9999-12-31 23:59:59.999999", "1970-01-01 00:00:01", "2000-01-01"}
	for i := 0; i < 60; i++ {
		y, mo := 1000+r.Intn(9000), 1+r.Intn(12)
		d := 1 + r.Intn(28)
		strs = append(strs, fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d", y, mo, d, r.Intn(24), r.Intn(60), r.Intn(60), r.Intn(1000000)))
	}
	for i, s := range strs {
		tp := []byte{mysql.TypeDatetime, mysql.TypeTimestamp, mysql.TypeDate}[i%3]
		fsp := 6
		if tp == mysql.TypeDate {
			fsp = 0
		} else if i%2 == 1 {
			fsp = i % 7
		}
		t, err := types.ParseTime(sc, s, tp, fsp)
		if err != nil {
			// TIMESTAMP range (1970..2038) and similar checks are not the codec's concern.
			continue
		}
		packed, err := t.ToPackedUint()
		must(err)
		tm := t.Time
		key, err := codec.EncodeKey(sc, nil, types.NewTimeDatum(t))
		must(err)
		out = append(out, obj{"s": s, "tp": tp, "fsp": fsp, "packed": strconv.FormatUint(packed, 10), "str": t.String(),
			"fields": []int{tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Microsecond()}, "datumKey": h(key)})
	}
	return out
}

func durations(r *rand.Rand) []obj {
	out := []obj{}
	strs := []string{"00:00:00", "-838:59:59", "838:59:59", "12:34:56.789", "-00:00:01.5", "1 02:03:04", "123456", "10:11"}
	for i := 0; i < 30; i++ {
		sign := ""
		if r.Intn(2) == 0 {
			sign = "-"
		}
		strs = append(strs, fmt.Sprintf("%s%d:%02d:%02d.%06d", sign, r.Intn(839), r.Intn(60), r.Intn(60), r.Intn(1000000)))
	}
	for i, s := range strs {
		fsp := i % 7
		d, err := types.ParseDuration(s, fsp)
		must(err)
		key, err := codec.EncodeKey(sc, nil, types.NewDurationDatum(d))
		must(err)
		out = append(out, obj{"s": s, "fsp": fsp, "ns": strconv.FormatInt(int64(d.Duration), 10), "str": d.String(), "datumKey": h(key)})
	}
	return out
}

func sampleDatums(r *rand.Rand) []datumDesc {
	out := []datumDesc{
		{types.NewDatum(nil), obj{"k": "null"}},
		{types.NewIntDatum(-7), obj{"k": "int", "v": "-7"}},
		{types.NewIntDatum(math.MinInt64), obj{"k": "int", "v": strconv.FormatInt(math.MinInt64, 10)}},
		{types.NewUintDatum(math.MaxUint64), obj{"k": "uint", "v": strconv.FormatUint(math.MaxUint64, 10)}},
		{types.NewFloat64Datum(-0.25), obj{"k": "float", "bits": strconv.FormatUint(math.Float64bits(-0.25), 16)}},
		{types.NewBytesDatum([]byte("hello, tidb")), obj{"k": "bytes", "v": h([]byte("hello, tidb"))}},
		{types.NewBytesDatum([]byte{}), obj{"k": "bytes", "v": ""}},
	}
	md := types.Datum{}
	md.SetMysqlDecimal(dec("-3.14159"))
	out = append(out, datumDesc{md, obj{"k": "decimal", "v": "-3.14159"}})
	md2 := types.NewDecimalDatum(dec("2.5"))
	md2.SetLength(10)
	md2.SetFrac(3)
	out = append(out, datumDesc{md2, obj{"k": "decimal", "v": "2.5", "prec": 10, "frac": 3}})
	t, err := types.ParseTime(sc, "2021-07-08 09:10:11.5", mysql.TypeDatetime, 1)
	must(err)
	out = append(out, datumDesc{types.NewTimeDatum(t), obj{"k": "time", "v": "2021-07-08 09:10:11.5", "tp": mysql.TypeDatetime, "fsp": 1}})
	du, err := types.ParseDuration("-01:02:03.25", 2)
	must(err)
	out = append(out, datumDesc{types.NewDurationDatum(du), obj{"k": "duration", "ns": strconv.FormatInt(int64(du.Duration), 10)}})
	out = append(out, datumDesc{types.MaxValueDatum(), obj{"k": "maxValue"}})
	out = append(out, datumDesc{types.MinNotNullDatum(), obj{"k": "minNotNull"}})
	for i := 0; i < 20; i++ {
		v := r.Int63() - r.Int63()
		out = append(out, datumDesc{types.NewIntDatum(v), obj{"k": "int", "v": strconv.FormatInt(v, 10)}})
		b := make([]byte, r.Intn(20))
		r.Read(b)
		out = append(out, datumDesc{types.NewBytesDatum(b), obj{"k": "bytes", "v": h(b)}})
	}
	return out
}

func datums(r *rand.Rand) []obj {
	out := []obj{}
	for _, dd := range sampleDatums(r) {
		key, err := codec.EncodeKey(sc, nil, dd.d)
		must(err)
		value, err := codec.EncodeValue(sc, nil, dd.d)
		must(err)
		out = append(out, obj{"d": dd.desc, "key": h(key), "value": h(value)})
	}
	return out
}

func keys(r *rand.Rand) []obj {
	out := []obj{}
	pairs := [][2]int64{{42, 7}, {1, -1}, {math.MaxInt64, math.MinInt64}, {0, 0}}
	for i := 0; i < 20; i++ {
		pairs = append(pairs, [2]int64{r.Int63n(1 << 20), r.Int63() - r.Int63()})
	}
	for _, p := range pairs {
		out = append(out, obj{"kind": "record", "table": strconv.FormatInt(p[0], 10), "handle": strconv.FormatInt(p[1], 10),
			"key": h(tablecodec.EncodeRowKeyWithHandle(p[0], p[1]))})
	}
	for i := 0; i < 20; i++ {
		ds := sampleDatums(r)
		pick := []datumDesc{ds[r.Intn(len(ds))], ds[r.Intn(len(ds))]}
		enc, err := codec.EncodeKey(sc, nil, pick[0].d, pick[1].d)
		must(err)
		table, idx := r.Int63n(1<<16), r.Int63n(100)
		out = append(out, obj{"kind": "index", "table": strconv.FormatInt(table, 10), "index": strconv.FormatInt(idx, 10),
			"datums": []obj{pick[0].desc, pick[1].desc}, "key": h(tablecodec.EncodeIndexSeekKey(table, idx, enc))})
	}
	return out
}

func rowsV1(r *rand.Rand) []obj {
	out := []obj{}
	for i := 0; i < 25; i++ {
		ds := sampleDatums(r)
		n := r.Intn(6)
		if i == 0 {
			n = 0
		}
		row := []types.Datum{}
		descs := []obj{}
		ids := []int64{}
		for j := 0; j < n; j++ {
			dd := ds[r.Intn(len(ds))]
			if dd.d.Kind() == types.KindMaxValue || dd.d.Kind() == types.KindMinNotNull {
				continue
			}
			row = append(row, dd.d)
			descs = append(descs, dd.desc)
			ids = append(ids, int64(j*37+1+r.Intn(30)))
		}
		b, err := tablecodec.EncodeRow(sc, row, ids, nil, nil)
		must(err)
		sids := []string{}
		for _, id := range ids {
			sids = append(sids, strconv.FormatInt(id, 10))
		}
		out = append(out, obj{"ids": sids, "datums": descs, "row": h(b)})
	}
	return out
}

func jsons(r *rand.Rand) []obj {
	texts := []string{`null`, `true`, `false`, `0`, `-1`, `9223372036854775807`, `-9223372036854775808`, `"hello"`, `""`,
		`"esc \" \\ \n \t \u0001 < > & é 中"`, `[]`, `{}`, `[1, "a", null, true, [2, [3]], {"k": false}]`,
		`{"b": 1, "a": 2, "aa": [true, null], "": "empty", "z": {"y": {"x": "deep"}}}`, `1.5`, `-0.25`, `[1.5, 2e3]`}
	for i := 0; i < 20; i++ {
		var sb strings.Builder
		sb.WriteString("{")
		n := r.Intn(5)
		for j := 0; j < n; j++ {
			if j > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, `"k%d%s": [%d, "s%d", %v, null]`, r.Intn(100), strings.Repeat("x", r.Intn(3)), r.Int63()-r.Int63(), r.Intn(1000), r.Intn(2) == 0)
		}
		sb.WriteString("}")
		texts = append(texts, sb.String())
	}
	out := []obj{}
	for _, t := range texts {
		bj, err := tidbjson.ParseBinaryFromString(t)
		must(err)
		out = append(out, obj{"text": t, "bin": h(append([]byte{byte(bj.TypeCode)}, bj.Value...)), "str": bj.String()})
	}
	return out
}

func main() {
	r := rand.New(rand.NewSource(seed))
	doc := obj{
		"source":     "github.com/pingcap/tidb v1.1.0-beta (util/codec, types, tablecodec)",
		"seed":       seed,
		"ints":       ints(r),
		"uints":      uints(r),
		"floats":     floats(r),
		"bytes":      byteStrings(r),
		"decimals":   decimals(r),
		"decimalOps": decimalOps(r),
		"times":      times(r),
		"durations":  durations(r),
		"datums":     datums(r),
		"keys":       keys(r),
		"rowsV1":     rowsV1(r),
		"jsons":      jsons(r),
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	must(enc.Encode(doc))
}
