/**
 * Joint-consensus configuration changes (Raft thesis §4.3, ConfChangeV2 semantics). Each
 * operation works on a copy of the tracker's config and progress and returns the new pair or
 * an error string; the caller installs it. Rules: a simple change may alter at most one
 * voter; a joint config is entered from a non-joint one and left by an empty ConfChangeV2;
 * a voter demoted while it is still an outgoing voter becomes a learner only on leaving.
 */
import { ConfChangeTransition, ConfChangeType, type ConfChangeSingle, type ConfChangeV2, type ConfState } from './eraftpb.ts';
import { Progress } from './progress.ts';
import { checkConfig, cloneConfig, type ProgressTracker, type TrackerConfig } from './progress_tracker.ts';

/** The result of a conf change: a new config and progress map, or why it was refused. */
export type ChangeResult = { config: TrackerConfig; progress: Map<bigint, Progress> } | { error: string };

/** True when `cc` asks to leave a joint config (empty Auto change). */
export function leavesJoint(cc: ConfChangeV2): boolean {
  return cc.changes.length === 0 && cc.transition === ConfChangeTransition.Auto;
}

/** Whether `cc` enters a joint config, and if so whether it leaves it automatically. */
export function entersJoint(cc: ConfChangeV2): { joint: boolean; autoLeave: boolean } {
  if (cc.transition !== ConfChangeTransition.Auto || cc.changes.length > 1) {
    return { joint: true, autoLeave: cc.transition !== ConfChangeTransition.Explicit };
  }
  return { joint: false, autoLeave: false };
}

/** Applies conf changes to copies of a tracker's state. */
export class ConfChanger {
  constructor(
    private readonly tracker: ProgressTracker,
    private readonly lastIndex: bigint,
  ) {}

  /** Dispatches a ConfChangeV2 to leave / enter-joint / simple. */
  apply(cc: ConfChangeV2): ChangeResult {
    // Progress objects are shared with the live tracker; undo learner flips on refusal.
    const flags = new Map<bigint, boolean>();
    for (const [id, pr] of this.tracker.progress) flags.set(id, pr.isLearner);
    const result = this.dispatch(cc);
    if ('error' in result) {
      for (const [id, pr] of this.tracker.progress) pr.isLearner = flags.get(id)!;
    }
    return result;
  }

  private dispatch(cc: ConfChangeV2): ChangeResult {
    if (leavesJoint(cc)) return this.leaveJoint();
    const j = entersJoint(cc);
    if (j.joint) return this.enterJoint(j.autoLeave, cc.changes);
    return this.simple(cc.changes);
  }

  enterJoint(autoLeave: boolean, changes: ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.copy();
    if (config.outgoing.size > 0) return { error: 'config is already joint' };
    if (config.incoming.size === 0) return { error: 'cannot make a zero-voter config joint' };
    config.outgoing = new Set(config.incoming);
    const err = this.applyChanges(config, progress, changes);
    if (err) return { error: err };
    config.autoLeave = autoLeave;
    return this.checked(config, progress);
  }

  leaveJoint(): ChangeResult {
    const { config, progress } = this.copy();
    if (config.outgoing.size === 0) return { error: 'cannot leave a non-joint config' };
    for (const id of config.learnersNext) {
      config.learners.add(id);
      progress.get(id)!.isLearner = true;
    }
    config.learnersNext = new Set();
    for (const id of config.outgoing) {
      if (!config.incoming.has(id) && !config.learners.has(id)) progress.delete(id);
    }
    config.outgoing = new Set();
    config.autoLeave = false;
    return this.checked(config, progress);
  }

  simple(changes: ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.copy();
    if (config.outgoing.size > 0) return { error: 'cannot apply a simple change in a joint config' };
    const before = new Set(config.incoming);
    const err = this.applyChanges(config, progress, changes);
    if (err) return { error: err };
    let diff = 0;
    for (const id of before) if (!config.incoming.has(id)) diff++;
    for (const id of config.incoming) if (!before.has(id)) diff++;
    if (diff > 1) return { error: 'more than one voter changed without entering a joint config' };
    return this.checked(config, progress);
  }

  private copy(): { config: TrackerConfig; progress: Map<bigint, Progress> } {
    const progress = new Map<bigint, Progress>();
    // Progress objects are shared on purpose (replication state carries over); only the
    // learner flag is changed, and only on ids whose membership changes.
    for (const [id, pr] of this.tracker.progress) progress.set(id, pr);
    return { config: cloneConfig(this.tracker.config), progress };
  }

  private checked(config: TrackerConfig, progress: Map<bigint, Progress>): ChangeResult {
    const err = checkConfig(config, progress);
    return err ? { error: err } : { config, progress };
  }

  private applyChanges(config: TrackerConfig, progress: Map<bigint, Progress>, changes: ConfChangeSingle[]): string | null {
    for (const cc of changes) {
      if (cc.nodeId === 0n) continue; // a no-op change, allowed by the protocol
      switch (cc.changeType) {
        case ConfChangeType.AddNode:
          this.makeVoter(config, progress, cc.nodeId);
          break;
        case ConfChangeType.AddLearnerNode:
          this.makeLearner(config, progress, cc.nodeId);
          break;
        case ConfChangeType.RemoveNode:
          this.remove(config, progress, cc.nodeId);
          break;
        default:
          return `unknown conf change type ${String(cc.changeType)}`;
      }
    }
    if (config.incoming.size === 0) return 'removed all voters';
    return null;
  }

  private initProgress(config: TrackerConfig, progress: Map<bigint, Progress>, id: bigint, isLearner: boolean): void {
    if (isLearner) config.learners.add(id);
    else config.incoming.add(id);
    const next = this.lastIndex > 0n ? this.lastIndex : 1n;
    const pr = new Progress(next, isLearner, this.tracker.inflightMsgsMax, this.tracker.inflightBytesMax);
    // A new member counts as active so check-quorum does not depose the leader at once.
    pr.recentActive = true;
    progress.set(id, pr);
  }

  private makeVoter(config: TrackerConfig, progress: Map<bigint, Progress>, id: bigint): void {
    const pr = progress.get(id);
    if (!pr) {
      this.initProgress(config, progress, id, false);
      return;
    }
    pr.isLearner = false;
    config.learners.delete(id);
    config.learnersNext.delete(id);
    config.incoming.add(id);
  }

  private makeLearner(config: TrackerConfig, progress: Map<bigint, Progress>, id: bigint): void {
    const pr = progress.get(id);
    if (!pr) {
      this.initProgress(config, progress, id, true);
      return;
    }
    if (pr.isLearner) return;
    this.remove(config, progress, id);
    progress.set(id, pr);
    if (config.outgoing.has(id)) {
      // Still needed as a voter by the outgoing half: becomes a learner when we leave joint.
      config.learnersNext.add(id);
    } else {
      pr.isLearner = true;
      config.learners.add(id);
    }
  }

  private remove(config: TrackerConfig, progress: Map<bigint, Progress>, id: bigint): void {
    if (!progress.has(id)) return;
    config.incoming.delete(id);
    config.learners.delete(id);
    config.learnersNext.delete(id);
    if (!config.outgoing.has(id)) progress.delete(id);
  }
}

/** Builds a config and progress map directly from a ConfState (restart or snapshot). */
export function configFromConfState(
  tracker: ProgressTracker,
  cs: ConfState,
  lastIndex: bigint,
): { config: TrackerConfig; progress: Map<bigint, Progress> } {
  const config: TrackerConfig = {
    incoming: new Set(cs.voters),
    outgoing: new Set(cs.votersOutgoing),
    learners: new Set(cs.learners),
    learnersNext: new Set(cs.learnersNext),
    autoLeave: cs.autoLeave,
  };
  const progress = new Map<bigint, Progress>();
  for (const set of [config.incoming, config.outgoing, config.learners, config.learnersNext]) {
    for (const id of set) {
      if (progress.has(id)) continue;
      const pr = new Progress(lastIndex + 1n, config.learners.has(id), tracker.inflightMsgsMax, tracker.inflightBytesMax);
      pr.recentActive = true;
      progress.set(id, pr);
    }
  }
  return { config, progress };
}
