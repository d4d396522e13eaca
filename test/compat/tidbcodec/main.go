package main

import (
	"fmt"

	"github.com/pingcap/tidb/tablecodec"
	"github.com/pingcap/tidb/types"
	"github.com/pingcap/tidb/util/codec"
)

func main() {
	k := tablecodec.EncodeRowKeyWithHandle(42, 7)
	b, _ := codec.EncodeKey(nil, nil, types.NewIntDatum(1))
	fmt.Printf("%x %x\n", []byte(k), b)
}
