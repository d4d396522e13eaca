// Proves serializable-enough money movement under concurrency and region splits: concurrent
// transfer transactions (2PC, async commit and 1PC mixed) never create or destroy money, every
// snapshot sees a constant total, and no account goes negative.
package txn

import (
	"context"
	"fmt"
	"math/rand"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ourdb/compat/internal/cluster"
	"github.com/tikv/client-go/v2/tikv"
	"github.com/tikv/client-go/v2/txnkv"
)

const (
	bankAccounts       = 400
	bankInitialBalance = 1000
	bankWorkers        = 8
	bankDuration       = 12 * time.Second
	bankMaxTransfer    = 200
)

func bankKey(i int) []byte { return []byte(fmt.Sprintf("bank/acct%05d", i)) }

func TestTxnBankTransfers(t *testing.T) {
	t.Logf("proves: %d accounts, %d concurrent transfer workers for %s with splits (small --region-split-keys plus explicit SplitRegions mid-run): the total never changes in any snapshot, no balance is negative, and transfers make progress", bankAccounts, bankWorkers, bankDuration)
	pg := shared.Get(t)
	c := cluster.NewTxnClient(t, pg.PDAddr)
	ctx, cancel := context.WithTimeout(context.Background(), bankDuration+3*time.Minute)
	defer cancel()

	// Create the accounts in a few transactions.
	for i := 0; i < bankAccounts; i += 100 {
		txn := begin(t, c)
		for j := i; j < i+100 && j < bankAccounts; j++ {
			_ = txn.Set(bankKey(j), []byte(strconv.Itoa(bankInitialBalance)))
		}
		if err := txn.Commit(ctx); err != nil {
			t.Fatalf("create accounts %d..: %v", i, err)
		}
	}
	const wantTotal = bankAccounts * bankInitialBalance
	checkBank(t, c, ctx, now(t, c), wantTotal)

	stop := make(chan struct{})
	var committed, conflicts atomic.Int64
	var modes [3]atomic.Int64
	var wg sync.WaitGroup
	errCh := make(chan error, bankWorkers+2)
	for w := 0; w < bankWorkers; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for {
				select {
				case <-stop:
					return
				default:
				}
				mode := rng.Intn(3)
				err := transfer(ctx, c, rng, mode)
				switch {
				case err == nil:
					committed.Add(1)
					modes[mode].Add(1)
				case isWriteConflict(err):
					conflicts.Add(1)
				default:
					errCh <- fmt.Errorf("transfer (mode %d): %w", mode, err)
					return
				}
			}
		}(int64(w) + 1)
	}

	// Auditor: repeatedly reads every account in one snapshot while transfers run.
	var audits atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(300 * time.Millisecond):
			}
			ts, err := c.GetTimestamp(ctx)
			if err != nil {
				errCh <- fmt.Errorf("auditor GetTimestamp: %w", err)
				return
			}
			total, negative, err := bankTotal(ctx, c, ts)
			if err != nil {
				errCh <- fmt.Errorf("auditor read at %d: %w", ts, err)
				return
			}
			if total != wantTotal || negative != "" {
				errCh <- fmt.Errorf("auditor snapshot at ts %d: total %d (want %d), negative account: %q", ts, total, wantTotal, negative)
				return
			}
			audits.Add(1)
		}
	}()

	// Splitter: explicit splits inside the account range while transfers run.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for round := 1; round <= 2; round++ {
			select {
			case <-stop:
				return
			case <-time.After(bankDuration / 3):
			}
			var keys [][]byte
			for i := round * 7; i < bankAccounts; i += 37 {
				keys = append(keys, bankKey(i))
			}
			ids, err := c.SplitRegions(ctx, keys, false, nil)
			if err != nil {
				errCh <- fmt.Errorf("SplitRegions round %d (%d keys): %w", round, len(keys), err)
				return
			}
			t.Logf("split round %d: %d split keys -> %d new regions", round, len(keys), len(ids))
		}
	}()

	select {
	case err := <-errCh:
		close(stop)
		wg.Wait()
		t.Fatalf("%v (after %d committed transfers)", err, committed.Load())
	case <-time.After(bankDuration):
	}
	close(stop)
	wg.Wait()
	select {
	case err := <-errCh:
		t.Fatalf("%v (after %d committed transfers)", err, committed.Load())
	default:
	}
	t.Logf("%d transfers committed (2PC %d, async commit %d, 1PC %d), %d write conflicts, %d consistent audits",
		committed.Load(), modes[0].Load(), modes[1].Load(), modes[2].Load(), conflicts.Load(), audits.Load())
	if committed.Load() < bankWorkers {
		t.Fatalf("only %d transfers committed in %s", committed.Load(), bankDuration)
	}
	checkBank(t, c, ctx, now(t, c), wantTotal)
	rs, err := c.GetRegionCache().LoadRegionsInKeyRange(tikv.NewBackoffer(ctx, 20_000), bankKey(0), bankKey(bankAccounts))
	if err != nil {
		t.Fatalf("LoadRegionsInKeyRange: %v", err)
	}
	t.Logf("the accounts span %d regions", len(rs))
	if len(rs) < 3 {
		t.Errorf("accounts span only %d region(s) after splits, want several", len(rs))
	}
}

// transfer moves a random amount between two random accounts in one transaction.
// mode: 0 = plain 2PC, 1 = async commit, 2 = 1PC.
func transfer(ctx context.Context, c *txnkv.Client, rng *rand.Rand, mode int) error {
	a := rng.Intn(bankAccounts)
	b := rng.Intn(bankAccounts - 1)
	if b >= a {
		b++
	}
	txn, err := c.Begin()
	if err != nil {
		return err
	}
	txn.SetEnableAsyncCommit(mode == 1)
	txn.SetEnable1PC(mode == 2)
	vals, err := txn.BatchGet(ctx, [][]byte{bankKey(a), bankKey(b)})
	if err != nil {
		_ = txn.Rollback()
		return fmt.Errorf("BatchGet: %w", err)
	}
	ba, errA := strconv.Atoi(string(vals[string(bankKey(a))]))
	bb, errB := strconv.Atoi(string(vals[string(bankKey(b))]))
	if errA != nil || errB != nil {
		_ = txn.Rollback()
		return fmt.Errorf("corrupt balances %q / %q", vals[string(bankKey(a))], vals[string(bankKey(b))])
	}
	amount := rng.Intn(bankMaxTransfer) + 1
	if amount > ba {
		amount = ba
	}
	_ = txn.Set(bankKey(a), []byte(strconv.Itoa(ba-amount)))
	_ = txn.Set(bankKey(b), []byte(strconv.Itoa(bb+amount)))
	return txn.Commit(ctx)
}

// bankTotal sums every account in one snapshot scan and reports the first negative account.
func bankTotal(ctx context.Context, c *txnkv.Client, ts uint64) (total int, negative string, err error) {
	it, err := c.GetSnapshot(ts).Iter([]byte("bank/"), []byte("bank0"))
	if err != nil {
		return 0, "", err
	}
	defer it.Close()
	n := 0
	for it.Valid() {
		v, err := strconv.Atoi(string(it.Value()))
		if err != nil {
			return 0, "", fmt.Errorf("account %q holds %q", it.Key(), it.Value())
		}
		if v < 0 && negative == "" {
			negative = fmt.Sprintf("%s=%d", it.Key(), v)
		}
		total += v
		n++
		if err := it.Next(); err != nil {
			return 0, "", err
		}
	}
	if n != bankAccounts {
		return total, negative, fmt.Errorf("snapshot scan saw %d accounts, want %d", n, bankAccounts)
	}
	return total, negative, nil
}

func checkBank(t *testing.T, c *txnkv.Client, ctx context.Context, ts uint64, want int) {
	t.Helper()
	total, negative, err := bankTotal(ctx, c, ts)
	if err != nil {
		t.Fatalf("bank scan: %v", err)
	}
	if total != want || negative != "" {
		t.Fatalf("bank total %d (want %d), negative: %q", total, want, negative)
	}
	// The same accounts through BatchGet (a different RPC path) must agree.
	keys := make([][]byte, bankAccounts)
	for i := range keys {
		keys[i] = bankKey(i)
	}
	m, err := c.GetSnapshot(ts).BatchGet(ctx, keys)
	if err != nil {
		t.Fatalf("bank BatchGet: %v", err)
	}
	sum := 0
	for _, v := range m {
		n, _ := strconv.Atoi(string(v))
		sum += n
	}
	if len(m) != bankAccounts || sum != want {
		t.Fatalf("BatchGet saw %d accounts summing to %d, want %d summing to %d", len(m), sum, bankAccounts, want)
	}
}
