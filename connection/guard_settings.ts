/**
 * Server settings that change how SQL text is split into tokens. Once one
 * changes on a session, the guard's readings of later text no longer match
 * the server's, so no mode may change them: read-only mode refuses every
 * setting change anyway (SET, set_config, ALTER ... SET, UPDATE
 * pg_settings, and the same inside SQL text), and write mode refuses any
 * statement that names one of these settings, in its words or inside its
 * string literals (decoded, and their own literals, a few levels deep).
 *
 * PostgreSQL (checked on a 15 server through psqlODBC):
 * - `standard_conforming_strings`: off makes `\'` escape a quote in '...'
 *   strings (a DELETE hidden after `'a\''` ran as a second statement);
 * - `client_encoding` (also `SET NAMES`): psqlODBC keeps sending UTF-8, so
 *   under SJIS or GBK a trail byte swallows a backslash and `E'Á\'...'`
 *   ends early (a hidden DELETE ran);
 * - `backslash_quote`: only turns `\'` into an error, refused anyway;
 * - `escape_string_warning`: warnings only, harmless.
 * MySQL and SQL Server (generic sources): `sql_mode` (NO_BACKSLASH_ESCAPES,
 * ANSI_QUOTES), `character_set_client`/`_connection` and `SET NAMES` /
 * `SET CHARACTER SET`, `QUOTED_IDENTIFIER`. SQLite and Teradata have no
 * run-time setting that changes lexing.
 *
 * @module
 */

import type { GuardDialect } from "./guard.ts";
import { literalValue } from "./guard_literals.ts";
import { lexingVariants, tokenize } from "./sql_tokens.ts";

/** Settings (lowercase) that change how a server lexes SQL text. */
export const LEXING_SETTINGS: readonly string[] = [
  "standard_conforming_strings",
  "backslash_quote",
  "client_encoding",
  "sql_mode",
  "ansi_quotes",
  "no_backslash_escapes",
  "character_set_client",
  "character_set_connection",
  "quoted_identifier",
];

/** `SET NAMES`, `SET CHARACTER SET`, `SET CHARSET` (client encoding by another name). */
const SET_NAMES = /\bset\s+(?:session\s+|local\s+)?(?:names|charset|character\s+set)\b/i;

/** How deep string literals inside string literals are decoded and searched. */
const MAX_DEPTH = 3;
/** Most readings of one literal searched. */
const MAX_LEXINGS = 256;

/**
 * The lexing setting `text` names (in words, comments or string literals,
 * decoded under every reading), or undefined.
 */
export function lexingSettingIn(text: string, dialect: GuardDialect, depth = 0): string | undefined {
  const lower = text.toLowerCase();
  const named = LEXING_SETTINGS.find((name) => lower.includes(name));
  if (named) return named;
  if (SET_NAMES.test(text)) return "the client encoding (SET NAMES)";
  if (depth >= MAX_DEPTH || !/['$]/.test(text)) return undefined;
  const lexings = lexingVariants(text, dialect);
  if (lexings.length > MAX_LEXINGS) return "a setting (the text is too ambiguous to search)";
  for (const { options } of lexings) {
    for (const token of tokenize(text, dialect, options)) {
      if (token.kind !== "string") continue;
      const value = literalValue(token, options, dialect);
      const inner = value === undefined ? undefined : lexingSettingIn(value, dialect, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}
