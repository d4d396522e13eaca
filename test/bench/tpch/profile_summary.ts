/**
 * Where the playground's CPU time goes, per benchmark phase: reads the V8 `.cpuprofile` the
 * playground writes with `--cpu-prof` and attributes each sample's self time to a layer
 * (by the source path of the sampled function, or of its nearest caller outside Node's own
 * library) and to the function itself, split by phase
 * windows the bench recorded. Both processes read CLOCK_MONOTONIC (V8's profile timestamps
 * and `process.hrtime`), so the windows line up.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A phase window in monotonic microseconds. */
export interface Phase {
  name: string;
  startUs: number;
  endUs: number;
}

/** Monotonic microseconds, the clock V8 stamps profiles with. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Layers, first match wins (paths are file URLs). */
const LAYERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['SQL parser (node-sql-parser)', /node-sql-parser/],
  ['SQL protocol (sql-demo/server)', /sql-demo\/server\//],
  ['SQL engine: kv client (sql-demo/kv)', /sql-demo\/kv\//],
  ['SQL engine (sql-demo/engine, planner/executor/codec)', /sql-demo\//],
  ['coprocessor', /\/coprocessor\//],
  ['TiDB codec (src/codec)', /src\/codec\//],
  ['storage / MVCC / txn (src/storage)', /src\/storage\//],
  ['raft + raftstore', /src\/(raft|raftstore)/],
  ['engine (src/engine) + classic-level', /src\/engine\/|classic-level|abstract-level|level-/],
  ['PD + pd client', /src\/(pd|pd_client)\//],
  ['gRPC + protobuf (SQL layer <-> store/PD on loopback, incl. node http2)', /@grpc|protobufjs|src\/proto\/|src\/server\/|node:internal\/http2|node:http2/],
  ['other project code (src/)', /\/src\//],
  ['other packages', /node_modules/],
];

/**
 * The layer of a frame, or undefined for Node's own library and nameless native code (their
 * time is charged to the nearest caller that has a layer: a Buffer copy inside the MySQL
 * protocol code counts as protocol time).
 */
function ownLayer(frame: CallFrame): string | undefined {
  const fn = frame.functionName;
  if (frame.url === '') {
    if (fn === '(garbage collector)' || fn === '(program)' || fn === '(idle)') return fn;
    // protobufjs generates its codecs with `new Function` (no url): `Context$encode`.
    if (/\$(encode|decode|verify|fromObject|toObject)$/.test(fn)) return 'gRPC + protobuf (SQL layer <-> store/PD on loopback, incl. node http2)';
    return undefined;
  }
  if (frame.url.startsWith('node:') && !/http2/.test(frame.url)) return undefined;
  for (const [name, re] of LAYERS) if (re.test(frame.url)) return name;
  return 'other';
}

function shortFrame(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\/.*?\/(node_modules\/|sql-demo\/|src\/|coprocessor\/)/, '$1');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/** Per-phase text report: busy share, layers by self time, top functions. */
export function summarizeProfile(path: string, phases: readonly Phase[], topFunctions = 12): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const layerCache = new Map<number, string>();
  const layerOfNode = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached !== undefined) return cached;
    let layer: string | undefined;
    for (let at: number | undefined = id; at !== undefined && layer === undefined; at = parent.get(at)) layer = ownLayer(byId.get(at)!.callFrame);
    layer ??= 'node internals (no caller with a layer)';
    layerCache.set(id, layer);
    return layer;
  };
  const out: string[] = [];
  for (const phase of phases) {
    const layers = new Map<string, number>();
    const funcs = new Map<string, number>();
    let total = 0;
    let idle = 0;
    let t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i]!;
      if (t < phase.startUs || t >= phase.endUs) continue;
      const dt = profile.timeDeltas[i + 1] ?? 0;
      const frame = byId.get(profile.samples[i]!)!.callFrame;
      const layer = layerOfNode(profile.samples[i]!);
      if (layer === '(idle)') {
        idle += dt;
        continue;
      }
      total += dt;
      layers.set(layer, (layers.get(layer) ?? 0) + dt);
      const f = shortFrame(frame);
      funcs.set(f, (funcs.get(f) ?? 0) + dt);
    }
    const wall = phase.endUs - phase.startUs;
    out.push(`\n${phase.name}: ${(wall / 1e6).toFixed(1)} s wall, playground CPU busy ${(total / 1e6).toFixed(1)} s (${((100 * total) / wall).toFixed(0)}%), idle ${(idle / 1e6).toFixed(1)} s`);
    if (total === 0) continue;
    const pct = (x: number) => `${((100 * x) / total).toFixed(1).padStart(5)}%`;
    for (const [name, us] of [...layers].sort((a, b) => b[1] - a[1])) out.push(`  ${pct(us)}  ${name}`);
    out.push('  top functions (self time):');
    for (const [name, us] of [...funcs].sort((a, b) => b[1] - a[1]).slice(0, topFunctions)) out.push(`    ${pct(us)}  ${name}`);
  }
  return out.join('\n');
}
