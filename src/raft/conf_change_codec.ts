/**
 * Protobuf wire encoding of `eraftpb.ConfChange` / `eraftpb.ConfChangeV2`, the payload of
 * conf-change log entries. The core must read these from entries without the generated
 * runtime, so this is a tiny hand-written codec for exactly these two messages.
 * Undecodable bytes in a committed entry are local corruption: they throw `CorruptionError`.
 */
import { CorruptionError } from '../util/mod.ts';
import {
  ConfChangeTransition,
  ConfChangeType,
  type ConfChange,
  type ConfChangeSingle,
  type ConfChangeV2,
} from './eraftpb.ts';

/** Upper bound of changes in one ConfChangeV2, so a corrupt entry cannot allocate without bound. */
export const CONF_CHANGE_CHANGES_MAX = 1024;

class Writer {
  private bytes: number[] = [];
  varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }
  tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }
  uint(field: number, v: bigint): void {
    if (v === 0n) return;
    this.tag(field, 0);
    this.varint(v);
  }
  bytesField(field: number, b: Uint8Array): void {
    if (b.length === 0) return;
    this.tag(field, 2);
    this.varint(BigInt(b.length));
    for (const x of b) this.bytes.push(x);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length || shift > 63n) throw new CorruptionError('bad varint in conf change');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
  }
  lengthDelimited(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new CorruptionError('truncated conf change');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.lengthDelimited();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new CorruptionError(`bad wire type ${wire} in conf change`);
  }
}

/** Encodes a ConfChange as protobuf bytes. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const w = new Writer();
  w.uint(1, cc.id);
  w.uint(2, BigInt(cc.changeType));
  w.uint(3, cc.nodeId);
  w.bytesField(4, cc.context);
  return w.finish();
}

/** Decodes protobuf bytes into a ConfChange. */
export function decodeConfChange(buf: Uint8Array): ConfChange {
  const r = new Reader(buf);
  const cc: ConfChange = { changeType: ConfChangeType.AddNode, nodeId: 0n, context: new Uint8Array(0), id: 0n };
  while (!r.done()) {
    const key = Number(r.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === 0) cc.id = r.varint();
    else if (field === 2 && wire === 0) cc.changeType = Number(r.varint()) as ConfChangeType;
    else if (field === 3 && wire === 0) cc.nodeId = r.varint();
    else if (field === 4 && wire === 2) cc.context = new Uint8Array(r.lengthDelimited());
    else r.skip(wire);
  }
  return cc;
}

/** Encodes a ConfChangeV2 as protobuf bytes. */
export function encodeConfChangeV2(cc: ConfChangeV2): Uint8Array {
  const w = new Writer();
  w.uint(1, BigInt(cc.transition));
  for (const c of cc.changes) {
    const inner = new Writer();
    inner.uint(1, BigInt(c.changeType));
    inner.uint(2, c.nodeId);
    const b = inner.finish();
    w.tag(2, 2);
    w.varint(BigInt(b.length));
    for (const x of b) w['bytes'].push(x);
  }
  w.bytesField(3, cc.context);
  return w.finish();
}

/** Decodes protobuf bytes into a ConfChangeV2. */
export function decodeConfChangeV2(buf: Uint8Array): ConfChangeV2 {
  const r = new Reader(buf);
  const cc: ConfChangeV2 = { transition: ConfChangeTransition.Auto, changes: [], context: new Uint8Array(0) };
  while (!r.done()) {
    const key = Number(r.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === 0) cc.transition = Number(r.varint()) as ConfChangeTransition;
    else if (field === 2 && wire === 2) {
      if (cc.changes.length >= CONF_CHANGE_CHANGES_MAX) throw new CorruptionError('too many conf changes');
      const inner = new Reader(r.lengthDelimited());
      const single: ConfChangeSingle = { changeType: ConfChangeType.AddNode, nodeId: 0n };
      while (!inner.done()) {
        const k = Number(inner.varint());
        if (k >>> 3 === 1 && (k & 7) === 0) single.changeType = Number(inner.varint()) as ConfChangeType;
        else if (k >>> 3 === 2 && (k & 7) === 0) single.nodeId = inner.varint();
        else inner.skip(k & 7);
      }
      cc.changes.push(single);
    } else if (field === 3 && wire === 2) cc.context = new Uint8Array(r.lengthDelimited());
    else r.skip(wire);
  }
  return cc;
}

/** Lifts a single-step ConfChange into the V2 form the core applies. */
export function confChangeToV2(cc: ConfChange): ConfChangeV2 {
  return {
    transition: ConfChangeTransition.Auto,
    changes: [{ changeType: cc.changeType, nodeId: cc.nodeId }],
    context: cc.context,
  };
}
