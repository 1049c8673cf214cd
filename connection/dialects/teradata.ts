/**
 * Teradata Vantage through the ODBC Driver for Teradata: `teradata://` URIs (see `../uri_teradata.ts`), the QueryBand
 * audit statement, Teradata SQL's lexical rules and reads (`SEL`, `HELP`, `SHOW`), and the Teradata Database codes
 * tdmcp acts on. Teradata has no session-wide read-only switch: the statement guard (with its Teradata grammar in
 * `../guard_teradata.ts`) is its protection.
 * @module
 */
import { parseUrl } from "../odbc_string.ts";
import { queryBandStatement } from "../query_band.ts";
import { teradataTarget } from "../uri_teradata.ts";
import { type CallIsolation, type DialectSpec, type EngineCodeClass, lexOptions } from "./spec.ts";

/**
 * The ODBC driver name used unless one is named. Only the fallback: `main.ts` names the highest
 * "Teradata Database ODBC Driver N.NN" registered with unixODBC (`../drivers.ts`).
 */
export const TERADATA_DEFAULT_DRIVER = "Teradata Database ODBC Driver 20.00";

/** What tdmcp does after a Teradata Database code (any code not listed is a plain statement error). */
export type TeradataClass = EngineCodeClass;

/**
 * The Teradata Database codes tdmcp acts on, with the wording Teradata documents for each. Where this table cites
 * "Messages", the page is Teradata Vantage - Analytics Database Messages (B035-1096); "CLIv2" is the Call-Level
 * Interface Version 2 reference, table "Responding to Error and Failure Parcels" (action: re-submit).
 *
 * | code | class     | wording                                                   | source                                   |
 * | ---- | --------- | --------------------------------------------------------- | ---------------------------------------- |
 * | 8017 | auth      | The UserId, Password or Account is invalid.                | CLIv2 (CliUsrLgnExt); SQLSTATE 28000 (1)  |
 * | 3002 | auth      | Invalid logon account.                                     | Messages: "constitutes a security violation" |
 * | 3032 | auth      | User password has expired.                                 | Messages (15.00) (2)                     |
 * | 8024 | refusing  | All virtual circuits are currently in use.                 | driver text, SQLSTATE HY000 (3)          |
 * | 3055 | refusing  | Logons are only enabled for user DBC.                      | ODBC driver text (FailCode -3055) (3)    |
 * | 2631 | transient | Transaction ABORTed due to deadlock.                       | CLIv2: re-submit; SQLSTATE 40001         |
 * | 2639 | transient | sorry, too many simultaneous transactions                  | CLIv2: re-submit the request             |
 * | 2641 | transient | databasename.tablename was restructured.                   | CLIv2: re-submit the transaction         |
 * | 2825 | transient | no record of the last request was found after DBC restart  | CLIv2: re-submit the request             |
 * | 2826 | transient | request completed but all output was lost due to DBC restart | CLIv2: a display request may be re-submitted (4) |
 * | 2828 | transient | request was rolled back during system recovery             | CLIv2: re-submit the transaction         |
 * | 2835 | transient | a unique index has been invalidated; resubmit transaction  | CLIv2: re-submit the transaction         |
 * | 3111 | transient | the transaction has been timed out                         | CLIv2: re-submit the transaction         |
 * | 3120 | transient | the request is aborted because of a DBC recovery           | CLIv2: re-submit the transaction         |
 * | 3598 | transient | concurrent change conflict on database                     | CLIv2: re-submit                         |
 *
 * (1) By default (Gateway Control `-n no`) EVERY logon failure - unknown user, wrong password, locked user, logon
 *     rule, IP restriction - returns 8017 (Security Administration, "Using Logon Error Handling Options"); the
 *     failure-specific codes appear only with `-n yes`. Teradata locks a user after `MaxLogonAttempts` successive
 *     wrong passwords (Security Administration, "MaxLogonAttempts"), and an LDAP directory may lock its account too.
 * (2) A second logon with an expired password is refused ("Expired Password Effects on a Session").
 * (3) No manual page for 8024 or 3055 was found; the wording is the driver's. Both say the database takes no
 *     logons for now (no free virtual circuit; logons disabled by an administrator), not that the credentials are
 *     wrong: they count towards the circuit breaker like a refused connection, and are retried with its backoff.
 * (4) CLIv2: "if the request was to display certain data, the original request can safely be re-submitted", not a
 *     write; tdmcp re-submits only read-only work (a write is never retried), so 2826 is transient.
 *
 * 2827 (aborted by the user or by a statement error, which a cancel also produces) is left out: the manual says the
 * circumstances "may not warrant re-submitting anything at all". 3126, 3127, 8018, 8019 and 8030, once listed here as
 * "session lost", appear neither in the Messages pages the search corpora hold nor in the official Teradata MCP server (which keeps
 * no code list: SQLAlchemy's pool_pre_ping); in the 80xx logon range a guess is dangerous, so they are plain
 * statement errors. A lost session still shows as SQLSTATE 08xxx or a communication-link message.
 */
export const TERADATA_CODES: ReadonlyMap<number, { readonly class: TeradataClass; readonly wording: string }> = new Map(
  [
    [8017, { class: "auth", wording: "The UserId, Password or Account is invalid." }],
    [3002, { class: "auth", wording: "Invalid logon account." }],
    [3032, { class: "auth", wording: "User password has expired." }],
    [8024, { class: "refusing", wording: "All virtual circuits are currently in use." }],
    [3055, { class: "refusing", wording: "Logons are only enabled for user DBC." }],
    [2631, { class: "transient", wording: "Transaction ABORTed due to deadlock." }],
    [2639, { class: "transient", wording: "sorry, too many simultaneous transactions" }],
    [2641, { class: "transient", wording: "databasename.tablename was restructured." }],
    [2825, { class: "transient", wording: "no record of the last request was found after DBC restart" }],
    [2826, { class: "transient", wording: "request completed but all output was lost due to DBC restart" }],
    [2828, { class: "transient", wording: "request was rolled back during system recovery" }],
    [2835, { class: "transient", wording: "a unique index has been invalidated; resubmit transaction" }],
    [3111, { class: "transient", wording: "the transaction has been timed out" }],
    [3120, { class: "transient", wording: "the request is aborted because of a DBC recovery" }],
    [3598, { class: "transient", wording: "concurrent change conflict on database" }],
  ],
);

/**
 * The Teradata Database code of an ODBC error record, 0 for other drivers. The Teradata ODBC driver reports a
 * statement's code as a negative native code (Teradata's own PyTd takes its absolute value) and a refused logon as
 * native code 210 with `FailCode = -8017` in the text; its messages carry a `[Teradata ...]` tag, which keeps other
 * drivers' native codes (MySQL has a 3032 too) out.
 */
export function teradataCode(nativeCode: number, message: string): number {
  if (!/\bTeradata\b/i.test(message)) return 0;
  const failCode = /FailCode\s*=\s*-?(\d+)/i.exec(message) ?? /\[Error (\d+)\]/.exec(message);
  return failCode ? Number(failCode[1]) : Math.abs(nativeCode);
}

/**
 * What the agent can do about a Teradata statement error it cannot fix by rewording. 2646 "No more spool space in
 * %DBID": the answer (or an intermediate spool) outgrew the user's spool limit, which is set low on purpose so that
 * runaway queries such as Cartesian products fail (SQL Data Definition Language, CREATE USER "PERMANENT, SPOOL, and
 * TEMPORARY Space"); the remedy is a smaller query or more spool (Database Design, "Spool Limits": MODIFY USER).
 */
export const TERADATA_HINTS: ReadonlyMap<number, string> = new Map([
  [
    2646,
    "Teradata builds the whole answer in spool before the first row comes back, so a row limit does not help: " +
    "narrow the query (filter in WHERE, fewer columns, no product join, aggregate or sample first) or ask the DBA " +
    "for more spool space for this user",
  ],
]);

/** No read-only transaction: nothing runs around a call. */
const NO_ISOLATION: CallIsolation = Object.freeze({
  manualCommit: false,
  endRead: null,
  beginWrite: null,
  endWrite: null,
});

/** Teradata Vantage. */
export const TERADATA: DialectSpec = {
  name: "teradata",
  uri: {
    schemes: ["teradata"],
    target: (uri, options) =>
      teradataTarget(
        parseUrl(uri.replace(/^teradata:/i, "http:"), "teradata://"),
        options.odbcDriver ?? TERADATA_DEFAULT_DRIVER,
      ),
    defaultDriver: TERADATA_DEFAULT_DRIVER,
    driverMarker: "teradata",
    rawCompletion: [],
    fileDatabase: false,
  },
  engine: { dbmsPrefix: "teradata", servedByDefault: true, serverCut: false },
  session: {
    readOnly: [],
    isolation: () => NO_ISOLATION,
    healthProbe: "SELECT 1",
    rolePower: null,
    userFunctionsSql: null,
    auditStatement: queryBandStatement,
  },
  lex: {
    options: lexOptions({ signNames: true }),
    axes: [[/\/\*/, [[{ nestedComments: true }, "block comments nest"]]]],
  },
  guard: {
    reads: "SELECT (SEL), WITH, EXPLAIN, SHOW, HELP or COMMENT ON name",
    readWords: new Map([["SEL", "select"], ["SHOW", "show"], ["HELP", "help"]]),
    anyServer: false,
    teradataSql: true,
    pragmas: false,
    postgresEscapes: false,
    explainPlansWrites: false,
  },
  errors: {
    lostStates: [],
    transientStates: [],
    lostText: [],
    authText: ["The UserId, Password or Account is invalid"],
    notAcceptingText: ["All virtual circuits are currently in use", "Logons are only enabled for user DBC"],
    noDatabaseText: [],
    engineCode: teradataCode,
    codes: TERADATA_CODES,
    hints: TERADATA_HINTS,
  },
};
