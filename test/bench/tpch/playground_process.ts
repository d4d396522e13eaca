/**
 * The system under test started the way a user starts it: `src/bin/playground.ts` as a child
 * process (PD + one store + the SQL layer in one Node.js process) on free ports and a fresh
 * data directory, ready when it prints `playground ready … sql=host:port`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** How long the playground may take to print its ready line. */
const READY_TIMEOUT_MS = 120_000;
/** How long SIGTERM may take before SIGKILL. */
const STOP_TIMEOUT_MS = 30_000;
/** Characters of the child's stderr kept for error messages. */
const STDERR_TAIL_CHARS = 4_000;

export class PlaygroundProcess {
  #stderrTail = '';

  /** Kills the child if this process exits without `stop()` (an uncaught error, Ctrl-C). */
  readonly #killOnExit = (): void => void this.child.kill('SIGKILL');

  private constructor(
    readonly child: ChildProcess,
    /** MySQL protocol address. */
    readonly sqlHost: string,
    readonly sqlPort: number,
  ) {
    process.once('exit', this.#killOnExit);
  }

  /**
   * Starts the playground on `dataDir` with `extraArgs` (e.g. `--region-split-keys`);
   * `nodeArgs` go to node itself (e.g. `--cpu-prof`).
   */
  static async start(dataDir: string, extraArgs: readonly string[] = [], nodeArgs: readonly string[] = []): Promise<PlaygroundProcess> {
    const args = [...nodeArgs, '--import', 'tsx', 'src/bin/playground.ts', '--no-shell', '--data-dir', dataDir, '--pd-port', '0', '--tikv-port', '0', '--status-port', '0', '--sql-port', '0', ...extraArgs];
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => (tail = (tail + s).slice(-STDERR_TAIL_CHARS)));
    const addr = await new Promise<{ host: string; port: number }>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`playground not ready after ${READY_TIMEOUT_MS} ms; stderr: ${tail}`));
      }, READY_TIMEOUT_MS);
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (s: string) => {
        out += s;
        const m = /playground ready .*sql=([^\s]+):(\d+)/.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve({ host: m[1]!, port: Number(m[2]) });
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`playground exited (${code ?? signal}) before ready; stderr: ${tail}`));
      });
    });
    const p = new PlaygroundProcess(child, addr.host, addr.port);
    // Keep draining stdout (a full pipe would block the child) without keeping it.
    child.stdout!.removeAllListeners('data');
    child.stdout!.on('data', () => undefined);
    child.stderr!.removeAllListeners('data');
    child.stderr!.on('data', (s: string) => (p.#stderrTail = (p.#stderrTail + s).slice(-STDERR_TAIL_CHARS)));
    p.#stderrTail = tail;
    return p;
  }

  /** The last lines the playground wrote to stderr. */
  get stderrTail(): string {
    return this.#stderrTail;
  }

  /** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
  async stop(): Promise<void> {
    const child = this.child;
    process.removeListener('exit', this.#killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
