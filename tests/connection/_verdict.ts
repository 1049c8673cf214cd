/** Guard verdicts as tests compare them. */
import type { GuardResult } from "../../connection/guard.ts";

/** A verdict without the called functions it carries, for comparison. */
export function verdict(result: GuardResult): { ok: boolean; kind?: string; reason?: string } {
  return result.ok ? { ok: true, kind: result.kind } : result;
}
