package cluster

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pingcap/log"
	"github.com/tikv/client-go/v2/rawkv"
	"github.com/tikv/client-go/v2/txnkv"
	"go.uber.org/zap/zapcore"
)

// ClientSetupTimeout bounds creating a client (PD handshake, first TSO).
const ClientSetupTimeout = 30 * time.Second

func init() { SetClientLogLevel(zapcore.ErrorLevel) }

// SetClientLogLevel sets client-go's log level unless COMPAT_CLIENT_LOG (debug|info|warn|error|
// fatal) overrides it. client-go logs every region miss and backoff at INFO/WARN; tests that
// provoke failures on purpose (crash) raise it further so expected errors do not flood output.
func SetClientLogLevel(level zapcore.Level) {
	if v := os.Getenv("COMPAT_CLIENT_LOG"); v != "" {
		_ = level.Set(v)
	}
	log.SetLevel(level)
}

// Shared is a playground that a test package starts on first use (so `go test -run XXX`
// starts nothing) and stops from TestMain via Finish.
type Shared struct {
	Opts Options
	once sync.Once
	pg   *Playground
	err  error
}

// Get returns the running playground, starting it on first call; it fails the test if the
// playground cannot start.
func (s *Shared) Get(t testing.TB) *Playground {
	t.Helper()
	s.once.Do(func() {
		start := time.Now()
		s.pg, s.err = StartPlayground(s.Opts)
		if s.err == nil {
			fmt.Fprintf(os.Stderr, "compat: playground ready in %s: pd=%s tikv=%s (log %s)\n",
				time.Since(start).Round(time.Millisecond), s.pg.PDAddr, s.pg.TiKVAddr, s.pg.Proc.LogPath)
		}
	})
	if s.err != nil {
		t.Fatalf("%v", s.err)
	}
	return s.pg
}

// Finish stops the playground if it was started. When the package failed (code != 0) it
// prints the tail of the server log first. It returns the exit code for os.Exit, turning a
// dirty server shutdown into a failure.
func (s *Shared) Finish(code int) int {
	if s.pg == nil {
		return code
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "compat: --- playground log tail (%s) ---\n%s\n--- end of log tail ---\n", s.pg.Proc.LogPath, s.pg.Proc.LogTail())
	}
	if err := s.pg.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "compat: playground did not shut down cleanly on SIGTERM: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// NewRawClient opens an official rawkv client (API v1, BatchCommands on) against pdAddr and
// closes it when the test ends. atomic selects SetAtomicForCAS(true).
func NewRawClient(t testing.TB, pdAddr string, atomic bool) *rawkv.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ClientSetupTimeout)
	defer cancel()
	c, err := rawkv.NewClientWithOpts(ctx, []string{pdAddr})
	if err != nil {
		t.Fatalf("rawkv.NewClientWithOpts(%s): %v", pdAddr, err)
	}
	if atomic {
		c.SetAtomicForCAS(true)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// NewTxnClient opens an official txnkv client (API v1, BatchCommands on) against pdAddr and
// closes it when the test ends.
func NewTxnClient(t testing.TB, pdAddr string) *txnkv.Client {
	t.Helper()
	c, err := NewTxnClientErr(pdAddr)
	if err != nil {
		t.Fatalf("txnkv.NewClient(%s): %v", pdAddr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// NewTxnClientErr is NewTxnClient without a testing.TB (for TestMain and the load generator).
// txnkv.NewClient has no context parameter, so the timeout is enforced around the call.
func NewTxnClientErr(pdAddr string) (*txnkv.Client, error) {
	type result struct {
		c   *txnkv.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := txnkv.NewClient([]string{pdAddr})
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-time.After(ClientSetupTimeout):
		return nil, fmt.Errorf("txnkv.NewClient(%s) did not return within %s", pdAddr, ClientSetupTimeout)
	}
}
