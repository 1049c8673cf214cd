/**
 * Reads a cursor up to the row, byte and cell budgets: never more than
 * `maxRows + 1` rows leave the driver, whatever the table's size.
 * @module
 */
import { rowBytes, toCell, toColumns } from "./cells.ts";
import { type OdbcCursor, takeFirstBatch } from "./odbc.ts";
import type { Cell, QueryResult, ResultColumn } from "./types.ts";

/** Budgets of one read. */
export interface ReadBudget {
  maxRows: number;
  maxBytes: number;
  /** Longer text cells are cut to this many characters and marked with "…". */
  maxCellChars: number;
  signal?: AbortSignal;
}

/** Reads rows from an open cursor until a budget or the data ends. */
export async function readCursor(
  cursor: OdbcCursor,
  budget: ReadBudget,
  started: number,
): Promise<QueryResult> {
  const rows: Cell[][] = [];
  let columns: ResultColumn[] = [];
  let bytes = 0;
  let cutCells = false;
  let truncatedBy: QueryResult["truncatedBy"] = null;
  read: while (true) {
    budget.signal?.throwIfAborted();
    const batch = takeFirstBatch(cursor) ?? await cursor.fetch();
    if (batch.columns && columns.length === 0) columns = toColumns(batch.columns);
    for (const raw of batch) {
      if (rows.length >= budget.maxRows) {
        truncatedBy = "rows";
        break read;
      }
      const row = raw.map(toCell);
      for (let i = 0; i < row.length; i++) {
        const cell = row[i];
        if (typeof cell === "string" && cell.length > budget.maxCellChars) {
          row[i] = `${cell.slice(0, budget.maxCellChars)}…`;
          cutCells = true;
        }
      }
      bytes += rowBytes(row);
      if (bytes > budget.maxBytes) {
        truncatedBy = "bytes";
        break read;
      }
      rows.push(row);
    }
    if (cursor.noData || batch.length === 0) break;
  }
  if (truncatedBy === null && cutCells) truncatedBy = "cells";
  return {
    columns,
    rows,
    rowCount: rows.length,
    truncated: truncatedBy !== null,
    truncatedBy,
    elapsedMs: Math.round((performance.now() - started) * 100) / 100,
  };
}
