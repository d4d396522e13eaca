// Proves the layering rules of DESIGN.md hold in the source tree: leaf folders stay leaves,
// the Raft core stays pure, the coprocessor and SQL layer see only what they may, folders
// are entered through mod.ts, and no two folders import each other in a cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE_ROOTS = ['src', 'coprocessor', 'sql-demo'];

interface SourceFile {
  path: string; // repo-relative, forward slashes
  folder: string; // module folder: src/<x> or coprocessor or sql-demo
  text: string;
  imports: string[]; // resolved repo-relative targets, or bare package names
}

function walk(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'testdata') continue;
    if (statSync(full).isDirectory()) out = out.concat(walk(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function moduleFolder(rel: string): string {
  const parts = rel.split('/');
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0]!;
}

const IMPORT_RE = /^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function load(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const r of SOURCE_ROOTS) {
    let entries: string[] = [];
    try {
      entries = walk(join(ROOT, r));
    } catch {
      continue;
    }
    for (const full of entries) {
      const rel = relative(ROOT, full).split(sep).join('/');
      const text = readFileSync(full, 'utf8');
      const imports: string[] = [];
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (spec.startsWith('.')) imports.push(relative(ROOT, resolve(dirname(full), spec)).split(sep).join('/'));
        else imports.push(spec);
      }
      files.push({ path: rel, folder: moduleFolder(rel), text, imports });
    }
  }
  return files;
}

const files = load();
const isTest = (f: SourceFile): boolean => /\.test\.ts$|\/conformance\.ts$|\/testing\//.test(f.path);
const local = (spec: string): boolean => SOURCE_ROOTS.some((r) => spec === r || spec.startsWith(`${r}/`));

function violations(pred: (f: SourceFile, target: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const f of files) for (const t of f.imports) {
    const why = pred(f, t);
    if (why) out.push(`${f.path} -> ${t}: ${why}`);
  }
  return out;
}

describe('import rules (DESIGN.md)', () => {
  it('src/util and src/codec import nothing above them', () => {
    expect(
      violations((f, t) => {
        if (f.folder === 'src/util' && local(t) && moduleFolder(t) !== 'src/util') return 'util is a leaf';
        if (f.folder === 'src/codec' && local(t) && !['src/util', 'src/codec'].includes(moduleFolder(t))) return 'codec imports only util';
        return undefined;
      }),
    ).toEqual([]);
  });

  it('the Raft core is pure: no node:*, timers, Date, Math.random or await', () => {
    const bad: string[] = [];
    for (const f of files) {
      if (f.folder !== 'src/raft' || isTest(f) || f.path.startsWith('src/raft/sim/cli')) continue;
      for (const t of f.imports) if (t.startsWith('node:')) bad.push(`${f.path}: imports ${t}`);
      const code = f.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const word of ['Date.now', 'new Date', 'Math.random', 'setTimeout', 'setInterval', 'await ', 'performance.now']) {
        if (code.includes(word)) bad.push(`${f.path}: uses ${word}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('coprocessor/ sees only util, codec, generated protos and apache-arrow', () => {
    expect(
      violations((f, t) => {
        if (f.folder !== 'coprocessor' || isTest(f)) return undefined;
        if (!local(t)) return t.startsWith('node:') || t === 'apache-arrow' || t === 'vitest' || t === 'fast-check' ? undefined : 'package not allowed';
        return ['coprocessor', 'src/util', 'src/codec', 'src/proto'].includes(moduleFolder(t)) ? undefined : 'coprocessor reaches storage only through ScanSource';
      }),
    ).toEqual([]);
  });

  it('sql-demo/ reaches the cluster over gRPC only', () => {
    const forbidden = ['src/server', 'src/storage', 'src/raftstore', 'src/raft', 'src/engine', 'src/pd', 'coprocessor'];
    expect(violations((f, t) => (f.folder === 'sql-demo' && !isTest(f) && forbidden.includes(moduleFolder(t)) ? 'server internals' : undefined))).toEqual([]);
  });

  it('src/pd never imports raftstore, storage or engine', () => {
    expect(
      violations((f, t) => (f.folder === 'src/pd' && ['src/raftstore', 'src/storage', 'src/engine'].includes(moduleFolder(t)) ? 'PD is independent of the store' : undefined)),
    ).toEqual([]);
  });

  it('imports across module folders go through mod.ts', () => {
    expect(
      violations((f, t) => {
        if (!local(t) || moduleFolder(t) === f.folder || isTest(f)) return undefined;
        const folder = moduleFolder(t);
        // src/util's leaf files are imported directly by design (they have no internal state).
        if (folder === 'src/util') return undefined;
        // A nested module folder (src/codec/tidb) has its own mod.ts and may be entered there.
        return t.startsWith(`${folder}/`) && t.endsWith('/mod.ts') ? undefined : `import ${folder}/mod.ts instead`;
      }),
    ).toEqual([]);
  });

  it('module folders do not import each other in a cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of files) {
      if (isTest(f)) continue;
      for (const t of f.imports) {
        if (!local(t) || moduleFolder(t) === f.folder) continue;
        if (!edges.has(f.folder)) edges.set(f.folder, new Set());
        edges.get(f.folder)!.add(moduleFolder(t));
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(n)), n].join(' -> '));
        return;
      }
      state.set(n, 'visiting');
      for (const m of edges.get(n) ?? []) visit(m, [...path, n]);
      state.set(n, 'done');
    };
    for (const n of edges.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });
});
