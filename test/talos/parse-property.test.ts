/**
 * Property tests: tables printed the way talosctl prints them (Go's text/tabwriter with padding 3, rows in
 * any order, v1.14 chunks with their own widths) parse back to the values that generated them.
 * Hostile input is in parse-property-hostile.test.ts.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitStatusErrors } from "../../src/talos/error-alarms.js";
import { parseAlarms } from "../../src/talos/parse-alarms.js";
import { parseMembers } from "../../src/talos/parse-members.js";
import { parseStatus } from "../../src/talos/parse-status.js";
import { formatSize } from "../../src/talos/size.js";
import type { AlarmRow, MemberRow, StatusRow } from "../../src/talos/types.js";

type Release = "v1.10" | "v1.13" | "v1.14";
const releaseArb = fc.constantFrom<Release>("v1.10", "v1.13", "v1.14");

/** Go text/tabwriter, padding 3: every cell but a line's last is padded to its column's widest + 3. */
function tabwrite(chunks: readonly (readonly (readonly string[])[])[]): string {
  return chunks
    .map((lines) => {
      const widths: number[] = [];
      for (const line of lines) {
        line.slice(0, -1).forEach((cell, j) => {
          widths[j] = Math.max(widths[j] ?? 0, cell.length + 3);
        });
      }
      return lines
        .map((line) =>
          line.map((cell, j) => (j < line.length - 1 ? cell.padEnd(widths[j] ?? 0) : cell)).join(""),
        )
        .map((text) => `${text}\n`)
        .join("");
    })
    .join("");
}

/** Cuts rows into v1.14 flush chunks at the given points (header goes with the first chunk). */
function chunked<T>(rows: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (rows.length + 1)))].sort((a, b) => a - b);
  const chunks: T[][] = [];
  let from = 0;
  for (const at of [...points, rows.length]) {
    if (at > from) chunks.push(rows.slice(from, at));
    from = Math.max(from, at);
  }
  return chunks;
}

const hex = (id: bigint, padded = true) => (padded ? id.toString(16).padStart(16, "0") : id.toString(16));
const idArb = fc.oneof(fc.bigInt({ min: 0n, max: 0xfffffn }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const nodeArb = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());

/** Byte counts that go-humanize prints exactly (`0 B`..`999 B`, `1.0 kB`..`9.9 PB`, `10 kB`..`999 PB`). */
const sizeArb = fc.oneof(
  fc.integer({ min: 0, max: 999 }),
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 99 }))
    .map(([e, tenths]) => (tenths * 1000 ** e) / 10),
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 999 }))
    .map(([e, whole]) => whole * 1000 ** e),
);
const wordArb = fc.stringMatching(/^[a-zA-Z0-9:_.=()-]{1,10}$/);
const errorArb = fc.array(wordArb, { minLength: 1, maxLength: 4 }).map((words) => words.join(" "));

const statusArb = fc.record({
  node: nodeArb,
  id: idArb,
  db: sizeArb,
  inUse: sizeArb,
  hundredths: fc.integer({ min: 0, max: 10000 }),
  leader: fc.oneof(idArb, fc.constant(0n)),
  raftIndex: fc.nat(),
  raftTerm: fc.nat(),
  applied: fc.nat(),
  learner: fc.boolean(),
  protocol: fc.constantFrom("3.6.12", "3.5.17", ""),
  storage: fc.constantFrom("3.6.0", "unknown", ""),
  errors: fc.array(errorArb, { maxLength: 3 }),
});
type StatusInput = typeof statusArb extends fc.Arbitrary<infer T> ? T : never;

const percent = (h: number) => `${Math.floor(h / 100)}.${String(h % 100).padStart(2, "0")}%`;

function statusCells(release: Release, r: StatusInput): string[] {
  const cells = [
    r.node,
    hex(r.id),
    formatSize(r.db),
    `${formatSize(r.inUse)} (${percent(r.hundredths)})`,
    hex(r.leader),
    String(r.raftIndex),
    String(r.raftTerm),
    String(r.applied),
    String(r.learner),
  ];
  return [...cells, ...(release === "v1.10" ? [] : [r.protocol, r.storage]), r.errors.join(", ")];
}

function expectedStatus(release: Release, r: StatusInput): StatusRow {
  return {
    node: r.node,
    memberId: hex(r.id),
    dbSize: r.db,
    dbSizeInUse: r.inUse,
    inUseRatio: r.hundredths / 10000,
    leaderId: r.leader === 0n ? null : hex(r.leader),
    raftIndex: r.raftIndex,
    raftTerm: r.raftTerm,
    raftAppliedIndex: r.applied,
    isLearner: r.learner,
    ...(release === "v1.10"
      ? {}
      : { protocol: r.protocol, storage: r.storage, etcdVersion: r.protocol === "" ? null : r.protocol }),
    errors: r.errors,
    ...splitStatusErrors(r.node, r.errors),
  };
}

const STATUS_HEADER = [
  "NODE",
  "MEMBER",
  "DB SIZE",
  "IN USE",
  "LEADER",
  "RAFT INDEX",
  "RAFT TERM",
  "RAFT APPLIED INDEX",
  "LEARNER",
];

describe("status tables round-trip", () => {
  it("every release's layout, any order, any chunking", () => {
    fc.assert(
      fc.property(
        releaseArb,
        fc.array(statusArb, { maxLength: 7 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (release, rows, cuts) => {
          const header = [
            ...STATUS_HEADER,
            ...(release === "v1.10" ? [] : ["PROTOCOL", "STORAGE"]),
            "ERRORS",
          ];
          const body = rows.map((r) => statusCells(release, r));
          const chunks = release === "v1.14" ? chunked(body, cuts) : [body];
          const [first = [], ...rest] = chunks;
          const stdout = tabwrite([[header, ...first], ...rest]);
          expect(parseStatus(stdout)).toEqual(rows.map((r) => expectedStatus(release, r)));
        },
      ),
    );
  });
});

const memberArb = fc.record({
  id: idArb,
  hostname: fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/),
  started: fc.boolean(),
  peers: fc.array(fc.ipV4(), { minLength: 1, maxLength: 2 }),
  clients: fc.array(fc.ipV4(), { minLength: 1, maxLength: 2 }),
  learner: fc.boolean(),
});
type MemberInput = typeof memberArb extends fc.Arbitrary<infer T> ? T : never;

describe("member tables round-trip", () => {
  it("with and without header/NODE (≤v1.13 quirk), padded or not, v1.14 chunks per node", () => {
    fc.assert(
      fc.property(
        releaseArb,
        fc.array(memberArb, { minLength: 1, maxLength: 5 }),
        fc.uniqueArray(nodeArb, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 3 }),
        (release, members, asked, quirk, padded, cuts) => {
          // The node that answers runs etcd, so at least one member is started.
          const list: MemberInput[] = members.map((m, i) => (i === 0 ? { ...m, started: true } : m));
          const noHeader = release !== "v1.14" && quirk;
          const perNode = asked.map((node) =>
            list.map((m) => [
              ...(noHeader ? [] : [node]),
              hex(m.id, padded || release !== "v1.10"),
              m.started ? m.hostname : "",
              m.peers.map((ip) => `https://${ip}:2380`).join(","),
              m.started ? m.clients.map((ip) => `https://${ip}:2379`).join(",") : "",
              String(m.learner),
            ]),
          );
          const header = ["NODE", "ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"];
          const chunks = release === "v1.14" ? chunked(perNode, cuts).map((c) => c.flat()) : [perNode.flat()];
          const [first = [], ...rest] = chunks;
          const stdout = tabwrite([[...(noHeader ? [] : [header]), ...first], ...rest]);
          const expected: MemberRow[] = asked.flatMap((node) =>
            list.map((m) => ({
              node: noHeader ? "" : node,
              memberId: hex(m.id),
              hostname: m.started ? m.hostname : "",
              peerUrls: m.peers.map((ip) => `https://${ip}:2380`),
              clientUrls: m.started ? m.clients.map((ip) => `https://${ip}:2379`) : [],
              isLearner: m.learner,
            })),
          );
          expect(parseMembers(stdout)).toEqual(expected);
        },
      ),
    );
  });
});

describe("alarm tables round-trip", () => {
  it("empty, with header, without header and NODE (≤v1.13), chunked (v1.14)", () => {
    const alarmArb = fc.record({ id: idArb, alarm: fc.constantFrom("NOSPACE", "CORRUPT", "NONE") });
    fc.assert(
      fc.property(
        releaseArb,
        fc.array(alarmArb, { maxLength: 3 }),
        fc.uniqueArray(nodeArb, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 3 }),
        (release, alarms, asked, quirk, cuts) => {
          const noHeader = release !== "v1.14" && quirk;
          const perNode = asked.map((node) =>
            alarms.map((a) => [...(noHeader ? [] : [node]), hex(a.id), a.alarm]),
          );
          const rows = perNode.flat();
          const chunks = release === "v1.14" ? chunked(perNode, cuts).map((c) => c.flat()) : [rows];
          const [first = [], ...rest] = chunks;
          const header = noHeader ? [] : [["NODE", "MEMBER", "ALARM"]];
          const stdout = rows.length === 0 ? "" : tabwrite([[...header, ...first], ...rest]);
          const expected: AlarmRow[] = asked.flatMap((node) =>
            alarms.map((a) => ({ node: noHeader ? "" : node, memberId: hex(a.id), alarm: a.alarm })),
          );
          expect(parseAlarms(stdout)).toEqual(expected);
        },
      ),
    );
  });
});
