import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { parseNodeList, validateArgValue, validateEndpoint, validateNode } from "../../src/talos/validate.js";

describe("validateNode", () => {
  it.each(["10.5.0.2", "172.20.0.3", "fd00::1", "cp-1", "cp-1.example.com", "localhost"])(
    "accepts %s",
    (node) => {
      expect(validateNode(node)).toBe(node);
    },
  );

  it.each([
    "-n",
    "--talosconfig=/etc/x",
    "-1.2.3.4",
    "a b",
    "cp_1",
    "node;rm -rf /",
    "$(id)",
    "`id`",
    "a\nb",
    "",
    "x".repeat(64),
    "10.0.0.1:50000",
  ])("rejects %j before anything runs", (node) => {
    expect(() => validateNode(node)).toThrow(UserError);
  });
});

describe("parseNodeList", () => {
  it("splits commas, accepts repeats and drops duplicates in order", () => {
    expect(parseNodeList(["10.0.0.2,10.0.0.3", "10.0.0.2", "10.0.0.4,"])).toEqual([
      "10.0.0.2",
      "10.0.0.3",
      "10.0.0.4",
    ]);
  });

  it("rejects a hostile entry anywhere in the list", () => {
    expect(() => parseNodeList(["10.0.0.2,-e"])).toThrow(/invalid --nodes value "-e"/);
  });
});

describe("validateEndpoint", () => {
  it.each(["10.5.0.2", "10.5.0.2:50000", "[fd00::1]:50000", "api.example.com:50000"])("accepts %s", (e) => {
    expect(validateEndpoint(e)).toBe(e);
  });

  it.each(["-e", "http://x", "a b:1"])("rejects %j", (e) => {
    expect(() => validateEndpoint(e)).toThrow(UserError);
  });
});

describe("validateArgValue", () => {
  it("accepts ordinary paths and names", () => {
    expect(validateArgValue("/home/me/.talos/config", "--talosconfig")).toBe("/home/me/.talos/config");
    expect(validateArgValue("admin@homelab", "--context")).toBe("admin@homelab");
  });

  it.each(["-x", "--context=evil", "a\u0000b", "a\u001bb", ""])("rejects %j", (value) => {
    expect(() => validateArgValue(value, "--context")).toThrow(UserError);
  });
});

describe("refused values in messages", () => {
  it("shows control characters escaped, DEL included, so the terminal never interprets them", () => {
    expect(() => validateArgValue("ctx\u007f\u001b[2J", "--context")).toThrow(/"ctx\\u007f\\u001b\[2J"/);
  });
});
