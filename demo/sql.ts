// The integer hash and the dialect-specific SQL pieces the demo generator
// is built from. Every formula has a TypeScript twin so facts can be
// computed without a database.

import type { DemoDialect } from "./schema.ts";

/** Modulus of the demo hash: a prime above every row key hashed. */
export const HASH_MOD = 1000003;

/** Pseudo-random integer in [0, HASH_MOD) for row key `x` (≥ 0) and stream `s`. */
export function hash(x: number, s: number): number {
  const y = (x * (7919 + 64 * s) + 104729 * s + 12345) % HASH_MOD;
  return (31 * y * y + y + s) % HASH_MOD;
}

/** SQL twin of `hash()` for an integer expression (64-bit on postgres). */
export function hashSql(x: string, s: number): string {
  const y = `((${x} * ${7919 + 64 * s} + ${104729 * s + 12345}) % ${HASH_MOD})`;
  return `((31 * ${y} * ${y} + ${y} + ${s}) % ${HASH_MOD})`;
}

/** Integer division as SQL does it on non-negative integers. */
export function div(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** A SQL string literal. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** SQL twin of `list[index]`: a CASE over an integer expression. */
export function pickSql(
  index: string,
  list: readonly (string | number)[],
): string {
  const arms = list.map((v, k) => `WHEN ${k} THEN ${typeof v === "number" ? v : quote(v)}`);
  return `CASE ${index} ${arms.join(" ")} END`;
}

/** An integer expression as text, for concatenation. */
export function textSql(expr: string): string {
  return `CAST(${expr} AS TEXT)`;
}

/** SQL twin of a money amount: integer cents to a 2-decimal number. */
export function moneySql(centsExpr: string): string {
  return `ROUND(${centsExpr} / 100.0, 2)`;
}

/** A FROM source of 64-bit integers `i` from 1 to `n`, as CTE prefix and source. */
export function seriesSql(
  dialect: DemoDialect,
  n: number,
): { with: string; from: string } {
  if (dialect === "postgres") {
    return {
      with: "",
      from: `generate_series(CAST(1 AS BIGINT), ${n}) AS n(i)`,
    };
  }
  return {
    with: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) `,
    from: "n",
  };
}

/** A DATE `days` after the ISO date `base` (ISO text on sqlite). */
export function dateSql(
  dialect: DemoDialect,
  base: string,
  days: string,
): string {
  if (dialect === "postgres") {
    return `(DATE '${base}' + CAST(${days} AS INTEGER))`;
  }
  return `date('${base}', '+' || (${days}) || ' days')`;
}

/** A TIMESTAMP `days` and `seconds` after midnight of `base` (ISO text on sqlite). */
export function timestampSql(
  dialect: DemoDialect,
  base: string,
  days: string,
  seconds: string,
): string {
  if (dialect === "postgres") {
    return `(TIMESTAMP '${base} 00:00:00' + CAST(${days} AS INTEGER) * INTERVAL '1 day'` +
      ` + CAST(${seconds} AS INTEGER) * INTERVAL '1 second')`;
  }
  return `datetime('${base}', '+' || (${days}) || ' days', '+' || (${seconds}) || ' seconds')`;
}

/** The ISO date `days` after the ISO date `base`, computed in TypeScript. */
export function addDays(base: string, days: number): string {
  const ms = Date.parse(`${base}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
