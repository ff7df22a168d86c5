/**
 * `check`: the go/no-go checklist for upgrades and cron jobs. Exit 0 go, 3 no-go, 4 healthy but defrag recommended.
 * With --upgrade-to: what the target Talos release does to etcd, the rolling reboots and a recent snapshot.
 * Read-only: never takes a snapshot, never changes a file.
 */

import { buildChecklist, type Checklist, type ChecklistItem } from "../cluster/checklist.js";
import { clusterMemberIds } from "../cluster/identity.js";
import { type RecentSnapshotReport, recentSnapshotItem } from "../cluster/snapshot-item.js";
import { type UpgradeReport, upgradeItems } from "../cluster/upgrade-items.js";
import { parseUpgradeTarget, UPGRADE_TO_FORMS, type UpgradeTarget } from "../cluster/upgrade-target.js";
import { EXIT, type ExitCode, UserError } from "../errors.js";
import { addDiskSpaceItem } from "../plan/disk-check.js";
import { MIN_RECLAIM_BYTES } from "../policy.js";
import { createStyle } from "../render/style.js";
import { findNewestSnapshot } from "../run/recent-snapshot.js";
import { defaultSnapshotLabel } from "../run/snapshot.js";
import { toSnapshotLabel } from "../run/snapshot-file.js";
import { writeMetrics } from "../service/metrics.js";
import { DEFAULT_SNAPSHOT_DIR } from "../service/snapshot.js";
import { validateArgValue } from "../talos/validate.js";
import type { CommandContext } from "./context.js";
import { printDocument, withSchemaVersion } from "./json-output.js";
import { type MetricsFlags, prepareMetricsPath } from "./metrics-flag.js";
import { readViewWithResources } from "./resources.js";
import { openReader, type RuleFlags } from "./rule-flags.js";
import { parseDuration, parseSizeOrZero } from "./values.js";

export interface CheckFlags extends RuleFlags, MetricsFlags {
  upgradeTo?: string;
  snapshotDir?: string;
  snapshotMaxAge?: string;
  minReclaim?: string;
}

/** --snapshot-max-age's default: a backup from the last day. */
export const DEFAULT_SNAPSHOT_MAX_AGE = "24h";

export async function runCheck(ctx: CommandContext, flags: CheckFlags): Promise<ExitCode> {
  // Every flag is checked before the first talosctl call.
  const target = parseUpgradeFlag(flags.upgradeTo);
  const snapshotDir = validateArgValue(flags.snapshotDir ?? DEFAULT_SNAPSHOT_DIR, "--snapshot-dir");
  const wantsSnapshot = target !== undefined || flags.snapshotMaxAge !== undefined;
  const maxAgeMs = parseDuration(flags.snapshotMaxAge ?? DEFAULT_SNAPSHOT_MAX_AGE, "--snapshot-max-age");
  if (maxAgeMs <= 0) throw new UserError("--snapshot-max-age must be greater than zero");
  const minReclaimBytes =
    flags.minReclaim === undefined ? MIN_RECLAIM_BYTES : parseSizeOrZero(flags.minReclaim, "--min-reclaim");
  const metricsPath = await prepareMetricsPath(flags);
  const startedAt = new Date();
  const reader = await openReader(ctx, flags);
  const { view, volumes } = await readViewWithResources(ctx, reader);
  let checklist = addDiskSpaceItem(buildChecklist(view, { minReclaimBytes }), view, volumes);
  // In the order: target etcd, etcd upgrade path, recent snapshot, rolling reboots.
  const found = target === undefined ? undefined : upgradeItems(view, target);
  const upgrade: UpgradeReport | undefined = found?.upgrade;
  let recentSnapshot: RecentSnapshotReport | undefined;
  checklist = appendItems(checklist, found?.items.slice(0, 2) ?? []);
  if (wantsSnapshot) {
    const label = ctx.target.context ?? defaultSnapshotLabel(view);
    const finding = await findNewestSnapshot(snapshotDir, toSnapshotLabel(label), clusterMemberIds(view));
    const snapshot = recentSnapshotItem(finding, maxAgeMs, Date.now());
    recentSnapshot = snapshot.recentSnapshot;
    checklist = appendItems(checklist, [snapshot.item]);
  }
  checklist = appendItems(checklist, found?.items.slice(2) ?? []);
  // Metrics first, so a metrics warning can still go into the JSON document; it never changes the verdict.
  const warnings = await writeMetrics(metricsPath, view, {
    command: "check",
    result: checklist.verdict,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    membersDefragmented: 0,
    bytesReclaimed: 0,
  });
  if (ctx.output === "json")
    printDocument(ctx.io, "check", {
      ...checklist,
      go: checklist.verdict !== "no-go",
      advisories: view.advisories,
      ...(upgrade === undefined ? {} : { upgrade }),
      ...(recentSnapshot === undefined ? {} : { recentSnapshot }),
      // The whole status document, so `.status` validates as one.
      status: withSchemaVersion("status", view),
      ...(warnings.length > 0 ? { warnings } : {}),
    });
  else
    ctx.io.stdout(
      (await import("../render/checklist.js")).renderChecklist(
        checklist,
        createStyle(ctx.color),
        ctx.layout.width,
      ),
    );
  for (const w of warnings) ctx.warn(w);
  return checklist.verdict === "go"
    ? EXIT.ok
    : checklist.verdict === "no-go"
      ? EXIT.refused
      : EXIT.recommended;
}

function parseUpgradeFlag(text: string | undefined): UpgradeTarget | undefined {
  if (text === undefined) return undefined;
  const target = parseUpgradeTarget(text);
  if (target === null)
    throw new UserError(
      `invalid --upgrade-to ${JSON.stringify(text)}: expected a Talos release or its installer image`,
      `accepted forms: ${UPGRADE_TO_FORMS.join("; ")}`,
    );
  return target;
}

/** A failed item makes the verdict no-go; a warning that is not informational recommends a defrag. */
function appendItems(checklist: Checklist, items: readonly ChecklistItem[]): Checklist {
  const all = [...checklist.items, ...items];
  const verdict = items.some((i) => i.status === "fail")
    ? "no-go"
    : checklist.verdict === "go" && items.some((i) => i.status === "warn" && i.informational !== true)
      ? "defrag-recommended"
      : checklist.verdict;
  return { verdict, items: all };
}
