/**
 * A real node-exporter (Debian package `prometheus-node-exporter`) serving a textfile folder on a loopback port,
 * for the tests that check our files the way a scrape sees them. Optional on a workstation: its tests skip
 * loudly without it; CI sets REQUIRE_NODE_EXPORTER=1 to turn the skip into a failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { test } from "vitest";
import { locateExecutable } from "./promtool.js";

const nodeExporter =
  (await locateExecutable("NODE_EXPORTER", "prometheus-node-exporter")) ??
  (await locateExecutable("NODE_EXPORTER", "node_exporter"));
const required = process.env.REQUIRE_NODE_EXPORTER === "1";

/** Registers a test that needs node-exporter: runs it, fails it (REQUIRE_NODE_EXPORTER=1) or skips it loudly. */
export function testWithNodeExporter(name: string, body: (nodeExporter: string) => Promise<void>): void {
  if (nodeExporter !== undefined) {
    test(name, { timeout: 60_000 }, () => body(nodeExporter));
    return;
  }
  if (required) {
    test(name, () => {
      throw new Error(
        "node-exporter not found on PATH but REQUIRE_NODE_EXPORTER=1: apt-get install -y prometheus-node-exporter",
      );
    });
    return;
  }
  console.warn(
    `\n*** SKIPPING "${name}": prometheus-node-exporter not found on PATH (apt-get install -y prometheus-node-exporter). ` +
      "Set REQUIRE_NODE_EXPORTER=1 to make this a failure. ***\n",
  );
  test.skip(name, () => undefined);
}

/** A free loopback port: bound by us, then released for node-exporter (it reports no port it picked itself). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface Scrape {
  /** The /metrics body. */
  body: string;
  /** What node-exporter logged meanwhile: where it says which series it dropped, and why. */
  log: string;
}

/**
 * Starts node-exporter with only the textfile collector on `dir`, scrapes it once, and stops it (always, by the
 * child's own pid). Bounded: 100 attempts 100 ms apart to see it answer.
 */
export async function scrapeTextfileFolder(binary: string, dir: string): Promise<Scrape> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      "--collector.disable-defaults",
      "--collector.textfile",
      `--collector.textfile.directory=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { shell: false, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    log += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    log += chunk;
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let body: string | undefined;
  try {
    for (let attempt = 0; attempt < 100 && body === undefined; attempt++) {
      if (child.exitCode !== null) throw new Error(`node-exporter exited ${child.exitCode}: ${log}`);
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      if (response?.ok) body = await response.text();
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    child.kill("SIGTERM");
    // "close": its output pipes are drained too, so the log holds what it said about this scrape.
    await closed;
  }
  if (body === undefined) throw new Error(`node-exporter did not answer on 127.0.0.1:${port}: ${log}`);
  return { body, log };
}
