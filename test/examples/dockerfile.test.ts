import { describe, expect, test } from "vitest";
import { dig, readExample, readYamlDocuments } from "./read-example.js";

interface Instruction {
  keyword: string;
  args: string;
}

/** Joins continuation lines and drops comments: enough structure to reason about stages and steps. */
function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  return logical
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const space = line.indexOf(" ");
      return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

const instructions = parseDockerfile(await readExample("container/Dockerfile"));
const lastFrom = instructions.map((i) => i.keyword).lastIndexOf("FROM");
const finalStage = instructions.slice(lastFrom);

describe("examples/container/Dockerfile", () => {
  test("the runtime stage is Node 20 and runs the packed tool as its entrypoint", () => {
    expect(instructions[lastFrom]?.args).toMatch(/^node:20[-.\w]*$/);
    const copy = finalStage.find((i) => i.keyword === "COPY" && i.args.includes(".tgz"));
    expect(copy?.args).toMatch(/talos-etcd-defrag-\*\.tgz/);
    const install = finalStage.find((i) => i.keyword === "RUN" && i.args.includes("npm install -g"));
    expect(install?.args).toMatch(/talos-etcd-defrag-\*\.tgz/);
    expect(finalStage.find((i) => i.keyword === "ENTRYPOINT")?.args).toBe('["talos-etcd-defrag"]');
  });

  test("talosctl comes from a pinned version and is checked against a sha256 before use", () => {
    const version = instructions.find((i) => i.keyword === "ARG" && i.args.startsWith("TALOSCTL_VERSION="));
    expect(version?.args).toMatch(/^TALOSCTL_VERSION=v\d+\.\d+\.\d+$/);
    const download = instructions.find((i) => i.keyword === "RUN" && i.args.includes("talosctl-linux-"));
    expect(download?.args).toMatch(/\$\{TALOSCTL_SHA256\}\s+\/talosctl"\s*\|\s*sha256sum -c -/);
    // The checksum comes before chmod: an unverified file is never made executable.
    const args = download?.args ?? "";
    expect(args.indexOf("sha256sum -c")).toBeLessThan(args.indexOf("chmod"));
    expect(args).toMatch(/test -n "\$\{TALOSCTL_SHA256\}"/);
    expect(
      finalStage.some((i) => i.keyword === "COPY" && i.args.startsWith("--from=talosctl /talosctl")),
    ).toBe(true);
  });

  test("the image ends as a non-root user, the same uid the CronJob asks for", async () => {
    const users = finalStage.filter((i) => i.keyword === "USER");
    const user = users.at(-1)?.args ?? "root";
    const uid = user.split(":")[0] ?? "";
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    const cron = (await readYamlDocuments("kubernetes/cronjob.yaml")).find(
      (d) => (d as { kind?: string } | null)?.kind === "CronJob",
    );
    const podSecurity = dig(cron, "spec", "jobTemplate", "spec", "template", "spec", "securityContext");
    expect(dig(podSecurity, "runAsUser")).toBe(Number(uid));
  });
});
