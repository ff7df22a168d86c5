import { describe, expect, test } from "vitest";
import { dig, readExample, readYamlDocuments } from "./read-example.js";

type Doc = Record<string, unknown>;

const cronFile = (await readYamlDocuments("kubernetes/cronjob.yaml")).filter((d): d is Doc => d !== null);
const patch = (await readYamlDocuments("kubernetes/machine-config-patch.yaml"))[0];
const accessDocuments = await readYamlDocuments("kubernetes/talos-api-access-config.yaml");
const byKind = (kind: string) => {
  const found = cronFile.filter((d) => d.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in cronjob.yaml, found ${found.length}`);
  return found[0] as Doc;
};

const cronJob = byKind("CronJob");
const talosAccount = byKind("ServiceAccount");
const claim = byKind("PersistentVolumeClaim");
const pod = dig(cronJob, "spec", "jobTemplate", "spec", "template", "spec") as Doc;
const containers = dig(pod, "containers") as Doc[];
const container = containers[0] as Doc;
const args = dig(container, "args") as string[];
const mounts = dig(container, "volumeMounts") as { name: string; mountPath: string; readOnly?: boolean }[];
const volumes = dig(pod, "volumes") as Doc[];
const access = dig(patch, "machine", "features", "kubernetesTalosAPIAccess") as Doc;

function argAfter(flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

describe("examples/kubernetes/cronjob.yaml", () => {
  test("runs weekly, never concurrently, with a starting deadline and no retries", () => {
    const schedule = dig(cronJob, "spec", "schedule") as string;
    const fields = schedule.split(/\s+/);
    expect(fields).toHaveLength(5);
    expect(fields.slice(2, 4)).toEqual(["*", "*"]);
    expect(fields[4]).toMatch(/^[0-7]$/);
    expect(dig(cronJob, "spec", "concurrencyPolicy")).toBe("Forbid");
    expect(dig(cronJob, "spec", "startingDeadlineSeconds")).toBeGreaterThan(0);
    expect(dig(cronJob, "spec", "jobTemplate", "spec", "backoffLimit")).toBe(0);
    expect(dig(pod, "restartPolicy")).toBe("Never");
  });

  test("runs defrag unattended with JSON output and a snapshot directory that is mounted", () => {
    expect(containers).toHaveLength(1);
    expect(args[0]).toBe("defrag");
    expect(args).toContain("--yes");
    expect(argAfter("-o")).toBe("json");
    const snapshotDir = argAfter("--snapshot-dir");
    expect(mounts.map((m) => m.mountPath)).toContain(snapshotDir);
    expect(args).not.toContain("--no-snapshot");
  });

  test("mounts the Talos ServiceAccount's secret at /var/run/secrets/talos.dev and points TALOSCONFIG at it", () => {
    const mount = mounts.find((m) => m.mountPath === "/var/run/secrets/talos.dev");
    expect(mount?.readOnly).toBe(true);
    const volume = volumes.find((v) => v.name === mount?.name);
    expect(dig(volume, "secret", "secretName")).toBe(dig(talosAccount, "metadata", "name"));
    const env = dig(container, "env") as { name: string; value: string }[];
    expect(env).toContainEqual({ name: "TALOSCONFIG", value: "/var/run/secrets/talos.dev/config" });
  });

  test("the Talos ServiceAccount asks for os:operator, which the machine config patch allows", () => {
    expect(dig(talosAccount, "apiVersion")).toBe("talos.dev/v1alpha1");
    const roles = dig(talosAccount, "spec", "roles") as string[];
    expect(roles).toContain("os:operator");
    for (const role of roles) expect(dig(access, "allowedRoles")).toContain(role);
    for (const doc of cronFile) {
      expect(dig(access, "allowedKubernetesNamespaces")).toContain(dig(doc, "metadata", "namespace"));
    }
  });

  test("schedules onto control-plane nodes and tolerates their taint", () => {
    expect(dig(pod, "nodeSelector")).toEqual({ "node-role.kubernetes.io/control-plane": "" });
    expect(dig(pod, "tolerations")).toContainEqual({
      key: "node-role.kubernetes.io/control-plane",
      operator: "Exists",
      effect: "NoSchedule",
    });
  });

  test("runs as non-root with a read-only root filesystem, a writable /tmp and resource bounds", () => {
    expect(dig(pod, "securityContext", "runAsNonRoot")).toBe(true);
    expect(dig(pod, "securityContext", "runAsUser")).toBeGreaterThan(0);
    expect(dig(container, "securityContext", "allowPrivilegeEscalation")).toBe(false);
    expect(dig(container, "securityContext", "readOnlyRootFilesystem")).toBe(true);
    expect(mounts.map((m) => m.mountPath)).toContain("/tmp");
    expect(dig(container, "resources", "requests", "memory")).toBeTruthy();
    expect(dig(container, "resources", "limits", "memory")).toBeTruthy();
  });

  test("the snapshot volume is the claim defined in the same file", () => {
    const snapshotMount = mounts.find((m) => m.mountPath === argAfter("--snapshot-dir"));
    const volume = volumes.find((v) => v.name === snapshotMount?.name);
    expect(dig(volume, "persistentVolumeClaim", "claimName")).toBe(dig(claim, "metadata", "name"));
  });

  test("the role notes are there for the reader", async () => {
    const text = await readExample("kubernetes/cronjob.yaml");
    expect(text).toMatch(/os:admin/);
    expect(text).toMatch(/in place/);
  });
});

describe("examples/kubernetes/machine-config-patch.yaml", () => {
  test("enables Talos API access from Kubernetes with roles and namespaces", () => {
    expect(access.enabled).toBe(true);
    expect(access.allowedRoles).toEqual(["os:operator"]);
    expect(access.allowedKubernetesNamespaces).toEqual(["kube-system"]);
  });
});

describe("examples/kubernetes/talos-api-access-config.yaml (Talos 1.14+)", () => {
  // The document's shape, from pkg/machinery/config/types/k8s/talos_api_access.go at v1.14.0-rc.1.
  test("is one KubeTalosAPIAccessConfig v1alpha1 document with exactly its two lists", () => {
    expect(accessDocuments).toHaveLength(1);
    const doc = accessDocuments[0] as Doc;
    expect(Object.keys(doc).sort()).toEqual(
      ["allowedKubernetesNamespaces", "allowedRoles", "apiVersion", "kind"].sort(),
    );
    expect(doc.apiVersion).toBe("v1alpha1");
    expect(doc.kind).toBe("KubeTalosAPIAccessConfig");
  });

  test("grants what the older patch grants, so the CronJob works with either form", () => {
    const doc = accessDocuments[0] as Doc;
    expect(doc.allowedRoles).toEqual(access.allowedRoles);
    expect(doc.allowedKubernetesNamespaces).toEqual(access.allowedKubernetesNamespaces);
    for (const role of dig(talosAccount, "spec", "roles") as string[])
      expect(doc.allowedRoles).toContain(role);
  });

  test("says which releases take it and that both forms together are refused", async () => {
    const text = await readExample("kubernetes/talos-api-access-config.yaml");
    expect(text).toMatch(/Talos 1\.14 and later/);
    expect(text).toMatch(/kubernetesTalosAPIAccess/);
    const older = await readExample("kubernetes/machine-config-patch.yaml");
    expect(older).toMatch(/up to 1\.13/);
    expect(older).toMatch(/talos-api-access-config\.yaml/);
  });
});
