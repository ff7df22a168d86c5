/**
 * Every threshold and default the tool decides by, in one place, each with the reason for its value.
 * Change a policy here and nowhere else; README "Policies" says the same in an operator's words.
 */

/**
 * The lag policy, one for status, check, the defrag gate and verification (see src/cluster/lag.ts):
 * a VOTING member is behind when its applied index trails the leader's raft index by more than this many
 * entries. Learners are exempt: they catch up by design and are never defragmented. 1000 entries is about a
 * second of a busy control plane's writes: status rows are not read atomically, so a healthy follower under load
 * trails by tens to hundreds; a member past 1000 is struggling, and etcd would soon send it a raft snapshot
 * (snapshot-catchup-entries is 5000 in etcd 3.4 to 3.6).
 */
export const MAX_APPLIED_LAG = 1000;

/**
 * The catch-up margin, for an etcd with a known defrag hazard that a raft snapshot triggers (etcd issue 20271, see
 * src/cluster/advisories.ts): a member is defragmented only while every voting member is within this many entries
 * of the leader's raft index. The leader cuts its raft log to 5000 entries (snapshot-catchup-entries) behind its
 * latest snapshot, so a member less than 5000 behind is sent entries, never a snapshot; 100 keeps nearly all of
 * that margin (4900 entries) for the time the member is blocked by its defrag. Not 0: status rows are not read at
 * one instant, so under load the leader's index moves on between the answers (over real etcd at 140-230
 * writes/s we measured 0-2 entries; 300 writes/s and 300 ms between answers would be about 100). A larger lag
 * is waited out, bounded by --wait-timeout.
 */
export const CATCH_UP_MARGIN = 100;

/**
 * Quota headroom: a member whose file uses this share of the quota or more is near NOSPACE. The default rule,
 * the status table's highlight and check's "quota headroom" item all use it (ahrtr/etcd-defrag's rule uses 0.8).
 */
export const QUOTA_HEADROOM = 0.8;

/**
 * The default rule (docs/CONTRACT.md "Rule language"): near the quota, or more than 100 MiB to gain with less than
 * half the file in use. Here rather than in src/cluster/rule.ts so that `--help` can show it without loading the
 * rule parser.
 */
export const DEFAULT_RULE = `dbQuotaUsage > ${QUOTA_HEADROOM} || (dbSizeFree > 100*MiB && dbSizeInUse / dbSize < 0.5)`;

/**
 * The reclaim floor (--min-reclaim's default, src/cluster/reclaim-floor.ts): a member the rule picks is skipped
 * when a defrag would give back fewer bytes than this (its `dbSizeFree`). Near the quota with the file full of
 * live data, the default rule fires although a defrag frees nothing, stalls the member, and a schedule repeats
 * it every run. 32 MiB is the floor cozystack's EtcdDefrag uses; `--force` and `--min-reclaim 0` bypass it.
 */
export const MIN_RECLAIM_BYTES = 32 * 1024 ** 2;

/**
 * A defragmented member "did not shrink" when its file got smaller by less than this share of the bytes it was
 * expected to free (its `dbSizeFree` before): a warning and a metric, so a schedule that achieves nothing shows.
 */
export const MIN_SHRINK_SHARE = 0.1;

/**
 * A snapshot call's client timeout unless --snapshot-timeout says otherwise: the source member's file at a slow
 * link's 5 MB/s (etcd streams the whole bbolt file, free pages included), and never under 2 minutes. Without one,
 * a member that died mid-stream left talosctl waiting for ever (found by the chaos run on etcd 3.5).
 */
export const SNAPSHOT_TIMEOUT_FLOOR_MS = 120_000;
export const SNAPSHOT_SLOW_BYTES_PER_SECOND = 5_000_000;

/** How often a snapshot that streams says how long it has been running (on a terminal only). */
export const SNAPSHOT_PROGRESS_EVERY_MS = 5_000;

/**
 * An unfinished snapshot (`<name>.taking`) whose files were not written for this long is stale: left by a run
 * that was killed (a stream at the slowest rate we size timeouts for writes far more often than this).
 */
export const SNAPSHOT_STALE_AFTER_MS = 60 * 60 * 1000;

/** NOSPACE is lifted only when every member is below this share of the quota: it must take writes without tripping again. */
export const DISARM_BELOW_QUOTA = 0.9;

/** etcd's alarm names as talosctl prints them. `alarm disarm` clears every one of them, CORRUPT included. */
export const ALARM = { nospace: "NOSPACE", corrupt: "CORRUPT", none: "NONE" } as const;

/** etcd's own default quota-backend-bytes; Talos does not change it. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;

/** Timeout for the short talosctl calls (status, members, alarms, forfeit, etcdspec): one TLS handshake and a proxy hop. */
export const DEFAULT_CALL_TIMEOUT = "30s";

/** How long a member may take to verify after its defrag (and leadership to move): a large db reloads for minutes. */
export const DEFAULT_WAIT_TIMEOUT_MS = 5 * 60_000;

/**
 * Verification polls (and the waits for a leadership move and for catch-up): the first look comes as soon as the
 * defrag call returns; under writes it usually finds the member a few entries short of the leader's index, which
 * it then reaches within milliseconds, so the second look comes 50 ms later. Each look is one `etcd status` call
 * (one talosctl round trip); the pause doubles up to 5 s, so a long wait costs about one call per 5 s.
 * The trade (issue 21): a member caught up at the first or second look costs 1 or 2 calls, as with a 200 ms start,
 * but is seen 150 ms sooner; a wait of minutes costs 2 calls more than a 200 ms start (BENCHMARKS.md).
 */
export const POLL_FIRST_INTERVAL_MS = 50;
export const POLL_MAX_INTERVAL_MS = 5_000;

/**
 * A view read this recently (by the previous member's verification or the leadership move) serves as the next
 * member's re-plan view: it is the same `etcd status` call, and nothing was changed since (src/run/recent-view.ts).
 */
export const REPLAN_VIEW_MAX_AGE_MS = 1_000;

/** Snapshots of our own kept per cluster in --snapshot-dir. */
export const DEFAULT_SNAPSHOT_KEEP = 5;

/** Where `snapshot` and `defrag` put snapshots when --snapshot-dir is not given. */
export const DEFAULT_SNAPSHOT_DIR = "./etcd-snapshots";

/**
 * Free disk a member's defrag needs (src/plan/disk-check.ts): etcd copies every live key into a new bbolt file
 * beside the old one, so the volume holding /var/lib/etcd must take COPY_FACTOR × in-use + COPY_HEADROOM_BYTES.
 * - × 1/0.9: etcd writes the copy with bbolt buckets at FillPercent 0.9, so the copy is up to ~1.11 × the live data;
 * - × 1.05: `etcd status` prints IN USE rounded by go-humanize, up to 5 % low. Together, rounded up: 1.2;
 * - + 64 MiB: etcd keeps writing its WAL during the copy and pre-allocates each new segment at 64 MB; bbolt grows
 *   the copy in 16 MiB steps; `talosctl mounts` rounds free space to 0.01 GB.
 */
export const COPY_FACTOR = 1.2;
export const COPY_HEADROOM_BYTES = 64 * 1024 * 1024;

/**
 * `--leader auto` moves leadership away before the leader's defrag only when the leader's predicted in-place
 * defrag (its stall: every request to the leader, and every write, waits for it) takes longer than this.
 * Set from the bench (issue 14, BENCHMARKS.md "Leadership move or in place", etcd 3.4.23 and 3.5.30, 200 MB and
 * 1 GB): a move usually costs a few hundred ms of client time (one lease renewal waits about an election
 * timeout), but in about one move in four a request forwarded to the old leader during the transfer is dropped
 * and its client waits out etcd's request timeout, 6-7 s, and gets an error. Counted as stalled client-time
 * with that risk included, a move costs about 2-3 s on average; in place costs about 3 clients' worth of the
 * leader's stall in the bench. The two meet at an in-place stall of about a second, where the bench's 1 GB
 * members were (predicted 1.7 s, measured about 1 s); at 200 MB (about 0.3 s) in place was cheaper on average and
 * never failed a request, although the median move was cheaper still. Below a second, in place. Re-checked on
 * etcd 3.6.12 and 3.7.1 through the real talosctl (issue 28 §5, BENCHMARKS.md "etcd 3.6 and 3.7 through the real
 * talosctl"): moves still fail requests (8 of 60 by the request timeout, all at 1 GB; 5 more by a proposal dropped
 * at once), so the threshold stays.
 */
export const DEFAULT_LEADER_MOVE_ABOVE_MS = 1_000;

/**
 * The defrag rate (live bytes rewritten per second) assumed when this run has not measured one: `plan`, a dry
 * run, or a run where no follower was defragmented before the leader. It is deliberately slow, a homelab's
 * microSD card or a busy HDD under fsync (class-10/A1 cards sustain about 10 MB/s; the bench's SSD-backed etcd
 * rewrote 120-130 MB/s): over-estimating the stall errs towards moving leadership, the behaviour before the
 * threshold existed. A run re-decides with the rate its own followers' defrags showed.
 */
export const ESTIMATED_DEFRAG_BYTES_PER_SECOND = 10_000_000;
