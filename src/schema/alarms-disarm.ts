/** `alarms disarm -o json`: what was raised, and what was lifted or why nothing was. One shape per `result`. */
import * as z from "zod/mini";
import { alarmWithNode } from "./alarms-list.js";
import { alarm, schemaVersion } from "./status.js";

const alarms = z.array(alarmWithNode);

export const alarmsDisarmDocument = z
  .discriminatedUnion("result", [
    z.strictObject({ schemaVersion, result: z.literal("ok"), alarms, alarmsDisarmed: z.array(alarm) }),
    z.strictObject({ schemaVersion, result: z.literal("nothing-to-do"), alarms }),
    z.strictObject({ schemaVersion, result: z.literal("refused"), alarms, reasons: z.array(z.string()) }),
    z.strictObject({ schemaVersion, result: z.literal("failed"), alarms, error: z.string() }),
  ])
  .check(
    z.meta({
      title: "talos-etcd-defrag alarms disarm -o json",
      description:
        "NOSPACE lifted (ok), nothing raised (nothing-to-do), refused (CORRUPT, near the quota), or failed.",
    }),
  );

export type AlarmsDisarmDocument = z.infer<typeof alarmsDisarmDocument>;
