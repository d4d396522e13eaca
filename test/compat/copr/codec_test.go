// Test-side TiDB codecs written from the format description (coprocessor.md §4.3, §4.4, §6):
// record keys, row format v2 values, and decoders for the Default (datum) and Chunk responses.
// TiDB's own tablecodec/rowcodec/chunk packages are not usable here (see README.md).
package copr

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
)

const signBit = uint64(1) << 63

// encodeInt is TiDB's comparable int64: big-endian of the value with its sign bit flipped.
func encodeInt(v int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v)^signBit)
	return b
}

// encodeFloat is TiDB's comparable float64.
func encodeFloat(f float64) []byte {
	u := math.Float64bits(f)
	if u&signBit == 0 {
		u |= signBit
	} else {
		u = ^u
	}
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, u)
	return b
}

func decodeFloat(b []byte) float64 {
	u := binary.BigEndian.Uint64(b)
	if u&signBit != 0 {
		u &^= signBit
	} else {
		u = ^u
	}
	return math.Float64frombits(u)
}

// recordKey is `t{tableID}_r{handle}` with comparable int64s (19 bytes).
func recordKey(tableID, handle int64) []byte {
	k := []byte{'t'}
	k = append(k, encodeInt(tableID)...)
	k = append(k, '_', 'r')
	return append(k, encodeInt(handle)...)
}

// recordPrefixRange is [t{id}_r, t{id}_s): every record key of the table.
func recordPrefixRange(tableID int64) (start, end []byte) {
	start = append(append([]byte{'t'}, encodeInt(tableID)...), '_', 'r')
	end = append(append([]byte{'t'}, encodeInt(tableID)...), '_', 's')
	return start, end
}

// rowCol is one column value to encode in a row v2 value; val nil means NULL.
// Supported val types: int64 (signed ints), float64 (DOUBLE), string (strings), decimalValue.
type rowCol struct {
	id  int64
	val any
}

// decimalValue is a DECIMAL(prec, frac) value given as its unscaled integer.
type decimalValue struct {
	prec, frac int
	unscaled   int64
}

func (d decimalValue) rat() *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(d.unscaled), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.frac)), nil))
}

var dig2bytes = [10]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}

// decimalBin is MySQL decimal2bin of d (without the [prec, frac] prefix).
func decimalBin(d decimalValue) []byte {
	neg := d.unscaled < 0
	abs := d.unscaled
	if neg {
		abs = -abs
	}
	digits := fmt.Sprintf("%d", abs)
	intg := d.prec - d.frac
	for len(digits) < d.prec {
		digits = "0" + digits
	}
	intDigits, fracDigits := digits[:intg], digits[intg:]
	var out []byte
	putWord := func(s string, nbytes int) {
		var v uint64
		fmt.Sscanf(s, "%d", &v)
		for i := nbytes - 1; i >= 0; i-- {
			out = append(out, byte(v>>(8*uint(i))))
		}
	}
	lead := intg % 9
	if lead > 0 {
		putWord(intDigits[:lead], dig2bytes[lead])
	}
	for i := lead; i < intg; i += 9 {
		putWord(intDigits[i:i+9], 4)
	}
	full := (d.frac / 9) * 9
	for i := 0; i < full; i += 9 {
		putWord(fracDigits[i:i+9], 4)
	}
	if tail := d.frac % 9; tail > 0 {
		putWord(fracDigits[full:], dig2bytes[tail])
	}
	if neg {
		for i := range out {
			out[i] ^= 0xFF
		}
	}
	out[0] ^= 0x80
	return out
}

func decimalBinLen(prec, frac int) int {
	intg := prec - frac
	return (intg/9)*4 + dig2bytes[intg%9] + (frac/9)*4 + dig2bytes[frac%9]
}

// decodeDecimalBin inverts decimalBin into an exact rational.
func decodeDecimalBin(prec, frac int, bin []byte) (*big.Rat, error) {
	if len(bin) < decimalBinLen(prec, frac) || prec < frac || prec == 0 {
		return nil, fmt.Errorf("decimal bin: %d bytes for (%d,%d)", len(bin), prec, frac)
	}
	b := append([]byte(nil), bin[:decimalBinLen(prec, frac)]...)
	neg := b[0]&0x80 == 0
	b[0] ^= 0x80
	if neg {
		for i := range b {
			b[i] ^= 0xFF
		}
	}
	pos := 0
	word := func(nbytes, ndigits int) string {
		var v uint64
		for i := 0; i < nbytes; i++ {
			v = v<<8 | uint64(b[pos+i])
		}
		pos += nbytes
		return fmt.Sprintf("%0*d", ndigits, v)
	}
	intg := prec - frac
	var sb strings.Builder
	if lead := intg % 9; lead > 0 {
		sb.WriteString(word(dig2bytes[lead], lead))
	}
	for i := 0; i < intg/9; i++ {
		sb.WriteString(word(4, 9))
	}
	for i := 0; i < frac/9; i++ {
		sb.WriteString(word(4, 9))
	}
	if tail := frac % 9; tail > 0 {
		sb.WriteString(word(dig2bytes[tail], tail))
	}
	n, ok := new(big.Int).SetString("0"+sb.String(), 10)
	if !ok {
		return nil, fmt.Errorf("decimal digits %q", sb.String())
	}
	if neg {
		n.Neg(n)
	}
	return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(frac)), nil)), nil
}

// rowV2Int is the shortest little-endian two's complement (1/2/4/8 bytes) that round-trips.
func rowV2Int(v int64) []byte {
	switch {
	case v == int64(int8(v)):
		return []byte{byte(v)}
	case v == int64(int16(v)):
		return binary.LittleEndian.AppendUint16(nil, uint16(v))
	case v == int64(int32(v)):
		return binary.LittleEndian.AppendUint32(nil, uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(nil, uint64(v))
	}
}

// encodeRowV2 builds a small-layout row format v2 value (all column ids ≤ 255, data < 64 KiB).
func encodeRowV2(cols []rowCol) []byte {
	var notNull, null []rowCol
	for _, c := range cols {
		if c.id > 255 {
			panic("encodeRowV2: large layout not implemented")
		}
		if c.val == nil {
			null = append(null, c)
		} else {
			notNull = append(notNull, c)
		}
	}
	sort.Slice(notNull, func(i, j int) bool { return notNull[i].id < notNull[j].id })
	sort.Slice(null, func(i, j int) bool { return null[i].id < null[j].id })
	var data []byte
	var offsets []uint16
	for _, c := range notNull {
		switch v := c.val.(type) {
		case int64:
			data = append(data, rowV2Int(v)...)
		case float64:
			data = append(data, encodeFloat(v)...)
		case string:
			data = append(data, v...)
		case decimalValue:
			data = append(data, byte(v.prec), byte(v.frac))
			data = append(data, decimalBin(v)...)
		default:
			panic(fmt.Sprintf("encodeRowV2: %T", v))
		}
		if len(data) > math.MaxUint16 {
			panic("encodeRowV2: large layout not implemented")
		}
		offsets = append(offsets, uint16(len(data)))
	}
	out := []byte{0x80, 0x00}
	out = binary.LittleEndian.AppendUint16(out, uint16(len(notNull)))
	out = binary.LittleEndian.AppendUint16(out, uint16(len(null)))
	for _, c := range notNull {
		out = append(out, byte(c.id))
	}
	for _, c := range null {
		out = append(out, byte(c.id))
	}
	for _, o := range offsets {
		out = binary.LittleEndian.AppendUint16(out, o)
	}
	return append(out, data...)
}

// colKind is how a response column is decoded in Chunk encoding.
type colKind int

const (
	kindInt     colKind = iota // 8-byte int64 LE
	kindReal                   // 8-byte float64 LE (DOUBLE)
	kindDecimal                // 40-byte MyDecimal
	kindBytes                  // variable length
)

// Decoded values: nil (NULL), int64, float64, string, *big.Rat (decimal).

// decodeDefaultRows splits Default-encoded rows_data into rows of ncols datums.
func decodeDefaultRows(data []byte, ncols int) ([][]any, error) {
	var rows [][]any
	for len(data) > 0 {
		row := make([]any, ncols)
		for i := 0; i < ncols; i++ {
			v, rest, err := decodeDatum(data)
			if err != nil {
				return nil, fmt.Errorf("row %d col %d: %w", len(rows), i, err)
			}
			row[i], data = v, rest
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// decodeDatum decodes one value-encoded datum (coprocessor.md §4.3 / §6.2).
func decodeDatum(b []byte) (any, []byte, error) {
	if len(b) == 0 {
		return nil, nil, fmt.Errorf("empty datum")
	}
	flag, b := b[0], b[1:]
	need := func(n int) error {
		if len(b) < n {
			return fmt.Errorf("datum flag %d: need %d bytes, have %d", flag, n, len(b))
		}
		return nil
	}
	switch flag {
	case 0:
		return nil, b, nil
	case 2: // compact bytes
		n, k := binary.Varint(b)
		if k <= 0 || n < 0 || int(n) > len(b)-k {
			return nil, nil, fmt.Errorf("compact bytes: bad length")
		}
		return string(b[k : k+int(n)]), b[k+int(n):], nil
	case 3:
		if err := need(8); err != nil {
			return nil, nil, err
		}
		return int64(binary.BigEndian.Uint64(b) ^ signBit), b[8:], nil
	case 4:
		if err := need(8); err != nil {
			return nil, nil, err
		}
		u := binary.BigEndian.Uint64(b)
		if u > math.MaxInt64 {
			return nil, nil, fmt.Errorf("uint datum %d out of int64 range", u)
		}
		return int64(u), b[8:], nil
	case 5:
		if err := need(8); err != nil {
			return nil, nil, err
		}
		return decodeFloat(b), b[8:], nil
	case 6:
		if err := need(2); err != nil {
			return nil, nil, err
		}
		prec, frac := int(b[0]), int(b[1])
		if prec < frac || prec == 0 {
			return nil, nil, fmt.Errorf("decimal datum: precision %d frac %d", prec, frac)
		}
		n := decimalBinLen(prec, frac)
		if err := need(2 + n); err != nil {
			return nil, nil, err
		}
		r, err := decodeDecimalBin(prec, frac, b[2:2+n])
		return r, b[2+n:], err
	case 8:
		v, k := binary.Varint(b)
		if k <= 0 {
			return nil, nil, fmt.Errorf("varint datum")
		}
		return v, b[k:], nil
	case 9:
		v, k := binary.Uvarint(b)
		if k <= 0 || v > math.MaxInt64 {
			return nil, nil, fmt.Errorf("uvarint datum")
		}
		return int64(v), b[k:], nil
	default:
		return nil, nil, fmt.Errorf("datum flag %d not expected in these tests", flag)
	}
}

// decodeChunk decodes one Chunk-encoded rows_data with the given column kinds into rows.
func decodeChunk(data []byte, kinds []colKind) ([][]any, error) {
	var cols [][]any
	nrows := -1
	for ci, kind := range kinds {
		if len(data) < 8 {
			return nil, fmt.Errorf("col %d: truncated header", ci)
		}
		length := int(binary.LittleEndian.Uint32(data))
		nullCount := int(binary.LittleEndian.Uint32(data[4:]))
		data = data[8:]
		if nrows >= 0 && length != nrows {
			return nil, fmt.Errorf("col %d: %d rows, previous columns %d", ci, length, nrows)
		}
		nrows = length
		if nullCount > length {
			return nil, fmt.Errorf("col %d: null_count %d > length %d", ci, nullCount, length)
		}
		var bitmap []byte
		if nullCount > 0 {
			n := (length + 7) / 8
			if len(data) < n {
				return nil, fmt.Errorf("col %d: truncated bitmap", ci)
			}
			bitmap, data = data[:n], data[n:]
		}
		notNull := func(i int) bool { return bitmap == nil || bitmap[i>>3]&(1<<(uint(i)&7)) != 0 }
		col := make([]any, length)
		nulls := 0
		if kind == kindBytes {
			if len(data) < 8*(length+1) {
				return nil, fmt.Errorf("col %d: truncated offsets", ci)
			}
			offs := make([]int64, length+1)
			for i := range offs {
				offs[i] = int64(binary.LittleEndian.Uint64(data[8*i:]))
			}
			data = data[8*(length+1):]
			if offs[0] != 0 || offs[length] > int64(len(data)) {
				return nil, fmt.Errorf("col %d: offsets %d..%d, data %d", ci, offs[0], offs[length], len(data))
			}
			for i := 0; i < length; i++ {
				if offs[i+1] < offs[i] {
					return nil, fmt.Errorf("col %d: decreasing offsets", ci)
				}
				if notNull(i) {
					col[i] = string(data[offs[i]:offs[i+1]])
				} else {
					nulls++
				}
			}
			data = data[offs[length]:]
		} else {
			size := 8
			if kind == kindDecimal {
				size = 40
			}
			if len(data) < size*length {
				return nil, fmt.Errorf("col %d: truncated fixed data", ci)
			}
			for i := 0; i < length; i++ {
				e := data[size*i : size*(i+1)]
				if !notNull(i) {
					nulls++
					continue
				}
				switch kind {
				case kindInt:
					col[i] = int64(binary.LittleEndian.Uint64(e))
				case kindReal:
					col[i] = math.Float64frombits(binary.LittleEndian.Uint64(e))
				case kindDecimal:
					r, err := decodeMyDecimal(e)
					if err != nil {
						return nil, fmt.Errorf("col %d row %d: %w", ci, i, err)
					}
					col[i] = r
				}
			}
			data = data[size*length:]
		}
		if nulls != nullCount {
			return nil, fmt.Errorf("col %d: bitmap has %d NULLs, null_count says %d", ci, nulls, nullCount)
		}
		cols = append(cols, col)
	}
	rows := make([][]any, nrows)
	for r := range rows {
		rows[r] = make([]any, len(kinds))
		for c := range kinds {
			rows[r][c] = cols[c][r]
		}
	}
	return rows, nil
}

// decodeMyDecimal reads TiDB's 40-byte in-memory MyDecimal (coprocessor.md §4.4).
func decodeMyDecimal(e []byte) (*big.Rat, error) {
	digitsInt, digitsFrac, neg := int(int8(e[0])), int(int8(e[1])), e[3] != 0
	intWords, fracWords := (digitsInt+8)/9, (digitsFrac+8)/9
	if digitsInt < 0 || digitsFrac < 0 || intWords+fracWords > 9 {
		return nil, fmt.Errorf("MyDecimal: digitsInt %d digitsFrac %d", digitsInt, digitsFrac)
	}
	word := func(i int) int64 { return int64(int32(binary.LittleEndian.Uint32(e[4+4*i:]))) }
	var sb strings.Builder
	sb.WriteString("0")
	for i := 0; i < intWords; i++ {
		fmt.Fprintf(&sb, "%09d", word(i))
	}
	var frac strings.Builder
	for i := 0; i < fracWords; i++ {
		fmt.Fprintf(&frac, "%09d", word(intWords+i))
	}
	fs := frac.String()[:digitsFrac]
	n, ok := new(big.Int).SetString(sb.String()+fs, 10)
	if !ok {
		return nil, fmt.Errorf("MyDecimal digits %q.%q", sb.String(), fs)
	}
	if neg {
		n.Neg(n)
	}
	return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digitsFrac)), nil)), nil
}
