import { assert } from '../util/mod.ts';

/**
 * Key latches (TiKV `txn::latch`): commands that write the same keys run one at a time.
 * Keys hash into `LATCH_SLOTS` slots; a command takes all of its slots in ascending order
 * (so two commands can never wait on each other in a cycle) before reading its snapshot and
 * releases them after its write is applied. Waiters on a slot are served first come, first
 * served. Reads do not latch.
 */
export const LATCH_SLOTS = 1 << 16;

/** A set of held slots; `release` hands each slot to its next waiter. */
export interface LatchGuard {
  release(): void;
}

/** The latch table of one store; see the file comment for the protocol. */
export class Latches {
  /** slot -> queue of waiters (the holder is not in the queue; a present entry means "held"). */
  private readonly slots = new Map<number, Array<() => void>>();

  constructor(private readonly slotCount = LATCH_SLOTS) {}

  /** The slot of a key: FNV-1a over its bytes. */
  slotOf(key: Uint8Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      h ^= key[i]!;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % this.slotCount;
  }

  /** Acquires the latches of `keys` (deduplicated, in slot order). */
  async acquire(keys: readonly Uint8Array[]): Promise<LatchGuard> {
    const wanted = [...new Set(keys.map((k) => this.slotOf(k)))].sort((a, b) => a - b);
    for (const slot of wanted) {
      const queue = this.slots.get(slot);
      if (queue === undefined) {
        this.slots.set(slot, []);
      } else {
        await new Promise<void>((resolve) => queue.push(resolve));
      }
    }
    let released = false;
    return {
      release: () => {
        assert(!released, 'latch guard released twice');
        released = true;
        for (const slot of wanted) this.releaseSlot(slot);
      },
    };
  }

  private releaseSlot(slot: number): void {
    const queue = this.slots.get(slot);
    assert(queue !== undefined, 'releasing a latch slot that is not held');
    const next = queue.shift();
    if (next === undefined) this.slots.delete(slot);
    else next(); // ownership passes directly to the next waiter
  }

  /** Number of held slots (tests). */
  get heldSlotCount(): number {
    return this.slots.size;
  }
}
