import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { parseEtcdSpec, parseEtcdSpecQuota } from "../../src/talos/parse-etcdspec.js";
import { listFixtures } from "./fixtures.js";

const doc = (extraArgs: string, node = "172.20.0.2", image = "registry.k8s.io/etcd:v3.6.12") => `node: ${node}
metadata:
    namespace: etcd
    type: EtcdSpecs.etcd.talos.dev
    id: etcd
spec:
    name: talos-cp-1
    image: ${image}
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

  // Found by the hostile-input property test: the YAML library's own errors, even while quoting the input.
  it.each([
    ["an anchor with a control character", "*\u0000"],
    ["an alias before its anchor", "*a"],
    ["an alias to nothing inside a spec", "spec: *nowhere\n"],
  ])("%s is a ParseError", (_name, text) => {
    expect(() => parseEtcdSpec(text)).toThrow(ParseError);
  });
});

describe("parseEtcdSpec: the etcd image and its version", () => {
  // extraArgs in the shape of each Talos release family: a string map up to v1.12, {values: [...]} from v1.13.
  const SHAPES = {
    "v1.12 (string map)": '    extraArgs:\n        quota-backend-bytes: "4294967296"\n',
    "v1.13 (values list)":
      '    extraArgs:\n        quota-backend-bytes:\n            values:\n                - "4294967296"\n',
    "no extraArgs": "    extraArgs: {}\n",
  };

  describe.each(Object.entries(SHAPES))("with extraArgs %s", (_, extra) => {
    it.each<[string, string | null]>([
      ["gcr.io/etcd-development/etcd:v3.5.21", "3.5.21"],
      ["gcr.io/etcd-development/etcd:v3.5.16-arm64", "3.5.16"],
      ["registry.k8s.io/etcd:v3.6.12", "3.6.12"],
      ["registry.k8s.io/etcd:3.7.1", "3.7.1"],
      ["registry.k8s.io/etcd@sha256:2e3b8f0c1a7d4e6f9b0c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a", null],
    ])("image %s -> %j", (image, version) => {
      const spec = parseEtcdSpec(doc(extra, "172.20.0.2", image));
      expect(spec.image).toBe(image);
      expect(spec.etcdVersion).toBe(version);
      expect(spec.quotaBytes).toBe(extra.includes("4294967296") ? 4294967296 : null);
    });
  });

  it("has no image (and no version) when the spec lacks one", () => {
    const yaml = 'node: 172.20.0.2\nspec:\n    extraArgs:\n        quota-backend-bytes: "5"\n';
    expect(parseEtcdSpec(yaml)).toEqual({ quotaBytes: 5, image: null, etcdVersion: null });
    expect(parseEtcdSpec(`${yaml.replace("spec:\n", "spec:\n    image: 42\n")}`).image).toBeNull();
  });

  const IMAGE_VERSIONS: Record<string, string | null> = {
    "v1.10/healthy-3": "3.5.21",
    "v1.10/single-node": "3.5.21",
    "v1.10/etcd-arm64": "3.5.16",
    "v1.10/etcd-digest": null,
    "v1.10/etcd-3.5.18": "3.5.18",
    "v1.13/healthy-3": "3.6.5",
    "v1.13/nospace": "3.6.5",
    "v1.13/etcd-3.6.4": "3.6.4",
    "v1.13/etcd-mixed": "3.6.5",
    "v1.14/healthy-3": "3.6.12",
    "v1.14/live-full": "3.6.12",
    "v1.14/fragmented": "3.6.12",
    "v1.14/nospace": "3.6.12",
    "v1.14/single-node": "3.6.12",
    "v1.14/etcd-3.7.1": "3.7.1",
  };

  it.each(listFixtures("etcdspec").filter((f) => f.scenario !== "garbage"))(
    "fixture $release/$scenario",
    (f) => {
      const key = `${f.release}/${f.scenario}`;
      expect(key in IMAGE_VERSIONS, `no expected version for ${key}`).toBe(true);
      expect(parseEtcdSpec(f.stdout).etcdVersion).toBe(IMAGE_VERSIONS[key]);
    },
  );
});
