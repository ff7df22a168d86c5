/**
 * Maintainer's capture of the real talosctl (issue 29 §3): for each era (talosctl v1.13.9 over etcd 3.6.12,
 * v1.14.1 over etcd 3.7.1) it starts a real 3-member etcd cluster with the Talos API double in front
 * (TALOSCTL_REAL, sim/real-talosctl.ts), runs the real talosctl for every command the tool runs, in every
 * scenario below, and writes what it printed and exited with under fixtures/captured/<tag>/<scenario>/
 * (`<sub>.stdout`, `.stderr`, `.exit`, as fixtures/README.md), with `facts.json`: what the cluster was (nodes,
 * member IDs, leader, nodes down), so test/talos/captured-fixtures.test.ts holds the parsers to the truth.
 *
 *   npm run build && node dist-tools/bench/capture-fixtures.js [v1.13.9|v1.14.1 ...]
 *
 * Each scenario holds what status, check and alarms list ask (the reads with -n, the etcdspec of the first node),
 * so test/cli/captured-cli.test.ts replays it through the CLI; scenarios: healthy, one-node-down, all-nodes-down,
 * several-nodes, role-refused (os:reader's reads and refusals), member-stopped (etcd stopped, apid up),
 * snapshot-interrupted.
 *
 * Run it under the machine-wide lock (`flock /tmp/real-etcd.lock ...`): addresses 127.0.0.231–233.
 * Snapshot paths are written as /var/tmp/capture/etcd.snapshot whatever the real temporary folder was.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster } from "../sim/cluster.js";
import { REAL_TAGS, type RealTag } from "../sim/real-talosctl.js";
import type { SimCluster } from "../sim/types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = join(ROOT, "fixtures", "captured");
const IPS = ["127.0.0.231", "127.0.0.232", "127.0.0.233"];
const ETCD_OF: Record<RealTag, string> = { "v1.13.9": "3.6.12", "v1.14.1": "3.7.1" };
const SNAPSHOT_SHOWN = "/var/tmp/capture/etcd.snapshot";
const ETCDSPEC = ["get", "etcdspec", "etcd", "-o", "yaml"];
/** The reads of status, check and alarms list with -n (the etcdspec goes to the first node). */
const READS = [
  ["status", ["etcd", "status"]],
  ["members", ["etcd", "members"]],
  ["alarm-list", ["etcd", "alarm", "list"]],
  ["processes", ["processes"]],
  ["mounts", ["mounts"]],
] as const;

interface Captured {
  stdout: string;
  stderr: string;
  exit: number | string;
}

function run(
  c: SimCluster,
  args: string[],
  opts: { talosconfig?: string | undefined; killWhen?: () => boolean } = {},
): Promise<Captured> {
  const real = c.real;
  if (real === undefined) throw new Error("not the real talosctl");
  return new Promise((done) => {
    const child = execFile(
      real.talosctl,
      args,
      {
        env: { ...process.env, TALOSCONFIG: opts.talosconfig ?? real.talosconfigOf("os:admin") },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        const signal = (error as { signal?: unknown } | null)?.signal;
        const exit = error === null ? 0 : typeof code === "number" ? code : `signal ${String(signal)}`;
        done({ stdout: String(stdout), stderr: String(stderr), exit });
      },
    );
    if (opts.killWhen !== undefined) {
      const poll = setInterval(() => {
        if (opts.killWhen?.()) {
          clearInterval(poll);
          child.kill("SIGTERM");
        }
      }, 20);
      child.once("exit", () => clearInterval(poll));
    }
  });
}

function write(dir: string, sub: string, captured: Captured, snapshotDir?: string): void {
  mkdirSync(dir, { recursive: true });
  const clean = (text: string): string =>
    snapshotDir === undefined ? text : text.split(join(snapshotDir, "etcd.snapshot")).join(SNAPSHOT_SHOWN);
  writeFileSync(join(dir, `${sub}.stdout`), clean(captured.stdout));
  if (captured.stderr !== "") writeFileSync(join(dir, `${sub}.stderr`), clean(captured.stderr));
  if (captured.exit !== 0) writeFileSync(join(dir, `${sub}.exit`), `${captured.exit}\n`);
}

async function facts(c: SimCluster, down: string[], extra: Record<string, unknown> = {}): Promise<object> {
  const members = await c.memberList();
  return {
    talosctl: c.real?.tag,
    release: c.release,
    nodes: c.nodes,
    members: members.map((m) => ({
      node: m.node,
      id: BigInt(m.id).toString(16).padStart(16, "0"),
      name: m.name,
    })),
    leader: await c.leaderNode(),
    down,
    ...extra,
  };
}

async function captureEra(tag: RealTag): Promise<void> {
  process.env.TALOSCTL_REAL = tag;
  const etcdDir = await new Promise<string>((done, fail) =>
    execFile("bash", [join(ROOT, "scripts", "etcd-build"), ETCD_OF[tag]], (e, out) =>
      e === null ? done(out.trim()) : fail(e),
    ),
  );
  process.env.PATH = `${etcdDir}:${process.env.PATH ?? ""}`;
  const c = await startCluster({ ips: IPS });
  const era = join(OUT, tag);
  rmSync(era, { recursive: true, force: true });
  const all = ["-n", c.nodes.join(",")];
  const snapDir = mkdtempSync(join(tmpdir(), "capture-"));
  const snapPath = join(snapDir, "etcd.snapshot");
  try {
    const leader = (await c.leaderNode()) ?? "";
    const follower = c.nodes.find((n) => n !== leader) ?? "";

    // success: every node answers
    let dir = join(era, "healthy");
    const extra = [
      ["alarm-disarm", ["etcd", "alarm", "disarm"]],
      ["version", ["version"]],
    ] as const;
    for (const [sub, args] of [...READS, ...extra]) write(dir, sub, await run(c, [...all, ...args]));
    write(dir, "etcdspec", await run(c, ["-n", follower, ...ETCDSPEC]));
    write(dir, "snapshot", await run(c, ["-n", follower, "etcd", "snapshot", snapPath]), snapDir);
    write(dir, "defrag", await run(c, ["-n", follower, "etcd", "defrag"]));
    writeFileSync(
      join(dir, "facts.json"),
      `${JSON.stringify(await facts(c, [], { single: follower }), null, 2)}\n`,
    );
    // forfeit on the leader last: it moves leadership
    const before = await facts(c, [], { single: leader });
    write(dir, "forfeit-leadership", await run(c, ["-n", leader, "etcd", "forfeit-leadership"]));
    writeFileSync(join(dir, "forfeit-facts.json"), `${JSON.stringify(before, null, 2)}\n`);

    // partial failure: one node down (its apid unreachable)
    const downNode = c.nodes[2] ?? "";
    await c.setFaults({ [downNode]: { unreachable: true } });
    dir = join(era, "one-node-down");
    for (const [sub, args] of [...READS, ["version", ["version"]] as const])
      write(dir, sub, await run(c, [...all, ...args]));
    // The etcdspec the tool reads, from the first node (up); the one-node calls the tool would make to the down node.
    write(dir, "etcdspec", await run(c, ["-n", c.nodes[0] ?? "", ...ETCDSPEC]));
    for (const [sub, args] of [
      ["snapshot", ["etcd", "snapshot", snapPath]],
      ["defrag", ["etcd", "defrag"]],
      ["forfeit-leadership", ["etcd", "forfeit-leadership"]],
    ] as const) {
      write(dir, sub, await run(c, ["-n", downNode, ...args]), snapDir);
    }
    writeFileSync(
      join(dir, "facts.json"),
      `${JSON.stringify(await facts(c, [downNode], { single: downNode }), null, 2)}\n`,
    );

    // every node down
    await c.setFaults(Object.fromEntries(c.nodes.map((n) => [n, { unreachable: true }])));
    dir = join(era, "all-nodes-down");
    for (const [sub, args] of READS) write(dir, sub, await run(c, [...all, ...args]));
    write(dir, "etcdspec", await run(c, ["-n", c.nodes[0] ?? "", ...ETCDSPEC]));
    writeFileSync(join(dir, "facts.json"), `${JSON.stringify(await facts(c, [...c.nodes]), null, 2)}\n`);
    await c.setFaults({});

    // the one-node refusal: defrag and snapshot with several nodes
    dir = join(era, "several-nodes");
    write(dir, "defrag", await run(c, [...all, "etcd", "defrag"]));
    write(dir, "snapshot", await run(c, [...all, "etcd", "snapshot", snapPath]), snapDir);

    // a refused role: os:reader defragments, os:operator forfeits, os:reader snapshots
    const nowLeader = (await c.leaderNode()) ?? "";
    dir = join(era, "role-refused");
    const reader = c.real?.talosconfigOf("os:reader");
    const operator = c.real?.talosconfigOf("os:operator");
    write(dir, "defrag", await run(c, ["-n", follower, "etcd", "defrag"], { talosconfig: reader }));
    write(
      dir,
      "snapshot",
      await run(c, ["-n", follower, "etcd", "snapshot", snapPath], { talosconfig: reader }),
      snapDir,
    );
    write(dir, "alarm-disarm", await run(c, [...all, "etcd", "alarm", "disarm"], { talosconfig: reader }));
    write(
      dir,
      "forfeit-leadership",
      await run(c, ["-n", nowLeader, "etcd", "forfeit-leadership"], { talosconfig: operator }),
    );
    // What os:reader may do: every read of status, check and alarms list.
    for (const [sub, args] of READS)
      write(dir, sub, await run(c, [...all, ...args], { talosconfig: reader }));
    write(dir, "etcdspec", await run(c, ["-n", c.nodes[0] ?? "", ...ETCDSPEC], { talosconfig: reader }));
    writeFileSync(
      join(dir, "facts.json"),
      `${JSON.stringify(await facts(c, [], { single: follower }), null, 2)}\n`,
    );

    // etcd stopped on one node (a follower), its apid still answering: what a member down looks like
    const stopped = c.nodes.find((n) => n !== nowLeader && n !== c.nodes[0]) ?? "";
    await c.stopMember(stopped);
    // Talos's etcd client waits for the member (gRPC WaitForReady) with no deadline: an etcd call that reaches the
    // stopped member waits until the caller gives up. Each call is stopped after 3 s, as the tool's --timeout would.
    dir = join(era, "member-stopped");
    const giveUp = (): { killWhen: () => boolean } => {
      const from = Date.now();
      return { killWhen: () => Date.now() - from > 3000 };
    };
    for (const [sub, args] of READS) write(dir, sub, await run(c, [...all, ...args], giveUp()));
    write(dir, "etcdspec", await run(c, ["-n", c.nodes[0] ?? "", ...ETCDSPEC]));
    write(dir, "defrag", await run(c, ["-n", stopped, "etcd", "defrag"], giveUp()));
    writeFileSync(
      join(dir, "facts.json"),
      `${JSON.stringify(await facts(c, [], { stopped: [stopped], single: stopped }), null, 2)}\n`,
    );
    await c.startMember(stopped);

    // an interrupted snapshot: the node never answers (hang), talosctl gets SIGTERM once it has surely started
    // and connected (a capture, not a test: a fixed wait is fine here)
    await c.setFaults({ [follower]: { commands: { snapshot: { hang: true } } } });
    rmSync(snapPath, { force: true });
    dir = join(era, "snapshot-interrupted");
    const started = Date.now();
    write(
      dir,
      "snapshot",
      await run(c, ["-n", follower, "etcd", "snapshot", snapPath], {
        killWhen: () => Date.now() - started > 1500,
      }),
      snapDir,
    );
    await c.setFaults({});
  } finally {
    await c.stop();
    rmSync(snapDir, { recursive: true, force: true });
  }
  process.stdout.write(`captured talosctl ${tag} into ${era}\n`);
}

const wanted = process.argv.slice(2);
for (const tag of wanted.length > 0 ? wanted : REAL_TAGS) {
  if (!(REAL_TAGS as readonly string[]).includes(tag)) throw new Error(`unknown tag ${tag}`);
  await captureEra(tag as RealTag);
}
