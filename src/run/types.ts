/** What the executor needs, what it emits while it works, and the report it returns (`defrag -o json`). */
import type { CompiledRule } from "../cluster/rule.js";
import type { Advisory, AlarmView, ClusterView } from "../cluster/types.js";
import type { LeaderDecision, LeaderMode, Plan, StepAction, StepRole } from "../plan/types.js";
import type { NodeResourceReader } from "../read/node-resources.js";
import type { Talosctl } from "../talos/talosctl.js";

/** One fresh look at the cluster: one `etcd status` (plus members and alarms) turned into a view. */
export type ReadView = () => Promise<ClusterView>;

export interface RunDeps {
  talosctl: Talosctl;
  readView: ReadView;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  emit: (event: RunEvent) => void;
  /** Aborted = a stop was requested: finish and verify the running defrag, then stop. */
  signal: AbortSignal;
  /** Asked once, after the plan and before anything is touched; false refuses the run. */
  confirm?: (plan: Plan) => Promise<boolean>;
  /**
   * Taken after confirmation with the first view (the cluster is named by its members, see cluster/identity.ts),
   * released when the run ends; throwing refuses the run.
   */
  acquireLock?: (view: ClusterView) => Promise<{ warnings: string[]; release(): Promise<void> }>;
  /** etcd's memory and free disk per node (optional data): RSS before/after each member, the free-space check. */
  resources?: NodeResourceReader;
}

export interface RunOptions {
  force: boolean;
  leaderMode: LeaderMode;
  /** --leader-move-above: under auto, move leadership only when the leader's predicted stall is longer. */
  leaderMoveAboveMs?: number;
  /** --min-reclaim: a member the rule picks with fewer free bytes (`dbSizeFree`) is skipped; 0 turns it off. */
  minReclaimBytes?: number;
  /** Explains verdicts in step reasons; the verdicts themselves come from the view. */
  rule?: CompiledRule;
  dryRun?: boolean;
  /** null: --no-snapshot. */
  snapshot: SnapshotOptions | null;
  /** How long to wait for a member to verify (and for leadership to move). Default 5 minutes. */
  waitTimeoutMs?: number;
  /** Client timeout for the defrag call; default none: a large defrag can take minutes. */
  defragTimeoutMs?: number;
  /** First pause between verification polls; doubles up to maxPollIntervalMs. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
}

export type RunResult = "ok" | "nothing-to-do" | "refused" | "failed" | "interrupted";

export interface Sizes {
  dbSize: number;
  dbSizeInUse: number;
  /** etcd's resident memory at that moment; null when unknown. */
  rssBytes: number | null;
}

/** done: defragmented and verified; failed: this step stopped the run; not-touched: never reached; planned: dry run. */
export type StepOutcome = "done" | "skipped" | "failed" | "not-touched" | "planned";

export interface ReportStep {
  node: string;
  memberId: string;
  role: StepRole;
  action: StepAction;
  reason: string;
  /** Node that took over leadership before this member was defragmented. */
  leaderMovedTo: string | null;
  /** The leader's step only: whether leadership was to move first, and why; null on every other step. */
  leaderDecision: LeaderDecision | null;
  before: Sizes;
  after: Sizes | null;
  /** How long the defrag call took. */
  durationMs: number;
  verified: boolean;
  outcome: StepOutcome;
  /** The defrag call's own error (the member may still have verified) or why the step failed. */
  error: string | null;
}

export interface ReportSnapshot {
  path: string;
  bytes: number;
  sha256Verified: boolean;
  revision: number | null;
  totalKeys: number | null;
  node: string;
  /** `<path>.json`, the snapshot's manifest; null when it could not be written (a warning says why). */
  manifest: string | null;
  /** Snapshots of this cluster that did not verify when retention looked: neither counted nor deleted. */
  unverified: { path: string; error: string }[];
}

/** Where and how the snapshot before a run (or the `snapshot` command's) is taken. */
export interface SnapshotOptions {
  dir: string;
  /** Verified snapshots of this cluster to keep; the one just taken and the newest verified are always kept. */
  keep: number;
  /** Names the files only (ownership is the member IDs in the manifest): the context, else a hash of the IDs. */
  label?: string;
  /** Take it from this node instead of a healthy follower. */
  node?: string;
  /** For the manifest; default: this package's version. */
  toolVersion?: string;
  /** --snapshot-timeout: the call's client timeout; default sized from the source member's file (policy.ts). */
  timeoutMs?: number;
  /** Told the elapsed time (and bytes written so far, when known) every few seconds while the snapshot streams. */
  progress?: (p: { node: string; elapsedMs: number; bytes: number | null }) => void;
  /** How often `progress` is told; default SNAPSHOT_PROGRESS_EVERY_MS. */
  progressEveryMs?: number;
}

/** What the report shows of a snapshot, plus what only the progress output needs. */
export interface SnapshotResult extends ReportSnapshot {
  pruned: string[];
  warnings: string[];
}

export interface RunReport {
  result: RunResult;
  dryRun: boolean;
  snapshot: ReportSnapshot | null;
  steps: ReportStep[];
  alarmsDisarmed: AlarmView[];
  durationMs: number;
  warnings: string[];
  refusedReasons: string[];
  error: string | null;
  /** Known defrag hazards of the members' etcd versions, as read at the start of the run. */
  advisories: Advisory[];
}

export interface StepRef {
  /** 1-based position among the steps of the run, for `[2/3]`. */
  index: number;
  total: number;
  node: string;
  memberId: string;
  role: StepRole;
}

export interface MemberRef {
  node: string;
  memberId: string;
}

export type RunEvent =
  | { type: "gate"; ok: boolean; reasons: string[]; warnings: string[] }
  | { type: "plan"; plan: Plan }
  | { type: "snapshot-started"; node: string }
  | { type: "snapshot-done"; snapshot: SnapshotResult }
  | { type: "step-started"; step: StepRef; before: Sizes }
  | { type: "step-skipped"; step: StepRef; reason: string }
  /** The member was not touched: a precondition of its own failed (not enough free disk). */
  | { type: "step-refused"; step: StepRef; reason: string }
  /** Before the leader's defrag: whether leadership moves first (and why), decided with this run's numbers. */
  | { type: "leader-decision"; step: StepRef; decision: LeaderDecision }
  | { type: "leader-forfeit"; step: StepRef }
  | { type: "leader-moved"; step: StepRef; from: MemberRef; to: MemberRef }
  | { type: "defrag-started"; step: StepRef; startedAt: number }
  | { type: "defrag-done"; step: StepRef; durationMs: number; error: string | null }
  | { type: "verify-waiting"; step: StepRef; attempt: number; unmet: string[] }
  /** Waiting, before this member's defrag, for every voting member to catch up (an etcd with a known hazard). */
  | { type: "catch-up-waiting"; step: StepRef; attempt: number; unmet: string[] }
  | { type: "verified"; step: StepRef; before: Sizes; after: Sizes; durationMs: number; shrunk: boolean }
  | { type: "verify-failed"; step: StepRef; reason: string }
  | { type: "alarms-disarmed"; alarms: AlarmView[] }
  | { type: "stopping"; reason: string }
  /**
   * `message` is the report's warning, word for word. `brief`, when set, is how a person is told it instead of
   * `warning: <message>` (an advisory's one line); null: an earlier brief line already said it.
   */
  | { type: "warning"; message: string; brief?: string | null }
  | { type: "finished"; report: RunReport };
