/**
 * The question a write confirmation puts to the user: the statement, its kind, the rows the engine expects it to
 * change, and how long the confirmation lasts; the form is one boolean, `confirm`.
 * @module
 */
import type { ConfirmRequest } from "../plugin/tool.ts";

/** An elicitation form: the message and the one boolean field the user ticks. */
export interface ConfirmQuestion {
  message: string;
  requestedSchema: {
    type: "object";
    properties: { confirm: { type: "boolean"; title: string; description: string; default: false } };
    required: ["confirm"];
  };
}

/** The question the user sees: what runs, what kind of change it is, how many rows the engine expects it to touch. */
export function question(request: ConfirmRequest, estimatedRows: number | null, ttlMs: number): ConfirmQuestion {
  const rows = estimatedRows === null
    ? "Rows affected: not estimated (the database gives no estimate for this statement)."
    : `Rows affected: about ${formatRows(estimatedRows)} (the database's EXPLAIN estimate, not a count).`;
  const message = [
    `${request.title} (${request.kind}):`,
    "",
    request.statement.trim(),
    "",
    rows,
    ...(request.details ? [request.details] : []),
    `Confirm to run it once; this confirmation expires in ${seconds(ttlMs)}.`,
  ].join("\n");
  return {
    message,
    requestedSchema: {
      type: "object",
      properties: {
        confirm: {
          type: "boolean",
          title: `Run this ${request.kind}`,
          description: "Tick to run the statement shown, once",
          default: false,
        },
      },
      required: ["confirm"],
    },
  };
}

function formatRows(rows: number): string {
  return Number.isFinite(rows) ? Math.round(rows).toLocaleString("en-US") : "more than can be displayed";
}

/** A duration as people read it: `5 minutes`, `90 s`. */
export function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? "" : "s"}` : `${Math.round(ms / 1000)} s`;
}
