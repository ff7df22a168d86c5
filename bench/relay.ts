/**
 * `--talosctl relay`: the simulated talosctl as a long-lived Node server and a Python client that starts like a
 * real talosctl (sim/relay-server.ts says why). The server runs as a process of its own, never in the bench's
 * process, where it would share an event loop with the load clients it is measured against.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

export interface Relay {
  /** The client to run as talosctl. */
  talosctlPath: string;
  /** Its environment: where the server listens. */
  env: Record<string, string>;
  stop(): void;
}

export async function startRelay(socketPath: string, signal: AbortSignal): Promise<Relay> {
  const root = repoRoot();
  const server = spawn(process.execPath, [join(root, "dist-tools", "sim", "relay-server.js"), socketPath], {
    stdio: ["pipe", "pipe", "inherit"],
    signal,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the talosctl relay did not start within 10 s")), 10_000);
    server.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    server.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the talosctl relay exited with ${String(code)} before it was ready`));
    });
    server.stdout.once("data", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    talosctlPath: join(root, "sim", "bin", "talosctl-relay"),
    env: { TALOS_SIM_RELAY: socketPath },
    // Closing its standard input ends it (relay-server.ts).
    stop: () => server.stdin.end(),
  };
}
