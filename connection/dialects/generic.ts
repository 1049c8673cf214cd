/**
 * Any other ODBC data source (a raw ODBC string whose driver tdmcp does not know): no engine-side read-only mode, so
 * it is served only with `--allow-unknown-engine`, and the statement guard assumes the grammar of any server (every
 * dialect's function rules, every plausible lexical reading, SQL Server batches without semicolons). Its error rules
 * are the words common to drivers, which apply to every dialect.
 * @module
 */
import { type CallIsolation, type DialectSpec, type LexAxis, lexOptions } from "./spec.ts";

/** Every plausible reading of a text on a server whose settings and version are unknown. */
const ANY_SERVER_AXES: readonly LexAxis[] = [
  [/\/\*/, [[{ nestedComments: true }, "block comments nest"]]],
  [/\\/, [
    [{ backslash: "e-strings" }, "backslashes escape quotes in E'...' strings"],
    [{ backslash: "strings" }, "backslashes escape quotes in strings"],
    [{ backslash: "all" }, "backslashes escape quotes in strings and double-quoted text"],
  ]],
  [/\$/, [[{ dollarQuotes: true }, "$$ or $tag$ starts a string"]]],
  [/\[/, [
    [{ brackets: "doubled" }, "]] inside [...] is an escaped bracket"],
    [{ brackets: "none" }, "[ does not quote a name"],
  ]],
  [/`/, [[{ backticks: false }, "a backtick does not quote a name"]]],
  [/#/, [[{ hashComments: true }, "# starts a comment"]]],
  [/--\S/, [[{ dashCommentNeedsSpace: true }, "-- starts a comment only before a space"]]],
  [/(?:^|[^\w$])n?q'/i, [[{ qQuotes: true }, "q'[...]' is a string"]]],
  [/[$@:#]\S*\(/, [[{ tclVariables: true }, "$name(...) is a parameter"]]],
  [/[\u0080-\uffff][$@:#eEnNqQ]/, [[{ nonAsciiIsIdent: true }, "non-ASCII characters are part of names"]]],
];

/** No read-only transaction: nothing runs around a call. */
const NO_ISOLATION: CallIsolation = Object.freeze({
  manualCommit: false,
  endRead: null,
  beginWrite: null,
  endWrite: null,
});

/** Any other ODBC data source. */
export const GENERIC: DialectSpec = {
  name: "generic",
  uri: { schemes: [], defaultDriver: null, driverMarker: null, rawCompletion: [], fileDatabase: false },
  engine: { dbmsPrefix: null, servedByDefault: false, serverCut: false },
  session: {
    readOnly: [],
    isolation: () => NO_ISOLATION,
    healthProbe: null,
    rolePower: null,
    userFunctionsSql: null,
    auditStatement: null,
  },
  lex: { options: lexOptions({ brackets: "plain", backticks: true }), axes: ANY_SERVER_AXES },
  guard: {
    reads: "SELECT, WITH, VALUES, EXPLAIN or SHOW",
    readWords: new Map([["SHOW", "show"]]),
    anyServer: true,
    teradataSql: false,
    pragmas: false,
    postgresEscapes: false,
    explainPlansWrites: false,
  },
  errors: {
    lostStates: [],
    // A serialization failure or a deadlock (SQL standard class 40).
    transientStates: ["40001"],
    // ODBC's "communication link failure" and the words drivers use for a broken or closed connection.
    lostText: [
      "communication link",
      "connection (?:is )?(?:closed|reset|refused|lost|terminated|timed out)",
      "could not connect",
      "broken pipe",
      "socket",
      "Connection dead",
      "Connection has already been closed",
    ],
    // SQL Server's and MySQL's login messages, Oracle's ORA-01017.
    authText: ["Login failed for user", "Access denied for user", "invalid username\\/password"],
    notAcceptingText: [
      "connection refused",
      "timeout expired",
      "timed out",
      "no route to host",
      "network is unreachable",
      "not accepting connections",
      "could not connect",
    ],
    noDatabaseText: [],
  },
};
