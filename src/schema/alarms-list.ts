/** `alarms list -o json` (and `alarms -o json`): raised alarms with the node of each member. */
import * as z from "zod/mini";
import { alarm, schemaVersion, unreachable } from "./status.js";

/** An alarm with its member's node (null when no member row names it). */
export const alarmWithNode = z.strictObject({ ...alarm.shape, node: z.nullable(z.string()) });

export const alarmsListDocument = z
  .strictObject({ schemaVersion, alarms: z.array(alarmWithNode), unreachable: z.array(unreachable) })
  .check(
    z.meta({
      title: "talos-etcd-defrag alarms list -o json",
      description: "The alarms raised in etcd, once each, and the nodes that did not answer.",
    }),
  );

export type AlarmsListDocument = z.infer<typeof alarmsListDocument>;
