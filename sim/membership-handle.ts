/** The membership part of a real-etcd SimCluster: member list, leadership moves, the learner's helpers. */
import {
  type ClusterMember,
  listMembers,
  promoteMember,
  transferLeadership,
  waitForLeader,
} from "./cluster-members.js";
import { leadersWhoseForfeitTargetsLearner } from "./member-order.js";
import type { SimCluster } from "./types.js";

export interface MembershipDeps {
  endpoint: (node: string) => string;
  /** Nodes whose etcd process runs now. */
  runningNodes: () => string[];
  voterNodes: readonly string[];
  leaderNode: () => Promise<string | null>;
}

type Membership = Pick<SimCluster, "memberList" | "moveLeader" | "promoteLearner" | "arrangeForfeitTarget">;

function nodeOfPeerUrl(url: string | undefined): string {
  return url === undefined ? "" : new URL(url).hostname;
}

export function membershipHandle(deps: MembershipDeps): Membership {
  const runningVoters = (): string[] => deps.voterNodes.filter((n) => deps.runningNodes().includes(n));

  const memberList = async (): Promise<(ClusterMember & { node: string })[]> => {
    let lastError: unknown = new Error("no voting member is running");
    // A learner refuses the member list, and a stopped voter cannot answer: ask the running voters.
    for (const voter of runningVoters()) {
      try {
        const members = await listMembers(deps.endpoint(voter));
        return members.map((m) => ({ ...m, node: nodeOfPeerUrl(m.peerUrls[0]) }));
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  };

  const moveLeader = async (node: string): Promise<void> => {
    const target = (await memberList()).find((m) => m.node === node);
    if (target === undefined) throw new Error(`${node} is not an etcd member`);
    if (target.isLearner) throw new Error(`${node} is a learner: etcd does not let a learner lead`);
    const leader = await deps.leaderNode();
    if (leader === node) return;
    if (leader === null) throw new Error("no leader to move leadership from");
    await transferLeadership(deps.endpoint(leader), target.id);
    const running = deps.runningNodes().map(deps.endpoint);
    const deadline = Date.now() + 20_000;
    while ((await waitForLeader(running, 20_000)) !== target.id) {
      if (Date.now() > deadline) throw new Error(`leadership did not settle on ${node}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const promoteLearner = async (): Promise<void> => {
    const learner = (await memberList()).find((m) => m.isLearner);
    if (learner === undefined) throw new Error("the cluster has no learner to promote");
    const voter = runningVoters()[0];
    if (voter === undefined) throw new Error("no voting member is running");
    await promoteMember(deps.endpoint(voter), learner.id, 30_000);
  };

  const arrangeForfeitTarget = async (learnerIsTarget: boolean): Promise<string> => {
    const members = await memberList();
    if (!members.some((m) => m.isLearner)) throw new Error("the cluster has no learner");
    const running = deps.runningNodes();
    const candidates = leadersWhoseForfeitTargetsLearner(members, learnerIsTarget).filter((m) =>
      running.includes(m.node),
    );
    const current = await deps.leaderNode();
    const chosen = candidates.find((m) => m.node === current) ?? candidates[0];
    if (chosen === undefined) {
      const order = members.map((m) => `${m.node}${m.isLearner ? " (learner)" : ""}`).join(" < ");
      throw new Error(
        `no running voter can lead with the learner ${learnerIsTarget ? "as" : "not as"} its forfeit target ` +
          `(ascending ID order: ${order}); start the cluster with learnerIdRank 2`,
      );
    }
    await moveLeader(chosen.node);
    return chosen.node;
  };

  return { memberList, moveLeader, promoteLearner, arrangeForfeitTarget };
}
