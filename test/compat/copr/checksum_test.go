// Proves the CHECKSUM coprocessor request (tp 105) with the official tipb.ChecksumRequest /
// ChecksumResponse types: per-region answers XOR and sum to Go's own CRC-64 (ECMA table) over the
// key-value pairs the official txnkv client reads back, including with a rewrite rule.
package copr

import (
	"bytes"
	"hash/crc64"
	"testing"

	"github.com/pingcap/tipb/go-tipb"
)

type checksumTotals struct {
	checksum, kvs, bytes uint64
}

func (e *env) checksum(t *testing.T, req *tipb.ChecksumRequest, ts uint64) (checksumTotals, int) {
	t.Helper()
	data, err := req.Marshal()
	if err != nil {
		t.Fatalf("marshal ChecksumRequest: %v", err)
	}
	start, end := recordPrefixRange(tableID)
	var sum checksumTotals
	per := e.sendTp(t, 105, data, ts, start, end)
	for _, rr := range per {
		if rr.resp.OtherError != "" || rr.resp.Locked != nil {
			t.Fatalf("region [%x,%x): other_error=%q locked=%v", rr.startKey, rr.endKey, rr.resp.OtherError, rr.resp.Locked)
		}
		var part tipb.ChecksumResponse
		if err := part.Unmarshal(rr.resp.Data); err != nil {
			t.Fatalf("unmarshal ChecksumResponse: %v", err)
		}
		sum.checksum ^= part.Checksum
		sum.kvs += part.TotalKvs
		sum.bytes += part.TotalBytes
	}
	return sum, len(per)
}

func TestCopChecksum(t *testing.T) {
	t.Log("proves: tp 105 over every region XORs to crc64(ECMA) of key‖value over the pairs a txnkv snapshot scan returns, with their count and byte total; a rewrite rule checksums keys as if they began with old_prefix; an unknown algorithm is an other_error")
	e, ts := setup(t)
	start, end := recordPrefixRange(tableID)
	it, err := e.c.GetSnapshot(ts).Iter(start, end)
	if err != nil {
		t.Fatalf("Iter: %v", err)
	}
	defer it.Close()
	table := crc64.MakeTable(crc64.ECMA)
	oldPrefix := recordKey(7, 0)[:9]
	var want, wantRewritten checksumTotals
	for it.Valid() {
		k, v := it.Key(), it.Value()
		want.checksum ^= crc64.Checksum(append(append([]byte{}, k...), v...), table)
		want.kvs++
		want.bytes += uint64(len(k) + len(v))
		wantRewritten.checksum ^= crc64.Checksum(append(append(append([]byte{}, oldPrefix...), k[9:]...), v...), table)
		if err := it.Next(); err != nil {
			t.Fatalf("Next: %v", err)
		}
	}
	if want.kvs != rowCount {
		t.Fatalf("snapshot scan saw %d pairs, wrote %d", want.kvs, rowCount)
	}
	got, regions := e.checksum(t, &tipb.ChecksumRequest{ScanOn: tipb.ChecksumScanOn_Table, Algorithm: tipb.ChecksumAlgorithm_Crc64_Xor}, ts)
	t.Logf("%d regions: checksum %x, %d kvs, %d bytes", regions, got.checksum, got.kvs, got.bytes)
	if regions < 3 {
		t.Fatalf("table spans %d regions; the test needs several", regions)
	}
	if got != want {
		t.Fatalf("checksum %+v, want %+v", got, want)
	}
	newPrefix := recordKey(tableID, 0)[:9]
	rule := &tipb.ChecksumRewriteRule{OldPrefix: oldPrefix, NewPrefix: newPrefix}
	gotRule, _ := e.checksum(t, &tipb.ChecksumRequest{Algorithm: tipb.ChecksumAlgorithm_Crc64_Xor, Rule: rule}, ts)
	if gotRule.checksum != wantRewritten.checksum || gotRule.kvs != want.kvs || gotRule.bytes != want.bytes {
		t.Fatalf("rewritten checksum %+v, want checksum %x with %d kvs / %d bytes", gotRule, wantRewritten.checksum, want.kvs, want.bytes)
	}
	if bytes.Equal(oldPrefix, newPrefix) {
		t.Fatalf("test bug: prefixes equal")
	}
	data, _ := (&tipb.ChecksumRequest{Algorithm: tipb.ChecksumAlgorithm(9)}).Marshal()
	per := e.sendTp(t, 105, data, ts, start, end)
	if len(per) == 0 || per[0].resp.OtherError == "" {
		t.Fatalf("unknown algorithm: want other_error, got %+v", per)
	}
}
