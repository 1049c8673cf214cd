/**
 * Write confirmation for one tool call: the `ctx.confirm()` a tool receives, the database that makes the confirmed
 * write run once (the ledger), and the process's seal and gate built from its options. No SDK here: server/run.ts
 * reads the request (`requestState`, `inputResponses`, what the client can do) and answers `ConfirmationNeeded`
 * like any input request.
 * @module
 */
import { checkOnce } from "../connection/once.ts";
import type { Database } from "../connection/types.ts";
import type { ConfirmWrite } from "../plugin/tool.ts";
import {
  type CallIdentity,
  CONFIRM_KEY_MIN_BYTES,
  type ConfirmAnswer,
  ConfirmationRefused,
  ConfirmGate,
} from "./confirm.ts";
import { InputSeal, VerifiedState } from "./input_seal.ts";

/** How the server treats writes (ALLOW_WRITE): refused, confirmed by the user, or run at once. */
export type WriteMode = "off" | "confirm" | "unconfirmed";

/** The options of write confirmation, as config/options.ts delivers them (group `limits`). */
export interface ConfirmConfig {
  writes?: WriteMode;
  confirmTtlMs?: number;
  confirmKeyFile?: string | null;
  confirmLedgerTable?: string | null;
}

/**
 * The process's write confirmation: its mode, its gate (when writes are confirmed) and the ledger table, if any; and
 * the seal of every input request a call makes (`ctx.input.ask`, `ctx.confirm`), whatever the mode.
 */
export interface WriteConfirmation {
  mode: WriteMode;
  gate?: ConfirmGate;
  ledgerTable?: string;
  /** The process's seal (CONFIRM_KEY_FILE's key, or one of its own); a server built without it makes its own. */
  seal?: InputSeal;
}

/**
 * Builds the process's write confirmation and input seal from its options: reads CONFIRM_KEY_FILE (at least 32 bytes;
 * it keys every input request, not only confirmations) and checks the ledger's name. Call once per process; every MCP
 * server instance shares the result.
 */
export async function openWriteConfirmation(config: ConfirmConfig): Promise<WriteConfirmation> {
  const mode = config.writes ?? "off";
  let key: Uint8Array | undefined;
  if (config.confirmKeyFile) {
    key = await Deno.readFile(config.confirmKeyFile).catch((error) => {
      throw new Error(`Cannot start server as 'CONFIRM_KEY_FILE' cannot be read (${error.message})`);
    });
    if (key.byteLength < CONFIRM_KEY_MIN_BYTES) {
      throw new RangeError(
        `Cannot start server as 'CONFIRM_KEY_FILE' must hold at least ${CONFIRM_KEY_MIN_BYTES} random bytes: ` +
          `"${config.confirmKeyFile}" holds ${key.byteLength} (make one with: head -c 32 /dev/urandom > confirm.key)`,
      );
    }
  }
  const seal = await InputSeal.open({ key, ttlMs: config.confirmTtlMs });
  if (mode !== "confirm") return { mode, seal };
  const ledgerTable = config.confirmLedgerTable ?? undefined;
  if (ledgerTable !== undefined) {
    try {
      checkOnce({ table: ledgerTable, token: "0".repeat(32) });
    } catch (error) {
      throw new TypeError(`Cannot start server as 'CONFIRM_LEDGER_TABLE' is not usable: ${(error as Error).message}`);
    }
  }
  return { mode, gate: await ConfirmGate.open({ seal }), ledgerTable, seal };
}

/** What one call brings to its confirmation. */
export interface CallConfirmation {
  call: CallIdentity;
  /**
   * The retried call's `requestState` (undefined on a first call): the wire string, or what the SDK's verify hook made
   * of it. A state of the tool's own questions (not a confirmation) is carried into the confirmation's.
   */
  requestState: unknown;
  /** The retried call's answer (`inputResponses.confirm`). */
  answer: ConfirmAnswer | undefined;
  /** Null when the client can be asked; else why not (no elicitation capability, stateless 2025 HTTP). */
  cannotAsk: string | null;
}

/**
 * The call's `ctx.confirm()` and its database: once confirmed, the call's next write carries the confirmation's
 * token to the ledger (when CONFIRM_LEDGER_TABLE is set), so it runs once on every replica.
 */
export function confirmForCall(
  confirmation: WriteConfirmation,
  input: CallConfirmation,
  db: Database,
): { confirm: ConfirmWrite; db: Database } {
  let token: string | undefined;
  let confirmed = false;
  let confirmedStatement: string | undefined;
  const confirm: ConfirmWrite = async (request) => {
    if (confirmation.mode === "unconfirmed") return;
    if (confirmed) {
      if (request.statement === confirmedStatement) return;
      throw new TypeError("a tool call may ask the user to confirm one statement: it asked for a second one");
    }
    const call = { ...input.call, statement: request.statement };
    const gate = confirmation.gate;
    if (confirmation.mode === "off") {
      throw new ConfirmationRefused("this server is read-only (start it with --allow-write to let writes through)");
    }
    if (gate === undefined) {
      throw new ConfirmationRefused(
        "this server process has no write confirmation set up (a bug: the server must be built with " +
          "openWriteConfirmation's result), so it cannot ask the user",
      );
    }
    const own = VerifiedState.is(input.requestState) && input.requestState.payload.q === undefined
      ? input.requestState
      : undefined;
    if (input.requestState !== undefined && own === undefined) {
      token = (await gate.check(input.requestState, input.answer, call)).token;
      confirmed = true;
      confirmedStatement = request.statement;
      return;
    }
    if (input.cannotAsk !== null) {
      throw new ConfirmationRefused(
        `this ${request.kind} statement needs the user's confirmation, and ${input.cannotAsk}. Use a ` +
          "client that can be asked (MCP 2026-07-28, or a 2025-era client that declares the elicitation capability, " +
          "over stdio or HTTP with sessions), or have the operator start the server with ALLOW_WRITE=unconfirmed " +
          "to run writes without confirmation",
      );
    }
    const rows = request.estimatedRows ? await request.estimatedRows() : null;
    // The tool's own state of the round before (it asked something else first) goes on with the confirmation.
    throw await gate.ask(request, call, rows, { round: (own?.payload.r ?? 0) + 1, state: own?.payload.s });
  };
  const ledger = confirmation.ledgerTable;
  if (ledger === undefined) return { confirm, db };
  const query: Database["query"] = (sql, options = {}) => {
    const spend = options.readOnly === false && token !== undefined ? token : undefined;
    if (spend !== undefined) token = undefined; // one write per confirmation
    return db.query(sql, spend === undefined ? options : { ...options, once: { table: ledger, token: spend } });
  };
  return { confirm, db: { ...db, query } };
}
