/** Member-ID order: Talos's forfeit target, the harness's arrangement of a learner, etcd's ID formula. */
import { describe, expect, it } from "vitest";
import {
  chooseTokenForRank,
  computeMemberId,
  findSecondForRank,
  forfeitTargetOf,
  leadersWhoseForfeitTargetsLearner,
  rankOfMemberId,
  rankWindowShare,
} from "../../sim/member-order.js";

const voter = (id: string) => ({ id, isLearner: false });
const learner = (id: string) => ({ id, isLearner: true });

describe("forfeitTargetOf", () => {
  // IDs compare as uint64, not as strings: "9" < "10" < "18446744073709551615".
  const members = [voter("18446744073709551615"), learner("10"), voter("9"), voter("100")];
  it.each([
    { leader: "9", target: "10" },
    { leader: "10", target: "9" },
    { leader: "100", target: "9" },
    { leader: "18446744073709551615", target: "9" },
  ])("leader $leader hands over to $target", ({ leader, target }) => {
    expect(forfeitTargetOf(members, leader)?.id).toBe(target);
  });

  it("has no target in a one-member cluster", () => {
    expect(forfeitTargetOf([voter("5")], "5")).toBeUndefined();
  });
});

describe("leadersWhoseForfeitTargetsLearner: which voters can lead for each arrangement", () => {
  // Three voters 20, 40, 60 and a learner whose ID takes rank 1..4.
  it.each([
    { rank: 1, learnerId: "10", targetLeaders: ["20", "40", "60"], otherLeaders: [] },
    { rank: 2, learnerId: "30", targetLeaders: ["20"], otherLeaders: ["40", "60"] },
    { rank: 3, learnerId: "50", targetLeaders: [], otherLeaders: ["20", "40", "60"] },
    { rank: 4, learnerId: "70", targetLeaders: [], otherLeaders: ["20", "40", "60"] },
  ])("learner at rank $rank", ({ learnerId, targetLeaders, otherLeaders }) => {
    const members = [voter("60"), voter("20"), learner(learnerId), voter("40")];
    expect(leadersWhoseForfeitTargetsLearner(members, true).map((m) => m.id)).toEqual(targetLeaders);
    expect(leadersWhoseForfeitTargetsLearner(members, false).map((m) => m.id)).toEqual(otherLeaders);
  });
});

describe("computeMemberId (values read from etcd 3.4.23 and 3.5.30)", () => {
  it("an initial member: peer URL and cluster token, no time", () => {
    expect(computeMemberId(["http://127.0.0.71:2380"], "t1")).toBe("17480793481028336");
  });

  it("a member added with member add: peer URL, no name, the second of the request", () => {
    expect(computeMemberId(["http://127.0.0.74:2380"], "", 1796012068)).toBe("6033931513090677680");
  });
});

describe("findSecondForRank", () => {
  it("finds a second whose learner ID takes the wanted rank", () => {
    const voters = [
      voter("4611686018427387904"),
      voter("9223372036854775808"),
      voter("13835058055282163712"),
    ];
    const ids = voters.map((v) => v.id);
    for (const rank of [1, 2, 3, 4]) {
      const second = findSecondForRank("http://127.0.0.74:2380", ids, rank, 1_800_000_000);
      expect(second).not.toBeNull();
      const id = computeMemberId(["http://127.0.0.74:2380"], "", second ?? 0);
      expect(rankOfMemberId([...ids, id], id)).toBe(rank);
    }
  });

  it("gives up when no second can (a rank beyond the member count)", () => {
    expect(findSecondForRank("http://127.0.0.74:2380", ["1"], 3, 1_800_000_000, 50)).toBeNull();
  });
});

describe("rankWindowShare", () => {
  // Voters at 1/4, 1/2 and 3/4 of the ID space, then two voters close together at the bottom.
  const quarters = ["4611686018427387904", "9223372036854775808", "13835058055282163712"];
  const crowded = ["1000", "2000", "9223372036854775808"];
  it.each([
    { ids: quarters, rank: 1, share: 0.25 },
    { ids: quarters, rank: 2, share: 0.25 },
    { ids: quarters, rank: 4, share: 0.25 },
    { ids: crowded, rank: 2, share: 0 },
    { ids: crowded, rank: 3, share: 0.5 },
    { ids: crowded, rank: 5, share: 0 },
  ])("rank $rank of $ids: $share", ({ ids, rank, share }) => {
    expect(rankWindowShare(ids, rank)).toBeCloseTo(share, 5);
  });
});

describe("chooseTokenForRank", () => {
  const urls = ["http://127.0.0.101:2380", "http://127.0.0.102:2380", "http://127.0.0.103:2380"];
  it.each([1, 2, 3, 4])("leaves rank %i at least a fifth of the ID space", (rank) => {
    for (const base of ["sim-a", "sim-b", "sim-c"]) {
      const token = chooseTokenForRank(urls, rank, base);
      expect(token.startsWith(`${base}-`)).toBe(true);
      const ids = urls.map((url) => computeMemberId([url], token));
      expect(rankWindowShare(ids, rank)).toBeGreaterThanOrEqual(0.2);
    }
  });
});
