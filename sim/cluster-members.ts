/**
 * Harness-side membership operations over etcd's gRPC gateway: waiting for a leader, listing members,
 * joining a learner with a chosen place in ID order, promoting it, and moving leadership.
 */

import { callGateway, GatewayError } from "./gateway.js";
import { findSecondForRank, rankOfMemberId, sortByMemberId } from "./member-order.js";

export interface ClusterMember {
  id: string;
  /** etcd member name (the Talos hostname); empty until a new member has started. */
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** A member as etcd's gRPC gateway lists it (cluster/member/list). */
export interface MemberReply {
  ID?: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

interface StatusReply {
  header?: { member_id?: string };
  leader?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function readLeaderId(endpoint: string): Promise<{ memberId: string; leader: string } | null> {
  try {
    const reply = await callGateway<StatusReply>(endpoint, "maintenance/status", {}, { timeoutMs: 1000 });
    return { memberId: reply.header?.member_id ?? "0", leader: reply.leader ?? "0" };
  } catch {
    return null;
  }
}

/** Until every endpoint answers and all name the same leader (learners included: they follow one too). */
export async function waitForLeader(
  endpoints: readonly string[],
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error("an etcd member exited during start-up");
    const replies = await Promise.all(endpoints.map(readLeaderId));
    const leaders = new Set(replies.map((r) => r?.leader ?? "0"));
    const [leader] = [...leaders];
    if (replies.every((r) => r !== null) && leaders.size === 1 && leader !== undefined && leader !== "0")
      return leader;
    await sleep(100);
  }
  throw new Error(`etcd cluster at ${endpoints.join(", ")} did not elect a leader within ${timeoutMs} ms`);
}

/** The member list as one (voting) member sees it, in ascending ID order. */
export async function listMembers(endpoint: string): Promise<ClusterMember[]> {
  const reply = await callGateway<{ members?: MemberReply[] }>(
    endpoint,
    "cluster/member/list",
    {},
    { timeoutMs: 5000 },
  );
  return sortByMemberId(
    (reply.members ?? []).map((m) => ({
      id: m.ID ?? "0",
      name: m.name ?? "",
      peerUrls: m.peerURLs ?? [],
      clientUrls: m.clientURLs ?? [],
      isLearner: m.isLearner ?? false,
    })),
  );
}

/**
 * `member add --learner` (what Talos does for a joining control-plane node), timed so that the new ID
 * takes place `rank` (1-based, ascending) among all members: etcd derives an added member's ID from
 * its peer URL and the second of the request, so the harness picks the second. The resulting rank is
 * checked; a miss (a request that crossed a second boundary) is removed and retried. etcd refuses
 * additions until the voters have been connected for 5 s ("unhealthy cluster"): retried as well.
 */
export async function addLearnerAtRank(
  endpoint: string,
  peerUrl: string,
  rank: number,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const voterIds = (await listMembers(endpoint)).map((m) => m.id);
  let lastProblem = "no attempt";
  while (Date.now() < deadline) {
    const second = findSecondForRank(peerUrl, voterIds, rank, Math.ceil((Date.now() + 200) / 1000));
    if (second === null) throw new Error(`no second in the next 10 minutes gives a learner ID rank ${rank}`);
    await sleep(Math.max(0, second * 1000 + 50 - Date.now()));
    let id: string;
    try {
      const reply = await callGateway<{ member?: MemberReply }>(
        endpoint,
        "cluster/member/add",
        { peerURLs: [peerUrl], isLearner: true },
        { timeoutMs: 5000 },
      );
      id = reply.member?.ID ?? "0";
    } catch (error) {
      if (error instanceof GatewayError && /unhealthy cluster/.test(error.grpcMessage)) {
        lastProblem = error.grpcMessage;
        continue;
      }
      throw error;
    }
    if (rankOfMemberId([...voterIds, id], id) === rank) return id;
    lastProblem = `learner ${id} landed at rank ${rankOfMemberId([...voterIds, id], id)}`;
    await callGateway(endpoint, "cluster/member/remove", { ID: id }, { timeoutMs: 5000 });
  }
  throw new Error(`could not add a learner at ID rank ${rank} within ${timeoutMs} ms (${lastProblem})`);
}

/** Until the started learner has published its name and follows the leader. */
export async function waitForLearnerJoined(
  voterEndpoint: string,
  learnerEndpoint: string,
  learnerId: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const members = await listMembers(voterEndpoint).catch(() => []);
    const named = members.some((m) => m.id === learnerId && m.name !== "");
    const status = await readLeaderId(learnerEndpoint);
    if (named && status !== null && status.leader !== "0") return;
    await sleep(100);
  }
  throw new Error(`learner ${learnerId} did not join within ${timeoutMs} ms`);
}

/** `member promote`: etcd refuses until the learner has caught up with the leader, so retry until then. */
export async function promoteMember(endpoint: string, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await callGateway(endpoint, "cluster/member/promote", { ID: id }, { timeoutMs: 5000 });
      return;
    } catch (error) {
      const inSync = error instanceof GatewayError && /in sync with leader/.test(error.grpcMessage);
      if (!inSync || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** Asks the leader's endpoint to transfer leadership to `targetId`. */
export async function transferLeadership(leaderEndpoint: string, targetId: string): Promise<void> {
  await callGateway(
    leaderEndpoint,
    "maintenance/transfer-leadership",
    { targetID: targetId },
    { timeoutMs: 30_000 },
  );
}
