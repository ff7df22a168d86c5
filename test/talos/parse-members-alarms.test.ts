import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { parseAlarms } from "../../src/talos/parse-alarms.js";
import { parseMembers } from "../../src/talos/parse-members.js";

describe("parseMembers", () => {
  it("splits URL lists on commas and normalises unpadded IDs", () => {
    const out = `NODE         ID                HOSTNAME     PEER URLS                                        CLIENT URLS               LEARNER
172.20.0.2   b47fb33e59bf0e2   talos-cp-3   https://172.20.0.4:2380,https://[fd00::4]:2380   https://172.20.0.4:2379   false
`;
    expect(parseMembers(out)).toEqual([
      {
        node: "172.20.0.2",
        memberId: "0b47fb33e59bf0e2",
        hostname: "talos-cp-3",
        peerUrls: ["https://172.20.0.4:2380", "https://[fd00::4]:2380"],
        clientUrls: ["https://172.20.0.4:2379"],
        isLearner: false,
      },
    ]);
  });

  it("reads rows printed with neither header nor NODE column (≤v1.13, first reply had no members)", () => {
    const out = "a49c021e76e707db   talos-cp-1   https://172.20.0.2:2380   https://172.20.0.2:2379   false\n";
    expect(parseMembers(out)).toEqual([
      {
        node: "",
        memberId: "a49c021e76e707db",
        hostname: "talos-cp-1",
        peerUrls: ["https://172.20.0.2:2380"],
        clientUrls: ["https://172.20.0.2:2379"],
        isLearner: false,
      },
    ]);
  });

  it("returns [] for empty output", () => {
    expect(parseMembers("")).toEqual([]);
  });

  it("throws a ParseError quoting the row for a bad learner flag", () => {
    const line =
      "172.20.0.2   a49c021e76e707db   talos-cp-1   https://172.20.0.2:2380   https://172.20.0.2:2379   maybe";
    expect(() => parseMembers(`${line}\n`)).toThrow(ParseError);
    try {
      parseMembers(`${line}\n`);
    } catch (error) {
      expect((error as ParseError).line).toBe(line);
      expect((error as ParseError).command).toBe("etcd members");
    }
  });
});

describe("parseAlarms", () => {
  it("returns [] for no output at all (no alarms)", () => {
    expect(parseAlarms("")).toEqual([]);
  });

  it("reads rows with a header, and rows without one", () => {
    const withHeader = "NODE         MEMBER             ALARM\n172.20.0.2   0b47fb33e59bf0e2   NOSPACE\n";
    const withoutHeader = "172.20.0.3   0b47fb33e59bf0e2   CORRUPT\n";
    expect(parseAlarms(withHeader)).toEqual([
      { node: "172.20.0.2", memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" },
    ]);
    expect(parseAlarms(withoutHeader)).toEqual([
      { node: "172.20.0.3", memberId: "0b47fb33e59bf0e2", alarm: "CORRUPT" },
    ]);
  });

  it("names the disarm command in its errors", () => {
    try {
      parseAlarms("172.20.0.3   0b47fb33e59bf0e2   no such alarm\n", "etcd alarm disarm");
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).command).toBe("etcd alarm disarm");
      expect((error as ParseError).line).toBe("172.20.0.3   0b47fb33e59bf0e2   no such alarm");
    }
  });
});
