import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { parseEtcdSpecQuota } from "../../src/talos/parse-etcdspec.js";

const doc = (extraArgs: string, node = "172.20.0.2") => `node: ${node}
metadata:
    namespace: etcd
    type: EtcdSpecs.etcd.talos.dev
    id: etcd
spec:
    name: talos-cp-1
    image: registry.k8s.io/etcd:v3.6.12
${extraArgs}`;

describe("parseEtcdSpecQuota", () => {
  it("reads the pre-v1.13 string value", () => {
    expect(parseEtcdSpecQuota(doc('    extraArgs:\n        quota-backend-bytes: "4294967296"\n'))).toBe(
      4294967296,
    );
  });

  it("reads the v1.13+ values list and takes the last value", () => {
    const yaml = doc(
      '    extraArgs:\n        quota-backend-bytes:\n            values:\n                - "1"\n                - "8589934592"\n',
    );
    expect(parseEtcdSpecQuota(yaml)).toBe(8589934592);
  });

  it("also takes a bare list and an unquoted number", () => {
    expect(parseEtcdSpecQuota(doc('    extraArgs:\n        quota-backend-bytes: ["5", "6"]\n'))).toBe(6);
    expect(parseEtcdSpecQuota(doc("    extraArgs:\n        quota-backend-bytes: 2147483648\n"))).toBe(
      2147483648,
    );
  });

  it.each([
    ["no extraArgs key", ""],
    ["empty extraArgs", "    extraArgs: {}\n"],
    ["null extraArgs", "    extraArgs: null\n"],
    ["other args only", '    extraArgs:\n        election-timeout: "5000"\n'],
    ["an empty values list", "    extraArgs:\n        quota-backend-bytes:\n            values: []\n"],
  ])("returns null with %s", (_, extra) => {
    expect(parseEtcdSpecQuota(doc(extra))).toBeNull();
  });

  it("uses the first document when several nodes answered", () => {
    const two = `${doc('    extraArgs:\n        quota-backend-bytes: "100"\n')}---\n${doc('    extraArgs:\n        quota-backend-bytes: "200"\n', "172.20.0.3")}`;
    expect(parseEtcdSpecQuota(two)).toBe(100);
  });

  it.each([
    [
      "a non-numeric quota",
      doc('    extraArgs:\n        quota-backend-bytes: "8Gi"\n'),
      "quota-backend-bytes",
    ],
    ["a negative quota", doc('    extraArgs:\n        quota-backend-bytes: "-1"\n'), "quota-backend-bytes"],
    ["no spec at all", "node: 172.20.0.2\nmetadata:\n    id: etcd\n", "node: 172.20.0.2"],
    ["empty output", "", ""],
    ["not YAML", "{{{: ][\n", "{{{: ]["],
  ])("throws a ParseError for %s", (_, yaml, fragment) => {
    try {
      parseEtcdSpecQuota(yaml);
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).line).toContain(fragment);
    }
  });
});

describe("parseEtcdSpecQuota on hostile YAML", () => {
  it("quotes the line the YAML parser choked on", () => {
    const yaml = doc('    extraArgs:\n        quota-backend-bytes: "4294967296\n');
    try {
      parseEtcdSpecQuota(`${yaml}more: [\n`);
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect(`${yaml}more: [\n`.split("\n")).toContain((error as ParseError).line);
    }
  });

  it("turns an alias bomb into a ParseError", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(
        `${name}: &${name} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    expect(() => parseEtcdSpecQuota(`${levels.join("\n")}\nspec: *h\n`)).toThrow(ParseError);
  });
});
