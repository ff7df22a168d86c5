/**
 * The bench's fast simulated talosctl (`npm run bench -- --talosctl relay`): one long-lived Node process serves
 * every invocation, and sim/bin/talosctl-relay, a short Python client, hands it each call over a Unix socket.
 * Why: a simulated talosctl that is a Node process costs a call 100-800 ms of start-up on the bench's loaded two
 * cores, where the Go talosctl it stands for starts in about 10 ms; measuring the tool's own time (issue 21 §3)
 * through it measured mostly Node. The relay's client starts in about 20 ms, and each call runs the simulator's
 * own code (sim/talosctl-main.ts `invoke`): the same parsing, faults, output and call log.
 *
 * Protocol, one call per connection: the client sends one JSON line {argv, configPath, startLogPath, cwd,
 * spawnedAt}; the server answers one JSON line {stdout, stderr, exitCode} and closes. A client killed mid-call
 * closes its end: the call is logged as killed (exit 143), as the process simulator logs a SIGTERM.
 * Usage: node dist-tools/sim/relay-server.js SOCKET_PATH (exits when its standard input closes).
 */
import { rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { type Invocation, invoke } from "./talosctl-main.js";

function serve(socket: Socket): void {
  let buffered = "";
  let started = false;
  // The call's logger once invoke hands it over. invoke logs a call once, so calling it after the answer is a no-op.
  let record: (exitCode: number) => void = () => undefined;
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    const newline = buffered.indexOf("\n");
    if (newline < 0 || started) return;
    started = true;
    const call = JSON.parse(buffered.slice(0, newline)) as Invocation;
    void invoke(call, (logger) => {
      record = logger;
    }).then((rendered) => {
      if (!socket.destroyed) socket.end(`${JSON.stringify(rendered)}\n`);
    });
  });
  // A client gone before its answer was killed: the call is logged as a SIGTERM'd one.
  socket.on("close", () => record(143));
  socket.on("error", () => undefined);
}

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write("usage: relay-server SOCKET_PATH\n");
  process.exit(2);
}
rmSync(path, { force: true });
const server = createServer(serve);
server.listen(path, () => process.stdout.write("ready\n"));
// The bench owns the relay: when it goes, so does the relay (its standard input is the bench's pipe).
process.stdin.on("close", () => {
  server.close();
  rmSync(path, { force: true });
  process.exit(0);
});
process.stdin.resume();
