/**
 * Issue 27 item 6: the run lock must hold between the systemd unit as shipped and a run by hand on the same
 * machine. No systemd runs here, so the unit's settings are read from the file and the environment and
 * directories systemd gives its ExecStart are rebuilt from them; then the tool's choice of lock directory under
 * those settings is compared with its choice from a person's shell.
 */
import { describe, expect, it, vi } from "vitest";
import { defaultLockDir, type LockDirProbe } from "../../src/run/lock.js";
import { readExample } from "./read-example.js";
import { parseUnitFile, value, values } from "./unit-file.js";

const service = parseUnitFile(await readExample("systemd/talos-etcd-defrag.service"));
const tmpfiles = (await readExample("systemd/talos-etcd-defrag.tmpfiles.conf"))
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"))
  .map((line) => line.split(/\s+/));

const runtimeDirs = values(service, "Service", "RuntimeDirectory")
  .flatMap((v) => v.split(/\s+/))
  .map((d) => `/run/${d}`);
/** The directories systemd-tmpfiles creates at boot, before any timer fires or anyone logs in. */
const bootDirs = tmpfiles.filter(([type]) => type === "d").map(([, path]) => path ?? "");

/**
 * What a system service's ExecStart gets: its Environment= lines, RUNTIME_DIRECTORY, no XDG_RUNTIME_DIR and
 * no TMPDIR (those come from a login session), its own /tmp (PrivateTmp=yes).
 */
function unitEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin" };
  for (const line of values(service, "Service", "Environment"))
    for (const pair of line.split(/\s+/)) {
      const [key = "", ...rest] = pair.split("=");
      env[key] = rest.join("=");
    }
  if (runtimeDirs.length > 0) env.RUNTIME_DIRECTORY = runtimeDirs.join(":");
  return env;
}

const shells: [string, NodeJS.ProcessEnv, boolean][] = [
  ["a user's login shell", { XDG_RUNTIME_DIR: "/run/user/1000", HOME: "/home/ops" }, false],
  ["a user's shell with TMPDIR", { XDG_RUNTIME_DIR: "/run/user/1000", TMPDIR: "/home/ops/tmp" }, false],
  ["sudo -i", { HOME: "/root" }, true],
  ["sudo keeping the user's environment", { XDG_RUNTIME_DIR: "/run/user/1000" }, true],
];

/** The tool's choice with process.env set to env (and nothing else of ours), then restored. */
function lockDirUnder(env: NodeJS.ProcessEnv, probe: LockDirProbe): string {
  for (const key of ["XDG_RUNTIME_DIR", "TMPDIR", "TALOS_ETCD_DEFRAG_LOCK_DIR", "RUNTIME_DIRECTORY"])
    vi.stubEnv(key, env[key] ?? "");
  try {
    return defaultLockDir(env, probe);
  } finally {
    vi.unstubAllEnvs();
  }
}

describe("the run lock's directory with examples/systemd as shipped (issue 27 item 6)", () => {
  const unitUser = value(service, "Service", "User");
  const unitGroup = value(service, "Service", "Group");
  // While the unit runs: its runtime directories and the boot's exist.
  const unitProbe: LockDirProbe = {
    isRoot: false,
    exists: (path) => runtimeDirs.includes(path) || bootDirs.includes(path),
  };
  const unitDir = lockDirUnder(unitEnvironment(), unitProbe);

  it("is where the unit can write: a runtime directory of its own, kept when it stops, outside its private /tmp", () => {
    expect(value(service, "Service", "PrivateTmp")).toBe("yes");
    expect(unitDir).not.toMatch(/^\/(var\/)?tmp(\/|$)/);
    // ProtectSystem=strict: only its own directories (RuntimeDirectory=, StateDirectory=) and ReadWritePaths=.
    expect(runtimeDirs).toContain(unitDir);
    // A run by hand may hold a lock in it when the timer's run ends: systemd must not remove it then.
    expect(value(service, "Service", "RuntimeDirectoryPreserve")).toBe("yes");
  });

  it.each(shells)(
    "is the same from %s on that machine, also before the timer first ran",
    (_, env, isRoot) => {
      // Before the timer's first run since boot, only what systemd-tmpfiles made at boot exists.
      const shellDir = lockDirUnder(env, { isRoot, exists: (path) => bootDirs.includes(path) });
      expect(shellDir).toBe(unitDir);
      // And while the timer's run is running, too.
      expect(lockDirUnder(env, unitProbe)).toBe(unitDir);
    },
  );

  it("is made at boot with the owner, group and mode the unit gives it, so the unit's group may lock by hand", () => {
    const line = tmpfiles.find(([type, path]) => type === "d" && path === unitDir);
    expect(line?.slice(0, 5)).toEqual([
      "d",
      unitDir,
      value(service, "Service", "RuntimeDirectoryMode"),
      unitUser,
      unitGroup,
    ]);
    // Group members (and root) create and remove locks; others cannot plant one.
    expect(value(service, "Service", "RuntimeDirectoryMode")).toBe("0770");
  });
});
