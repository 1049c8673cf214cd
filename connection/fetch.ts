/**
 * Reads a cursor up to the row, byte and cell budgets: never more than
 * `maxRows + 1` rows leave the driver, whatever the table's size, and no
 * value longer than the cell budget (the addon cuts long values while
 * fetching and says which ones it cut).
 * @module
 */
import {
  type ColumnReader,
  columnReaders,
  type Convert,
  cutCell,
  MISFIT,
  rowJsonBytes,
  rowJsonBytesBound,
  toCell,
  toText,
} from "./cells.ts";
import {
  type ColumnTexts,
  type OdbcBatch,
  type OdbcColumn,
  type OdbcCursor,
  parseColumnsText,
  takeFirstBatch,
} from "./odbc.ts";
import type { Cell, QueryResult } from "./types.ts";

/** Budgets of one read. */
export interface ReadBudget {
  maxRows: number;
  /** The rows, serialized as a JSON array (UTF-8, escapes included), take at most this many bytes. */
  maxBytes: number;
  /** Longer text cells are cut to this many characters and marked with "…". */
  maxCellChars: number;
  signal?: AbortSignal;
  /**
   * Called once after a read in which the driver or the addon cut values,
   * with the largest such database value in bytes (0 when the driver did not
   * say): a driver that receives whole rows (psqlODBC) may still hold that
   * much, so a caller may discard the connection.
   */
  onCutValues?: (largestBytes: number) => void;
  /**
   * The statement's own columns when what runs is a rewriting of it (`cut_postgres.ts`, `dialects/sqlite_storage.ts`):
   * the result's columns and its values' converters come from them, not from the rewriting's description.
   */
  columns?: readonly OdbcColumn[];
  /** With `columns`: the rewriting marks the storage class of SQLite's untyped columns (`storageClassSql`). */
  storage?: boolean;
  /** Reads the batches' `columnsText` (the cursor was opened with `columnsText`), remembering each description read. */
  columnTexts?: ColumnTexts;
  /** Remembers the column readers of each description (not used for storage-class readers, which learn from values). */
  readers?: ReaderCache;
}

/**
 * The column readers of each description, built once: a description object handed out again (by `ColumnTexts`, or a
 * plan's remembered shape) gets readers built from it before, keyed by that very object (held weakly), so no other
 * description can share them. Readers are immutable; {@link readCursor} copies the result columns it returns.
 */
export class ReaderCache {
  readonly #known = new WeakMap<readonly OdbcColumn[], readonly ColumnReader[]>();

  /** Readers of `columns`, in a new array the caller may change. */
  of(columns: readonly OdbcColumn[]): ColumnReader[] {
    let readers = this.#known.get(columns);
    if (readers === undefined) {
      readers = Object.freeze(columnReaders(columns));
      this.#known.set(columns, readers);
    }
    return [...readers];
  }
}

/** Reads rows from an open cursor until a budget or the data ends. */
export async function readCursor(
  cursor: OdbcCursor,
  budget: ReadBudget,
  started: number,
): Promise<QueryResult> {
  const rows: Cell[][] = [];
  // One reader per column, chosen once per result.
  let readers: ColumnReader[] | null = null;
  let converts: Convert[] = [];
  // An upper bound of the rows' JSON size, until it nears the budget; from then on, the exact size.
  let bound = 2;
  let exact: number | null = null;
  let cutCells = false;
  let driverCut = -1;
  let truncatedBy: QueryResult["truncatedBy"] = null;
  read: while (true) {
    budget.signal?.throwIfAborted();
    const batch = takeFirstBatch(cursor) ?? await cursor.fetch();
    if (readers === null) {
      const described = budget.columns ?? describedColumns(batch, budget.columnTexts);
      if (described) {
        const storage = budget.columns !== undefined && budget.storage === true;
        readers = !storage && budget.readers ? budget.readers.of(described) : columnReaders(described, storage);
        converts = readers.map((reader) => reader.convert);
      }
    }
    const cut = cutPositions(batch);
    if (cut) driverCut = Math.max(driverCut, batch.largestCutBytes ?? 0);
    for (let r = 0; r < batch.length; r++) {
      if (rows.length >= budget.maxRows) {
        truncatedBy = "rows";
        break read;
      }
      const raw = batch[r];
      const row: Cell[] = [];
      for (let i = 0; i < raw.length; i++) {
        let cell = i < converts.length ? converts[i](raw[i]) : toCell(raw[i]);
        if (cell === MISFIT) {
          // A value the column's JSON form cannot hold exactly: the whole column becomes text.
          readers![i] = readers![i].asText();
          converts[i] = readers![i].convert;
          for (const earlier of rows) earlier[i] = toText(earlier[i]);
          if (exact !== null) exact = arrayJsonBytes(rows);
          else bound = 2 + rows.reduce((total, earlier) => total + rowJsonBytesBound(earlier) + 1, 0);
          cell = converts[i](raw[i]) as Cell;
        }
        row.push(cell);
        if (typeof cell !== "string") continue;
        if (cell.length > budget.maxCellChars || cut?.has(r * raw.length + i)) {
          row[i] = cutCell(cell, budget.maxCellChars);
          cutCells = true;
        }
      }
      const comma = rows.length > 0 ? 1 : 0;
      if (exact === null) {
        bound += rowJsonBytesBound(row) + comma;
        if (bound > budget.maxBytes) exact = arrayJsonBytes(rows);
      }
      if (exact !== null) {
        exact += rowJsonBytes(row) + comma;
        if (exact > budget.maxBytes) {
          truncatedBy = "bytes";
          break read;
        }
      }
      rows.push(row);
    }
    if (cursor.noData || batch.length === 0) break;
  }
  if (driverCut >= 0) budget.onCutValues?.(driverCut);
  if (truncatedBy === null && cutCells) truncatedBy = "cells";
  return {
    // Copies: a remembered reader's column object is shared by every result of its description.
    columns: readers?.map((reader) => ({ ...reader.column })) ?? [],
    rows,
    rowCount: rows.length,
    truncated: truncatedBy !== null,
    truncatedBy,
    elapsedMs: Math.round((performance.now() - started) * 100) / 100,
  };
}

/** A batch's own columns: its `columns`, or those its `columnsText` describes. */
function describedColumns(batch: OdbcBatch, texts: ColumnTexts | undefined): readonly OdbcColumn[] | undefined {
  if (texts) return texts.of(batch);
  return batch.columns ?? (batch.columnsText === undefined ? undefined : parseColumnsText(batch.columnsText));
}

/** The cells the addon cut in a batch (`row * columns + column`), or undefined when none. */
function cutPositions(batch: OdbcBatch): Set<number> | undefined {
  return batch.cutCells && batch.cutCells.length > 0 ? new Set(batch.cutCells) : undefined;
}

/** Exact UTF-8 bytes of rows serialized as a JSON array. */
function arrayJsonBytes(rows: readonly Cell[][]): number {
  let total = 2 + Math.max(0, rows.length - 1);
  for (const row of rows) total += rowJsonBytes(row);
  return total;
}
