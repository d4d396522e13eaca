// Package cluster starts and stops our own PD and TiKV-compatible servers (the TypeScript
// executables under src/bin) as real child processes, so that the compatibility tests talk
// to them exactly as a user's Go program would: over loopback gRPC with the official client.
package cluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ReadyTimeout bounds how long a server may take to print its ready line (or open its port).
const ReadyTimeout = 60 * time.Second

// StopTimeout is how long Stop waits after SIGTERM before sending SIGKILL.
const StopTimeout = 10 * time.Second

// logTailBytesMax bounds how much of a server log is echoed when something goes wrong.
const logTailBytesMax = 8 << 10

var readyLine = regexp.MustCompile(`playground ready pd=(\S+) tikv=(\S+) status=(\S+)`)

// RepoRoot finds the repository root (the directory holding package.json and src/bin) by
// walking up from the working directory; COMPAT_REPO_ROOT overrides the search.
func RepoRoot() (string, error) {
	if dir := os.Getenv("COMPAT_REPO_ROOT"); dir != "" {
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "package.json")) && fileExists(filepath.Join(dir, "src")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cluster: repository root (package.json + src/) not found above the working directory; set COMPAT_REPO_ROOT")
		}
		dir = parent
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Process is one server child process (`node --import tsx <script> ...`, i.e. `npx tsx`
// without wrappers) in its own process group.
type Process struct {
	Name    string
	LogPath string
	cmd     *exec.Cmd
	logFile *os.File
	done    chan struct{}
	waitErr error
	stopped sync.Once
}

// startProcess launches `node --import tsx script args...` from the repo root. Every stdout line is
// passed to onLine (until it returns false) and everything is appended to the log file.
func startProcess(name, script string, args []string, logPath string, onLine func(string) bool) (*Process, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	if !fileExists(filepath.Join(root, script)) {
		return nil, fmt.Errorf("cluster: %s does not exist in %s (has the server landed on this branch? try `git merge main`)", script, root)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// This is what `npx tsx <script>` runs, minus two wrappers that break signal handling:
	// npm neither forwards SIGTERM to its child (the server is orphaned) nor exits with its
	// status, and the tsx CLI relays a signal to its node child and SIGKILLs that child when it
	// does not acknowledge within 30 ms (a busy server shutting down then looks like a crash,
	// exit 143). `node --import tsx` loads the same tsx loader in ONE process, so SIGTERM and
	// SIGKILL reach the server itself and its exit status is the server's. Falls back to
	// `npx tsx` when tsx is not installed in the repo.
	var cmd *exec.Cmd
	if fileExists(filepath.Join(root, "node_modules", "tsx", "package.json")) {
		cmd = exec.Command("node", append([]string{"--import", "tsx", script}, args...)...)
	} else {
		cmd = exec.Command("npx", append([]string{"tsx", script}, args...)...)
	}
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "FORCE_COLOR=0", "NO_COLOR=1")
	// Own process group: Stop/Kill9 signal everything the server may have spawned. Pdeathsig
	// kills the server if the test binary itself dies (e.g. by go test's -timeout).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("cluster: start %s: %w", name, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, logFile: logFile, done: make(chan struct{})}
	go func() {
		// Keep draining stdout for the whole life of the process so it never blocks on a full pipe.
		reader := bufio.NewReader(stdout)
		wantLines := onLine != nil
		for {
			line, err := reader.ReadString('\n')
			if len(line) > 0 {
				_, _ = logFile.WriteString(line)
				if wantLines {
					wantLines = onLine(strings.TrimRight(line, "\r\n"))
				}
			}
			if err != nil {
				break
			}
		}
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Pid is the process id of the server process (also the process group id).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stop sends SIGTERM to the process group, waits up to StopTimeout, then SIGKILLs it.
// It returns the exit error (nil for a clean exit 0). Safe to call more than once.
func (p *Process) Stop() error {
	var result error
	p.stopped.Do(func() {
		select {
		case <-p.done:
		default:
			_ = syscall.Kill(-p.Pid(), syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(StopTimeout):
				_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
				<-p.done
				result = fmt.Errorf("cluster: %s did not exit within %s of SIGTERM; killed", p.Name, StopTimeout)
			}
		}
		// Anything left in the group (a grandchild that ignored the signal) is killed too.
		_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
		_ = p.logFile.Close()
		if result == nil {
			result = p.waitErr
		}
	})
	return result
}

// Kill9 sends SIGKILL to the whole process group immediately (a crash) and waits for the exit.
func (p *Process) Kill9() {
	p.stopped.Do(func() {
		_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
		<-p.done
		_ = p.logFile.Close()
	})
}

// LogTail returns the last few KiB of the process log, for failure messages.
func (p *Process) LogTail() string { return logTail(p.LogPath) }

func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(data) > logTailBytesMax {
		data = data[len(data)-logTailBytesMax:]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	return string(data)
}

// Options configures a playground (one PD plus one store in one process).
type Options struct {
	// RegionSplitKeys, when > 0, is passed as --region-split-keys (small values make many regions).
	RegionSplitKeys int
	// ExtraArgs are appended to the playground command line.
	ExtraArgs []string
}

// Playground is a running `src/bin/playground.ts`.
type Playground struct {
	PDAddr     string
	TiKVAddr   string
	StatusAddr string
	DataDir    string
	Proc       *Process
	ownsDir    bool
}

// StartPlayground starts a fresh playground on free ports with a new temporary data directory
// and waits (up to ReadyTimeout) for its `playground ready pd=... tikv=... status=...` line.
func StartPlayground(opts Options) (*Playground, error) {
	dataDir, err := os.MkdirTemp("", "compat-playground-")
	if err != nil {
		return nil, err
	}
	// --no-sql: the compat tests use the cluster through client-go only; in API v1 the SQL
	// layer's transactional meta keys must not share regions with the raw tests' data.
	args := []string{"--no-shell", "--no-sql", "--data-dir", filepath.Join(dataDir, "data"),
		"--pd-port", "0", "--tikv-port", "0", "--status-port", "0"}
	if opts.RegionSplitKeys > 0 {
		args = append(args, "--region-split-keys", strconv.Itoa(opts.RegionSplitKeys))
	}
	args = append(args, opts.ExtraArgs...)
	ready := make(chan []string, 1)
	proc, err := startProcess("playground", "src/bin/playground.ts", args, filepath.Join(dataDir, "playground.log"),
		func(line string) bool {
			if m := readyLine.FindStringSubmatch(line); m != nil {
				ready <- m
				return false
			}
			return true
		})
	if err != nil {
		os.RemoveAll(dataDir)
		return nil, err
	}
	select {
	case m := <-ready:
		return &Playground{PDAddr: m[1], TiKVAddr: m[2], StatusAddr: m[3], DataDir: dataDir, Proc: proc, ownsDir: true}, nil
	case <-proc.Exited():
		tail := proc.LogTail()
		_ = proc.Stop()
		os.RemoveAll(dataDir)
		return nil, fmt.Errorf("cluster: playground exited before printing its ready line (%v); log tail:\n%s", proc.waitErr, tail)
	case <-time.After(ReadyTimeout):
		tail := proc.LogTail()
		_ = proc.Stop()
		os.RemoveAll(dataDir)
		return nil, fmt.Errorf("cluster: playground did not print `playground ready pd=... tikv=... status=...` within %s; log tail:\n%s", ReadyTimeout, tail)
	}
}

// Stop shuts the playground down (SIGTERM, then SIGKILL) and removes its data directory
// unless COMPAT_KEEP_DATA is set. It reports a non-clean exit as an error.
func (p *Playground) Stop() error {
	err := p.Proc.Stop()
	if p.ownsDir && os.Getenv("COMPAT_KEEP_DATA") == "" {
		os.RemoveAll(p.DataDir)
	}
	return err
}

// FreePort asks the kernel for a free loopback TCP port. (There is a small race between closing
// the probe listener and the server binding the port; acceptable for tests on one machine.)
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitForPort polls a TCP address until it accepts a connection, the process exits, or timeout.
func WaitForPort(ctx context.Context, addr string, proc *Process, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-proc.Exited():
			return fmt.Errorf("cluster: %s exited before listening on %s (%v); log tail:\n%s", proc.Name, addr, proc.waitErr, proc.LogTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster: %s did not listen on %s within %s; log tail:\n%s", proc.Name, addr, timeout, proc.LogTail())
		}
	}
}

// StartPD starts `src/bin/pd_server.ts` on the given port with the given data directory and
// waits until its port accepts connections.
func StartPD(port int, dataDir, logPath string) (*Process, string, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	proc, err := startProcess("pd_server", "src/bin/pd_server.ts",
		[]string{"--client-urls", "http://" + addr, "--data-dir", dataDir}, logPath, nil)
	if err != nil {
		return nil, "", err
	}
	if err := WaitForPort(context.Background(), addr, proc, ReadyTimeout); err != nil {
		_ = proc.Stop()
		return nil, "", err
	}
	return proc, addr, nil
}

// StartTiKV starts `src/bin/tikv_server.ts` against pdAddr, on the given ports, and waits until
// its gRPC port accepts connections. Extra args (e.g. --config) are appended.
func StartTiKV(pdAddr string, port, statusPort int, dataDir, logPath string, extra ...string) (*Process, string, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := append([]string{"--pd", pdAddr, "--addr", addr,
		"--status-addr", fmt.Sprintf("127.0.0.1:%d", statusPort), "--data-dir", dataDir}, extra...)
	proc, err := startProcess("tikv_server", "src/bin/tikv_server.ts", args, logPath, nil)
	if err != nil {
		return nil, "", err
	}
	if err := WaitForPort(context.Background(), addr, proc, ReadyTimeout); err != nil {
		_ = proc.Stop()
		return nil, "", err
	}
	return proc, addr, nil
}
