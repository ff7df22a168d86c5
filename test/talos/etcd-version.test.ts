import { describe, expect, it } from "vitest";
import { parseEtcdVersion, versionFromImage } from "../../src/talos/etcd-version.js";

describe("versionFromImage", () => {
  it.each<[string, string | null]>([
    // The forms Talos releases use (docs/TALOSCTL.md), and the suffixes etcd images carry.
    ["gcr.io/etcd-development/etcd:v3.5.21", "3.5.21"],
    ["gcr.io/etcd-development/etcd:v3.5.16-arm64", "3.5.16"],
    ["registry.k8s.io/etcd:v3.6.12", "3.6.12"],
    ["registry.k8s.io/etcd:3.7.1", "3.7.1"],
    ["registry.k8s.io/etcd:3.5.21-0", "3.5.21"],
    ["registry.k8s.io/etcd:v3.5.9-amd64-1", "3.5.9"],
    ["my-registry.lan:5000/mirror/etcd:v3.6.4", "3.6.4"],
    ["  registry.k8s.io/etcd:v3.6.5  ", "3.6.5"],
    // What actually runs is not known: a digest decides, a pre-release or odd tag is not a release.
    ["registry.k8s.io/etcd@sha256:2e3b8f0c1a7d4e6f9b0c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a", null],
    [
      "registry.k8s.io/etcd:v3.6.4@sha256:2e3b8f0c1a7d4e6f9b0c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a",
      null,
    ],
    ["registry.k8s.io/etcd:v3.6.0-rc.1", null],
    ["registry.k8s.io/etcd:latest", null],
    ["registry.k8s.io/etcd", null],
    ["my-registry.lan:5000/etcd", null],
    ["registry.k8s.io/etcd:v3.6", null],
    ["", null],
  ])("%j -> %j", (image, version) => {
    expect(versionFromImage(image)).toBe(version);
  });
});

describe("parseEtcdVersion (PROTOCOL)", () => {
  it.each<[string, string | null]>([
    ["3.6.4", "3.6.4"],
    ["3.5.17", "3.5.17"],
    ["v3.7.1", "3.7.1"],
    ["03.06.010", "3.6.10"],
    ["", null],
    ["unknown", null],
    ["3.6", null],
    ["3.6.4.1", null],
    ["3.6.0-alpha.0", null],
  ])("%j -> %j", (text, version) => {
    expect(parseEtcdVersion(text)).toBe(version);
  });
});
