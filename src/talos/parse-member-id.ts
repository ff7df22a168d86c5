/**
 * etcd member IDs are uint64. talosctl prints them as `%016x` (older releases without the zero padding),
 * and etcd's own error strings print them in decimal (`memberID:15981379600524056141`). Everything in this
 * program compares the normalised form: 16 lowercase hex digits.
 */
import { ParseError } from "../errors.js";

const HEX_ID = /^(?:0[xX])?([0-9a-fA-F]{1,16})$/;
const DECIMAL_ID = /^\d{1,20}$/;
const MAX_UINT64 = (1n << 64n) - 1n;

/** The all-zero ID talosctl prints in LEADER when the member knows no leader. */
export const NO_MEMBER_ID = "0000000000000000";

/** `b47fb33e59bf0e2`, `0B47FB33E59BF0E2` -> `0b47fb33e59bf0e2`. Throws ParseError quoting the text. */
export function normalizeMemberId(text: string, command = "etcd members"): string {
  const match = HEX_ID.exec(text);
  if (match === null || match[1] === undefined) throw new ParseError(command, "not a member ID", text);
  return match[1].toLowerCase().padStart(16, "0");
}

/** `15981379600524056141` -> `ddc94412dde9164d`. BigInt because the value does not fit a double. */
export function memberIdFromDecimal(text: string, command = "etcd status"): string {
  if (!DECIMAL_ID.test(text)) throw new ParseError(command, "not a decimal member ID", text);
  const value = BigInt(text);
  if (value > MAX_UINT64) throw new ParseError(command, "member ID does not fit 64 bits", text);
  return value.toString(16).padStart(16, "0");
}
