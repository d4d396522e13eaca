// Proves that every message, enum and service in proto/*.proto matches the pinned upstream protos
// (same full names, field numbers, types, labels, packing, oneofs, enum values, RPC signatures),
// and checks it on bytes: a sample of every message encoded with our schema decodes with
// upstream's to the same values and back, and upstream's fuller samples decode with ours.
// Run: npx tsx proto/check.ts   (exits non-zero and prints each mismatch when they differ)
//
// Upstream sources come from the Go module cache (`go mod download -json`, which fetches a
// missing module). PROTO_CHECK_VERBOSE=1 also lists what our files leave out of each type.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** Pinned upstream Go modules (keep in sync with proto/README.md). */
const KVPROTO_MODULE = 'github.com/pingcap/kvproto@v0.0.0-20230403051650-e166ae588106';
const ETCD_API_MODULE = 'go.etcd.io/etcd/api/v3@v3.5.2';
const GRPC_MODULE = 'google.golang.org/grpc@v1.54.0';

const protoDir = dirname(fileURLToPath(import.meta.url));
const verbose = process.env['PROTO_CHECK_VERBOSE'] === '1';

type UpstreamSource =
  | { kind: 'kvproto'; file: string }
  | { kind: 'etcd'; file: string }
  | { kind: 'grpc-health' };

/** Which upstream file each file in proto/ mirrors (paths inside the module). Unlisted files fail the check. */
const UPSTREAM_OF: Record<string, UpstreamSource> = {
  'metapb.proto': { kind: 'kvproto', file: 'proto/metapb.proto' },
  'errorpb.proto': { kind: 'kvproto', file: 'proto/errorpb.proto' },
  'deadlock.proto': { kind: 'kvproto', file: 'proto/deadlock.proto' },
  'kvrpcpb.proto': { kind: 'kvproto', file: 'proto/kvrpcpb.proto' },
  'coprocessor.proto': { kind: 'kvproto', file: 'proto/coprocessor.proto' },
  'tikvpb.proto': { kind: 'kvproto', file: 'proto/tikvpb.proto' },
  'pdpb.proto': { kind: 'kvproto', file: 'proto/pdpb.proto' },
  'etcdserverpb.proto': { kind: 'etcd', file: 'etcdserverpb/rpc.proto' },
  'mvccpb.proto': { kind: 'etcd', file: 'mvccpb/kv.proto' },
  'health.proto': { kind: 'grpc-health' },
  // Written by the Raft part; checked here too so every file in proto/ is covered.
  'eraftpb.proto': { kind: 'kvproto', file: 'include/eraftpb.proto' },
};

const problems: string[] = [];
const omissions: string[] = [];

function moduleDir(module: string): string {
  let out: string;
  try {
    out = execFileSync('go', ['mod', 'download', '-json', module], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    });
  } catch (err) {
    throw new Error(`proto check needs the Go toolchain to fetch ${module}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (info.Dir === undefined) throw new Error(`go mod download ${module}: ${info.Error ?? 'no Dir'}`);
  return info.Dir;
}

/** A stub standing in for option-only imports (gogoproto, rustproto, google.api). */
function makeStubFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'proto-check-'));
  const stub = join(dir, 'stub.proto');
  writeFileSync(stub, 'syntax = "proto3";\n');
  return stub;
}

const OPTION_ONLY_IMPORTS = [
  'gogoproto/gogo.proto',
  'rustproto.proto',
  'google/api/annotations.proto',
  'google/protobuf/descriptor.proto',
];

function loadUpstreamProto(entry: string, includeDirs: string[], stub: string, etcdDir: string | null): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (origin: string, target: string): string => {
    if (OPTION_ONLY_IMPORTS.includes(target)) return stub;
    if (target === entry) return target;
    if (etcdDir !== null && target.startsWith('etcd/api/')) return join(etcdDir, target.slice('etcd/api/'.length));
    for (const dir of includeDirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync(entry, { keepCase: true });
  return root;
}

/** grpc-go ships health.proto only as a serialized FileDescriptorProto inside health.pb.go. */
function loadUpstreamHealth(grpcDir: string): protobuf.Root {
  const goSource = readFileSync(join(grpcDir, 'health/grpc_health_v1/health.pb.go'), 'utf8');
  const match = /var file_grpc_health_v1_health_proto_rawDesc = \[\]byte\{([^}]*)\}/.exec(goSource);
  if (match === null) throw new Error('health.pb.go: raw descriptor not found');
  const bytes = Uint8Array.from((match[1] ?? '').match(/0x[0-9a-fA-F]{2}/g) ?? [], (h) => parseInt(h, 16));
  const require = createRequire(import.meta.url);
  const descriptor = require('protobufjs/ext/descriptor') as {
    FileDescriptorProto: { decode(b: Uint8Array): unknown };
  };
  const file = descriptor.FileDescriptorProto.decode(bytes);
  const fromDescriptor = (protobuf.Root as unknown as { fromDescriptor(d: unknown): protobuf.Root }).fromDescriptor;
  return fromDescriptor({ file: [file] });
}

function typeName(field: protobuf.Field): string {
  return field.resolvedType !== null ? field.resolvedType.fullName : field.type;
}

function compareType(ours: protobuf.Type, theirs: protobuf.Type): void {
  const where = ours.fullName;
  const theirFields = new Map(theirs.fieldsArray.map((f) => [f.name, f]));
  for (const field of ours.fieldsArray) {
    const up = theirFields.get(field.name);
    if (up === undefined) {
      problems.push(`${where}.${field.name}: no such field upstream`);
      continue;
    }
    const at = `${where}.${field.name}`;
    if (field.id !== up.id) problems.push(`${at}: number ${field.id}, upstream ${up.id}`);
    if (typeName(field) !== typeName(up)) problems.push(`${at}: type ${typeName(field)}, upstream ${typeName(up)}`);
    if (field.repeated !== up.repeated) problems.push(`${at}: repeated=${field.repeated}, upstream ${up.repeated}`);
    if (field.map !== up.map) problems.push(`${at}: map=${field.map}, upstream ${up.map}`);
    if (field instanceof protobuf.MapField && up instanceof protobuf.MapField && field.keyType !== up.keyType) {
      problems.push(`${at}: map key ${field.keyType}, upstream ${up.keyType}`);
    }
    if (field.packed !== up.packed) problems.push(`${at}: packed=${field.packed}, upstream ${up.packed}`);
    const oneof = field.partOf?.name ?? null;
    const upOneof = up.partOf?.name ?? null;
    if (oneof !== upOneof) problems.push(`${at}: oneof ${oneof}, upstream ${upOneof}`);
  }
  const ourNames = new Set(ours.fieldsArray.map((f) => f.name));
  const left = theirs.fieldsArray.filter((f) => !ourNames.has(f.name)).map((f) => `${f.name}=${f.id}`);
  if (left.length > 0) omissions.push(`${where}: omits ${left.join(', ')}`);
}

function compareEnum(ours: protobuf.Enum, theirs: protobuf.Enum): void {
  for (const [name, value] of Object.entries(ours.values)) {
    const up = theirs.values[name];
    if (up === undefined) problems.push(`${ours.fullName}.${name}: no such enum value upstream`);
    else if (up !== value) problems.push(`${ours.fullName}.${name}: ${value}, upstream ${up}`);
  }
  const left = Object.keys(theirs.values).filter((n) => !(n in ours.values));
  if (left.length > 0) omissions.push(`${ours.fullName}: omits values ${left.join(', ')}`);
}

function compareService(ours: protobuf.Service, theirs: protobuf.Service): void {
  for (const method of ours.methodsArray) {
    const up = theirs.methods[method.name];
    const at = `${ours.fullName}/${method.name}`;
    if (up === undefined) {
      problems.push(`${at}: no such RPC upstream`);
      continue;
    }
    method.resolve();
    up.resolve();
    const req = method.resolvedRequestType?.fullName;
    const res = method.resolvedResponseType?.fullName;
    if (req !== up.resolvedRequestType?.fullName) problems.push(`${at}: request ${req}, upstream ${up.resolvedRequestType?.fullName}`);
    if (res !== up.resolvedResponseType?.fullName) problems.push(`${at}: response ${res}, upstream ${up.resolvedResponseType?.fullName}`);
    if (Boolean(method.requestStream) !== Boolean(up.requestStream)) problems.push(`${at}: request stream mismatch`);
    if (Boolean(method.responseStream) !== Boolean(up.responseStream)) problems.push(`${at}: response stream mismatch`);
  }
  const left = theirs.methodsArray.filter((m) => ours.methods[m.name] === undefined).map((m) => m.name);
  if (left.length > 0) omissions.push(`${ours.fullName}: omits RPCs ${left.join(', ')}`);
}

/** Message nesting depth for samples; deeper message fields are left unset. */
const SAMPLE_DEPTH_MAX = 4;
const TO_OBJECT = { longs: String, enums: Number, bytes: String, defaults: false, arrays: false, objects: false } as const;

/** A value for every field of `type` (one member per oneof), distinct and non-default. */
function sample(type: protobuf.Type, depth: number, counter: { n: number }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofsSet = new Set<string>();
  for (const field of type.fieldsArray) {
    field.resolve();
    if (field.partOf !== null) {
      if (oneofsSet.has(field.partOf.name)) continue;
    }
    if (field.resolvedType instanceof protobuf.Type && depth >= SAMPLE_DEPTH_MAX) continue;
    const one = (): unknown => scalarOrNested(field, depth, counter);
    if (field instanceof protobuf.MapField) {
      const key = field.keyType === 'string' ? `k${counter.n}` : String(counter.n);
      out[field.name] = { [key]: one() };
    } else if (field.repeated) {
      out[field.name] = [one(), one()];
    } else {
      out[field.name] = one();
    }
    if (field.partOf !== null) oneofsSet.add(field.partOf.name);
  }
  return out;
}

function scalarOrNested(field: protobuf.Field, depth: number, counter: { n: number }): unknown {
  const n = ++counter.n;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return sample(resolved, depth + 1, counter);
  if (resolved instanceof protobuf.Enum) {
    const values = Object.values(resolved.values);
    return values[n % values.length] === 0 && values.length > 1 ? values[(n + 1) % values.length] : values[n % values.length];
  }
  switch (field.type) {
    case 'double': case 'float': return n + 0.5;
    case 'int32': case 'sint32': case 'sfixed32': return -n;
    case 'uint32': case 'fixed32': return n;
    case 'int64': case 'sint64': case 'sfixed64': return String(-n * 1_000_003);
    case 'uint64': case 'fixed64': return '18446744073709551' + String(n % 1000).padStart(3, '0');
    case 'bool': return true;
    case 'string': return `s${n}`;
    case 'bytes': return Uint8Array.of(n & 0xff, 0, 0xff);
    default: throw new Error(`${field.fullName}: unexpected type ${field.type}`);
  }
}

/**
 * Byte-level checks for one message: ours -> bytes -> upstream -> bytes -> ours must give back
 * the same values (so upstream knows every field we send, with the same meaning), and a full
 * upstream sample must decode with our schema (so what we leave out is skipped safely).
 */
function roundTrip(ours: protobuf.Type, theirs: protobuf.Type): void {
  const at = ours.fullName;
  try {
    const original = ours.fromObject(sample(ours, 0, { n: 0 }));
    const viaUpstream = theirs.decode(ours.encode(original).finish());
    const back = ours.decode(theirs.encode(viaUpstream).finish());
    const want = JSON.stringify(ours.toObject(original, TO_OBJECT));
    const got = JSON.stringify(ours.toObject(back, TO_OBJECT));
    if (want !== got) problems.push(`${at}: round trip through upstream changed the message\n  sent ${want}\n  got  ${got}`);
    const full = theirs.fromObject(sample(theirs, 0, { n: 0 }));
    ours.decode(theirs.encode(full).finish());
  } catch (err) {
    problems.push(`${at}: round trip failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Every message, enum and service declared in `file`, nested ones included. */
function declaredIn(root: protobuf.Root, file: string): protobuf.ReflectionObject[] {
  const found: protobuf.ReflectionObject[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if ((obj instanceof protobuf.Type || obj instanceof protobuf.Enum || obj instanceof protobuf.Service) && obj.filename !== null && basename(obj.filename) === file) {
        found.push(obj);
      }
      if (obj instanceof protobuf.Namespace) walk(obj);
    }
  };
  walk(root);
  return found;
}

function compareFile(ours: protobuf.Root, runtime: protobuf.Root, file: string, upstream: protobuf.Root, upstreamFile: string | null): void {
  const objects = declaredIn(ours, file);
  if (objects.length === 0) problems.push(`${file}: declares nothing`);
  for (const obj of objects) {
    const up = upstream.lookup(obj.fullName);
    if (up === null) {
      problems.push(`${obj.fullName} (${file}): not found upstream`);
      continue;
    }
    if (upstreamFile !== null && up.filename !== null && basename(up.filename) !== basename(upstreamFile)) {
      problems.push(`${obj.fullName}: declared in ${file}, upstream in ${basename(up.filename)}`);
    }
    if (obj instanceof protobuf.Type && up instanceof protobuf.Type) {
      compareType(obj, up);
      const runtimeType = runtime.lookupType(obj.fullName);
      roundTrip(runtimeType, up);
    }
    else if (obj instanceof protobuf.Enum && up instanceof protobuf.Enum) compareEnum(obj, up);
    else if (obj instanceof protobuf.Service && up instanceof protobuf.Service) compareService(obj, up);
    else problems.push(`${obj.fullName}: kind differs from upstream`);
  }
}

function main(): void {
  const ourFiles = readdirSync(protoDir)
    .filter((f) => f.endsWith('.proto'))
    .sort();
  for (const f of ourFiles) if (UPSTREAM_OF[f] === undefined) problems.push(`${f}: no upstream mapping in check.ts`);

  // 1. Our files load the way the runtime loads them (camelCase names) and every type resolves.
  const runtimeRoot = new protobuf.Root();
  runtimeRoot.resolvePath = (_origin: string, target: string): string => join(protoDir, basename(target));
  runtimeRoot.loadSync(ourFiles.map((f) => join(protoDir, f)), { keepCase: false });
  runtimeRoot.resolveAll();

  // 2. The same files with names as written, for comparison against upstream.
  const ours = new protobuf.Root();
  ours.resolvePath = runtimeRoot.resolvePath;
  ours.loadSync(ourFiles.map((f) => join(protoDir, f)), { keepCase: true });
  ours.resolveAll();

  const stub = makeStubFile();
  try {
    compareAll(ourFiles, ours, runtimeRoot, stub);
  } finally {
    rmSync(dirname(stub), { recursive: true, force: true });
  }

  if (verbose) for (const line of omissions) console.log(`omitted: ${line}`);
  for (const line of problems) console.error(`MISMATCH: ${line}`);
  const checked = ourFiles.length;
  if (problems.length > 0) {
    console.error(`proto check FAILED: ${problems.length} mismatch(es) in ${checked} files`);
    process.exit(1);
  }
  console.log(`proto check ok: ${checked} files match upstream (${omissions.length} types with omitted members; PROTO_CHECK_VERBOSE=1 lists them)`);
}

function compareAll(ourFiles: string[], ours: protobuf.Root, runtimeRoot: protobuf.Root, stub: string): void {
  const kvprotoDir = moduleDir(KVPROTO_MODULE);
  const etcdDir = moduleDir(ETCD_API_MODULE);
  const kvIncludes = [join(kvprotoDir, 'proto'), join(kvprotoDir, 'include')];

  for (const file of ourFiles) {
    const source = UPSTREAM_OF[file];
    if (source === undefined) continue;
    let upstream: protobuf.Root;
    let upstreamFile: string | null;
    if (source.kind === 'kvproto') {
      upstreamFile = join(kvprotoDir, source.file);
      upstream = loadUpstreamProto(upstreamFile, kvIncludes, stub, null);
    } else if (source.kind === 'etcd') {
      upstreamFile = join(etcdDir, source.file);
      upstream = loadUpstreamProto(upstreamFile, [etcdDir], stub, etcdDir);
    } else {
      upstreamFile = null;
      upstream = loadUpstreamHealth(moduleDir(GRPC_MODULE));
    }
    upstream.resolveAll();
    compareFile(ours, runtimeRoot, file, upstream, upstreamFile);
  }
}

main();
