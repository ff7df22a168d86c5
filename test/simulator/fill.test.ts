/**
 * sim/data.ts's fillUntilNospace against a stand-in for etcd's JSON gateway on an ephemeral loopback port (no etcd):
 * a proposal etcd dropped (etcd 3.6.12 dropped one while the chaos set's run moved leadership) was not applied, so
 * the same key is written again instead of failing the fill.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { fillUntilNospace } from "../../sim/data.js";

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A gateway whose kv/txn answers come from `answers` in turn; returns its endpoint and the keys it was sent. */
async function fakeGateway(
  answers: { status: number; body: object }[],
): Promise<{ endpoint: string; keys: string[] }> {
  const keys: string[] = [];
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const body = JSON.parse(text) as { success?: { requestPut: { key: string } }[] };
      for (const op of body.success ?? []) keys.push(Buffer.from(op.requestPut.key, "base64").toString());
      const answer = answers.shift() ?? { status: 500, body: { code: 2, message: "no more answers" } };
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, keys };
}

const DROPPED = { status: 500, body: { code: 2, message: "raft proposal dropped" } };
const NOSPACE = { status: 500, body: { code: 8, message: "etcdserver: mvcc: database space exceeded" } };
const OK = { status: 200, body: {} };

it("writes a key again when etcd dropped its proposal, and stops at NOSPACE", async () => {
  const gateway = await fakeGateway([OK, DROPPED, DROPPED, OK, NOSPACE]);
  const fill = await fillUntilNospace(gateway.endpoint, { valueBytes: 10, timeoutMs: 10_000 });
  expect(fill).toEqual({ keysWritten: 2, nospace: true });
  expect(gateway.keys).toEqual([
    "/registry/fill/0",
    "/registry/fill/1",
    "/registry/fill/1",
    "/registry/fill/1",
    "/registry/fill/2",
  ]);
});

it("still fails on any other error", async () => {
  const gateway = await fakeGateway([
    OK,
    { status: 500, body: { code: 2, message: "etcdserver: request timed out" } },
  ]);
  await expect(fillUntilNospace(gateway.endpoint, { valueBytes: 10, timeoutMs: 10_000 })).rejects.toThrow(
    /request timed out/,
  );
});
