/** `check -o json`: the go/no-go checklist, with the status document it was made from. */
import * as z from "zod/mini";
import { advisory, schemaVersion, statusDocument, warnings } from "./status.js";

export const checklistItem = z.strictObject({
  name: z.string(),
  status: z.enum(["pass", "warn", "fail"]),
  detail: z.string(),
  /** Present (true) on a warning that never makes the verdict `defrag-recommended`. */
  informational: z.optional(z.literal(true)),
});

export const checkDocument = z
  .strictObject({
    schemaVersion,
    verdict: z.enum(["go", "defrag-recommended", "no-go"]),
    items: z.array(checklistItem),
    go: z.boolean(),
    advisories: z.array(advisory),
    status: statusDocument,
    warnings: z.optional(warnings),
  })
  .check(
    z.meta({
      title: "talos-etcd-defrag check -o json",
      description: "The go/no-go checklist: exit 0 go, 3 no-go, 4 defragmentation recommended.",
    }),
  );

export type CheckDocument = z.infer<typeof checkDocument>;
