import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { describe, expect, test } from "vitest";
import { readExample } from "./read-example.js";
import { parseUnitFile, value, values } from "./unit-file.js";

const service = parseUnitFile(await readExample("systemd/talos-etcd-defrag.service"));
const timer = parseUnitFile(await readExample("systemd/talos-etcd-defrag.timer"));
const argv = value(service, "Service", "ExecStart").split(/\s+/);
const readWritePaths = values(service, "Service", "ReadWritePaths").flatMap((v) => v.split(/\s+/));

function argAfter(flag: string): string {
  const index = argv.indexOf(flag);
  if (index === -1) throw new Error(`ExecStart lacks ${flag}`);
  return argv[index + 1] ?? "";
}

describe("examples/systemd/talos-etcd-defrag.timer", () => {
  test("fires weekly, catches up after downtime, and spreads the start", () => {
    expect(value(timer, "Timer", "OnCalendar")).toMatch(
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \*-\*-\* \d\d:\d\d:\d\d$/,
    );
    expect(value(timer, "Timer", "Persistent")).toBe("true");
    expect(value(timer, "Timer", "RandomizedDelaySec")).toMatch(/^\d+(min|s|h)?$/);
    expect(value(timer, "Install", "WantedBy")).toBe("timers.target");
    // No Unit= override: the timer starts the service of the same name.
    expect(values(timer, "Timer", "Unit")).toEqual([]);
  });
});

describe("examples/systemd/talos-etcd-defrag.service", () => {
  test("is a oneshot running defrag unattended with JSON output", () => {
    expect(value(service, "Service", "Type")).toBe("oneshot");
    expect(argv[0]).toMatch(/^\/.*\/talos-etcd-defrag$/);
    expect(argv[1]).toBe("defrag");
    expect(argv).toContain("--yes");
    expect(argAfter("-o")).toBe("json");
  });

  test("writes metrics into node-exporter's textfile directory, which it may write", () => {
    const metricsFile = argAfter("--metrics-file");
    expect(dirname(metricsFile)).toBe("/var/lib/node_exporter/textfile_collector");
    expect(readWritePaths).toContain(dirname(metricsFile));
  });

  test("names its metrics file as the README and the scheduling guide suggest for the defrag command", () => {
    const name = basename(argAfter("--metrics-file"));
    expect(readFileSync("README.md", "utf8")).toContain(`\`${name}\``);
    expect(readFileSync("docs/SCHEDULING.md", "utf8")).toContain(`/${name}`);
    expect(name).toMatch(/defrag\.prom$/);
  });

  test("the snapshot directory is writable under ProtectSystem=strict and created by StateDirectory", () => {
    const snapshotDir = argAfter("--snapshot-dir");
    expect(readWritePaths).toContain(snapshotDir);
    const stateDirs = value(service, "Service", "StateDirectory").split(/\s+/);
    expect(stateDirs.map((d) => `/var/lib/${d}`)).toContain(snapshotDir);
  });

  test("is hardened without breaking Node", () => {
    expect(value(service, "Service", "NoNewPrivileges")).toBe("yes");
    expect(value(service, "Service", "ProtectSystem")).toBe("strict");
    expect(value(service, "Service", "PrivateTmp")).toBe("yes");
    expect(value(service, "Service", "User")).not.toMatch(/^(root|0)$/);
    // The V8 JIT needs W+X memory.
    expect(values(service, "Service", "MemoryDenyWriteExecute")).toEqual([]);
  });
});
