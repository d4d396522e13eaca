// Command kvbench is a closed-loop load generator that drives our PD + store with the official
// client-go v2.0.7 (BatchCommands on, the client default) and prints one JSON line:
//
//	{"op":"rawput","concurrency":64,"duration_s":10.0,"ops":123456,"errors":0,"ops_per_sec":12345.6,"p50_ms":1.2,"p99_ms":4.5,...}
//
// The TypeScript bench runner (test/bench) execs it. Ops: rawput, rawget, rawbatchget, txn.
// One "op" is one client call (a batch get counts once; --batch keys per call), or one
// committed transaction for txn (read two keys, write two keys).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pingcap/log"
	tikverr "github.com/tikv/client-go/v2/error"
	"github.com/tikv/client-go/v2/rawkv"
	"github.com/tikv/client-go/v2/txnkv"
	"go.uber.org/zap/zapcore"
)

// samplesPerWorkerMax bounds latency memory: beyond it, samples are kept by reservoir sampling.
const samplesPerWorkerMax = 200_000

// opTimeout bounds one operation so a stuck server shows up as errors, not a hang.
const opTimeout = 10 * time.Second

type result struct {
	Op            string  `json:"op"`
	Concurrency   int     `json:"concurrency"`
	DurationS     float64 `json:"duration_s"`
	Ops           int64   `json:"ops"`
	Errors        int64   `json:"errors"`
	Conflicts     int64   `json:"conflicts,omitempty"`
	OpsPerSec     float64 `json:"ops_per_sec"`
	P50Ms         float64 `json:"p50_ms"`
	P99Ms         float64 `json:"p99_ms"`
	MaxMs         float64 `json:"max_ms"`
	Keys          int     `json:"keys"`
	ValueBytes    int     `json:"value_bytes"`
	Batch         int     `json:"batch,omitempty"`
	FirstError    string  `json:"first_error,omitempty"`
	ClientVersion string  `json:"client"`
}

func main() {
	pd := flag.String("pd", "127.0.0.1:2379", "PD address")
	op := flag.String("op", "rawput", "rawput | rawget | rawbatchget | txn")
	concurrency := flag.Int("concurrency", 16, "closed-loop workers")
	duration := flag.Duration("duration", 10*time.Second, "measured duration")
	keys := flag.Int("keys", 10_000, "key space size (rawget/rawbatchget/txn preload this many keys)")
	valueBytes := flag.Int("value-size", 100, "value size in bytes")
	batch := flag.Int("batch", 16, "keys per RawBatchGet")
	asyncCommit := flag.Bool("async-commit", false, "txn: enable async commit")
	onePC := flag.Bool("1pc", false, "txn: enable 1PC")
	prefix := flag.String("prefix", "kvbench/", "key prefix")
	flag.Parse()
	log.SetLevel(zapcore.ErrorLevel)

	if *concurrency <= 0 || *duration <= 0 || *keys <= 0 || *batch <= 0 {
		fail(errors.New("concurrency, duration, keys and batch must be positive"))
	}
	value := make([]byte, *valueBytes)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	keyOf := func(i int) []byte { return []byte(fmt.Sprintf("%s%010d", *prefix, i)) }

	var do func(ctx context.Context, rng *rand.Rand) error
	ctx := context.Background()
	switch *op {
	case "rawput", "rawget", "rawbatchget":
		c, err := rawkv.NewClientWithOpts(ctx, []string{*pd})
		if err != nil {
			fail(fmt.Errorf("rawkv client: %w", err))
		}
		defer c.Close()
		if *op != "rawput" {
			preloadRaw(ctx, c, *keys, keyOf, value)
		}
		switch *op {
		case "rawput":
			do = func(ctx context.Context, rng *rand.Rand) error { return c.Put(ctx, keyOf(rng.Intn(*keys)), value) }
		case "rawget":
			do = func(ctx context.Context, rng *rand.Rand) error {
				v, err := c.Get(ctx, keyOf(rng.Intn(*keys)))
				if err == nil && v == nil {
					return errors.New("preloaded key not found")
				}
				return err
			}
		default:
			do = func(ctx context.Context, rng *rand.Rand) error {
				ks := make([][]byte, *batch)
				for i := range ks {
					ks[i] = keyOf(rng.Intn(*keys))
				}
				_, err := c.BatchGet(ctx, ks)
				return err
			}
		}
	case "txn":
		c, err := txnkv.NewClient([]string{*pd})
		if err != nil {
			fail(fmt.Errorf("txnkv client: %w", err))
		}
		defer c.Close()
		preloadTxn(ctx, c, *keys, keyOf, value)
		do = func(ctx context.Context, rng *rand.Rand) error {
			txn, err := c.Begin()
			if err != nil {
				return err
			}
			txn.SetEnableAsyncCommit(*asyncCommit)
			txn.SetEnable1PC(*onePC)
			a, b := keyOf(rng.Intn(*keys)), keyOf(rng.Intn(*keys))
			if _, err := txn.BatchGet(ctx, [][]byte{a, b}); err != nil {
				_ = txn.Rollback()
				return err
			}
			_ = txn.Set(a, value)
			_ = txn.Set(b, value)
			return txn.Commit(ctx)
		}
	default:
		fail(fmt.Errorf("unknown --op %q", *op))
	}

	var ops, errCount, conflicts atomic.Int64
	var firstErr atomic.Value
	samples := make([][]time.Duration, *concurrency)
	stopAt := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w) + 1))
			seen := 0
			for time.Now().Before(stopAt) {
				opStart := time.Now()
				opCtx, cancel := context.WithTimeout(ctx, opTimeout)
				err := do(opCtx, rng)
				cancel()
				lat := time.Since(opStart)
				if err != nil {
					if tikverr.IsErrWriteConflict(err) {
						conflicts.Add(1)
					} else {
						errCount.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				ops.Add(1)
				seen++
				if len(samples[w]) < samplesPerWorkerMax {
					samples[w] = append(samples[w], lat)
				} else if j := rng.Intn(seen); j < samplesPerWorkerMax {
					samples[w][j] = lat
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)

	var all []time.Duration
	for _, s := range samples {
		all = append(all, s...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res := result{
		Op: *op, Concurrency: *concurrency, DurationS: elapsed.Seconds(), Ops: ops.Load(), Errors: errCount.Load(),
		Conflicts: conflicts.Load(), OpsPerSec: float64(ops.Load()) / elapsed.Seconds(),
		P50Ms: quantileMs(all, 0.50), P99Ms: quantileMs(all, 0.99), Keys: *keys, ValueBytes: *valueBytes,
		ClientVersion: "github.com/tikv/client-go/v2 v2.0.7",
	}
	if len(all) > 0 {
		res.MaxMs = ms(all[len(all)-1])
	}
	if *op == "rawbatchget" {
		res.Batch = *batch
	}
	if e, ok := firstErr.Load().(string); ok {
		res.FirstError = e
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if res.Ops == 0 {
		os.Exit(1)
	}
}

func quantileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return ms(sorted[i])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// preloadBatch is how many keys one preload call writes.
const preloadBatch = 500

func preloadRaw(ctx context.Context, c *rawkv.Client, n int, keyOf func(int) []byte, value []byte) {
	for i := 0; i < n; i += preloadBatch {
		var ks, vs [][]byte
		for j := i; j < i+preloadBatch && j < n; j++ {
			ks, vs = append(ks, keyOf(j)), append(vs, value)
		}
		if err := c.BatchPut(ctx, ks, vs); err != nil {
			fail(fmt.Errorf("preload raw keys at %d: %w", i, err))
		}
	}
}

func preloadTxn(ctx context.Context, c *txnkv.Client, n int, keyOf func(int) []byte, value []byte) {
	for i := 0; i < n; i += preloadBatch {
		txn, err := c.Begin()
		if err != nil {
			fail(err)
		}
		for j := i; j < i+preloadBatch && j < n; j++ {
			_ = txn.Set(keyOf(j), value)
		}
		if err := txn.Commit(ctx); err != nil {
			fail(fmt.Errorf("preload txn keys at %d: %w", i, err))
		}
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "kvbench: %v\n", err)
	os.Exit(2)
}
