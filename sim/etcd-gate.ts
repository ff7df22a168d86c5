/**
 * Whether a test file may use real etcd. Missing etcd skips loudly; with REQUIRE_ETCD=1 (CI) it is
 * a failure instead, reported by the test `requireEtcdFailure` registers.
 */
import { etcdAvailable } from "./cluster.js";

export interface EtcdGate {
  available: boolean;
  /** REQUIRE_ETCD=1 and etcd missing: the file must fail. */
  missingButRequired: boolean;
}

export function checkEtcdGate(suite: string): EtcdGate {
  const available = etcdAvailable();
  const required = process.env.REQUIRE_ETCD === "1";
  if (!available && !required) {
    const bar = "!".repeat(78);
    console.warn(
      `\n${bar}\n!! SKIPPING ${suite}: etcd/etcdctl not installed.\n` +
        `!! Install them (apt-get install etcd-server etcd-client) to run the real-etcd tests.\n${bar}\n`,
    );
  }
  return { available, missingButRequired: !available && required };
}
