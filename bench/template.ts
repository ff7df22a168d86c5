/**
 * A fragmented cluster built once per bench, kept as its members' stopped data dirs, and restored for every run.
 * Building 1 GB per member by the recipe takes minutes on a 2-core machine; copying the data dirs back takes
 * seconds, and a byte copy keeps the bbolt file's free pages, so every run starts from the same fragmentation.
 */
import { cp, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { memberDataDir, type SimCluster, startCluster } from "../sim/cluster.js";
import { fragmentCluster, readSizes, type SizeReport } from "../sim/data.js";
import { callGateway, encodeKey } from "../sim/gateway.js";

export interface TemplateMember {
  node: string;
  /** The saved data dir, copied back before each run. */
  dataDir: string;
  /** etcd's own numbers before the members were stopped, and the bbolt file's size on disk. */
  sizes: SizeReport;
  dbFileBytes: number;
}

export interface ClusterTemplate {
  ips: string[];
  members: TemplateMember[];
  /** How long the recipe and the save took (for planning a matrix). */
  buildMs: number;
}

export interface TemplateOptions {
  ips: string[];
  sizeBytes: number;
  reclaimableRatio: number;
  fragmentTimeoutMs: number;
  /** Where the saved data dirs go; the caller removes it. */
  dir: string;
  /** The last IP joins as a learner before the data is written (the chaos run's learner runs). */
  learner?: boolean;
}

/** etcd keeps its bbolt file here inside a data dir (3.4 and 3.5 alike). */
export function dbFileOf(dataDir: string): string {
  return join(dataDir, "member", "snap", "db");
}

export async function buildTemplate(opts: TemplateOptions): Promise<ClusterTemplate> {
  const started = performance.now();
  const cluster = await startCluster({ ips: opts.ips, release: "v1.13", learner: opts.learner ?? false });
  try {
    const endpoints = cluster.nodes.map((n) => cluster.endpoints(n));
    await fragmentCluster(endpoints[0] ?? "", {
      targetBytes: opts.sizeBytes,
      reclaimableRatio: opts.reclaimableRatio,
      timeoutMs: opts.fragmentTimeoutMs,
    });
    const sizes = await Promise.all(endpoints.map(readSizes));
    // Stopped one by one (not through stop(), which deletes the dir), so each bbolt file is closed cleanly.
    for (const node of cluster.nodes) await cluster.stopMember(node);
    await mkdir(opts.dir, { recursive: true });
    const members = await Promise.all(
      cluster.nodes.map(async (node, i) => {
        const dataDir = join(opts.dir, `member-${i + 1}`);
        await cp(memberDataDir(cluster.dir, i), dataDir, {
          recursive: true,
          force: false,
          errorOnExist: true,
        });
        const member: TemplateMember = {
          node,
          dataDir,
          sizes: sizes[i] ?? { dbSize: 0, dbSizeInUse: 0, revision: 0 },
          dbFileBytes: (await stat(dbFileOf(dataDir))).size,
        };
        return member;
      }),
    );
    return { ips: [...opts.ips], members, buildMs: Math.round(performance.now() - started) };
  } finally {
    await cluster.stop();
  }
}

export interface RestoredCluster {
  cluster: SimCluster;
  /** The leader elected after the restart (elections pick it; recorded, not chosen). */
  leader: string;
  sizes: SizeReport[];
  restoreMs: number;
}

/**
 * Copies the template back, starts the members on the same addresses, waits for one leader that every member
 * names and for a linearizable read through each member, then checks that each db is the template's size: a
 * run on a db that is not the one measured before would compare nothing.
 */
export async function restoreTemplate(
  template: ClusterTemplate,
  healthTimeoutMs: number,
): Promise<RestoredCluster> {
  const started = performance.now();
  const cluster = await startCluster({
    ips: template.ips,
    release: "v1.13",
    seedDataDirs: template.members.map((m) => m.dataDir),
  });
  try {
    await waitForHealth(cluster, healthTimeoutMs);
    const sizes = await Promise.all(cluster.nodes.map((n) => readSizes(cluster.endpoints(n))));
    await assertSameSizes(template, cluster, sizes);
    const leader = await cluster.leaderNode();
    if (leader === null) throw new Error("restored cluster: no member says it leads");
    return { cluster, leader, sizes, restoreMs: Math.round(performance.now() - started) };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Every member answers a linearizable read (it goes through raft: a leader and a quorum are there). */
export async function waitForHealth(
  cluster: SimCluster,
  timeoutMs: number,
  /** Learners serve no linearizable read: leave them out. */
  skip: readonly string[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (const node of cluster.nodes.filter((n) => !skip.includes(n))) {
    for (;;) {
      try {
        await callGateway(
          cluster.endpoints(node),
          "kv/range",
          { key: encodeKey("/health") },
          { timeoutMs: 2000 },
        );
        break;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() >= deadline)
        throw new Error(`restored cluster: ${node} not healthy within ${timeoutMs} ms: ${last}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function assertSameSizes(
  template: ClusterTemplate,
  cluster: SimCluster,
  sizes: readonly SizeReport[],
): Promise<void> {
  const problems: string[] = [];
  for (const [i, member] of template.members.entries()) {
    const file = (await stat(dbFileOf(memberDataDir(cluster.dir, i)))).size;
    const reported = sizes[i]?.dbSize ?? -1;
    if (reported !== member.sizes.dbSize || file !== member.dbFileBytes)
      problems.push(
        `${member.node}: db ${reported} B (file ${file} B) after restore, template had ${member.sizes.dbSize} B ` +
          `(file ${member.dbFileBytes} B)`,
      );
  }
  if (problems.length > 0)
    throw new Error(`restored cluster differs from its template:\n${problems.join("\n")}`);
}
