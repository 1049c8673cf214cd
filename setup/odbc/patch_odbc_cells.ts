/**
 * Patch 7 of the npm:odbc addon (see patch_odbc.ts): cell budgets hold while
 * fetching, and every cut is reported.
 *
 * - Long values (`SQLGetData`) are read in chunks and never past the cell
 *   budget (`maxBoundChars` characters: that many × 4 bytes of UTF-8, × 2 of
 *   UTF-16, half as many bytes of binary); the addon used to grow its buffer
 *   until the whole value was in memory (a 200 MB PostgreSQL `text` took
 *   200 MB here, then as much again as a JavaScript string).
 * - A bound value's length comes from its indicator (`StrLen_or_Ind`), not
 *   `strlen`, so values keep their NUL bytes where the driver reports them;
 *   a binary value longer than its slot used to be copied with the
 *   indicator's length — past the end of the buffer.
 * - A value the driver cut (indicator > buffer) is marked, ends on a whole
 *   character, and where the driver allows `SQLGetData` on bound columns of
 *   the row (`SQL_GD_BOUND` with `SQL_GD_BLOCK` or one-row fetches:
 *   psqlODBC) it is read again, whole or up to the budget. Where it does not
 *   (SQLite), text and binary columns are bound at the full budget, because
 *   their reported size says nothing: SQLite reports 255 characters for every
 *   computed column and cut longer values at 1,020 bytes without a word.
 * - The unbound `SQL_LONGVARBINARY` path allocated one row of buffer for a
 *   whole rowset; it now allocates every row's.
 * - A statement whose binding stopped early (a backend killed mid-query)
 *   frees its columns without touching ones never made: `deleteColumns`
 *   crashed there (SIGSEGV) in the fault-injection test.
 * - Each batch carries `cutCells` (row × columns + column) when any value in
 *   it is shorter than the database's, and `largestCutBytes`: the largest of
 *   their database values, in bytes as the driver reported it (0 when it did
 *   not say) — what the driver may have held for them.
 *
 * Not fixable here: the SQLite driver itself stops text at a NUL byte (its
 * indicator says 1 for `'a' || char(0) || 'b'`); psqlODBC receives whole
 * rows through libpq, so a huge value still passes through the driver's
 * memory before the addon sees it.
 * @module
 */
import type { Patch } from "./patch_files.ts";

/** `ColumnData.cut`: the value is shorter than the database's. */
export const CELL_CUT_FLAG: Patch = {
  original: `  SQLLEN size;

  ~ColumnData() {`,
  patched: `  SQLLEN size;
  // tdmcp patch 7: the value is shorter than the database's, whose length
  // in bytes the driver reported as full_size (0 when it did not say).
  bool cut;
  SQLLEN full_size;

  ~ColumnData() {`,
};

/**
 * Freeing a statement's columns survives a `bind_buffers` that stopped
 * early (a backend killed mid-query: `SQLDescribeCol` failed): a column
 * belongs to the statement as soon as it is made, and columns never made are
 * skipped. Since patch 5 frees failed cursor queries, the fault-injection
 * test crashed here (SIGSEGV in `deleteColumns`, 1 run in 2 under load).
 */
export const COLUMNS_FREED: Patch = {
  original: `    for (int i = 0; i < this->column_count; i++) {
      switch (this->columns[i]->bind_type) {`,
  patched: `    // tdmcp patch 7: bind_buffers may stop before every column was made.
    for (int i = 0; this->columns != NULL && i < this->column_count; i++) {
      if (this->columns[i] == NULL) {
        if (this->bound_columns != NULL) {
          delete[] this->bound_columns[i].length_or_indicator_array;
        }
        continue;
      }
      switch (this->columns[i]->bind_type) {`,
};

/** A column belongs to its statement as soon as it is made (see COLUMNS_FREED). */
export const COLUMN_OWNED: Patch = {
  original: `    Column* column = new Column();
`,
  patched: `    Column* column = new Column();
    data->columns[i] = column; // tdmcp patch 7: freed with the statement even if binding stops
`,
};

/** The helpers, ahead of `prepare_for_fetch` in odbc_connection.cpp. */
export const CELL_HELPERS: Patch = {
  original: `SQLRETURN
prepare_for_fetch(StatementData* data) {
`,
  patched: `// tdmcp patch 7: cell budgets while fetching (setup/odbc/patch_odbc_cells.ts).

// Whether SQLGetData can read a bound column of the row being copied.
static bool tdmcp_can_read_again(StatementData* data, bool set_position) {
  return data->get_data_supports.bound &&
         (data->fetch_size == 1 || data->simple_binding ||
          (set_position && data->get_data_supports.block));
}

static bool tdmcp_is_text(SQLSMALLINT type) {
  return type == SQL_CHAR || type == SQL_VARCHAR || type == SQL_LONGVARCHAR ||
         type == SQL_WCHAR || type == SQL_WVARCHAR || type == SQL_WLONGVARCHAR;
}

// Characters a column is bound with: its size capped at .maxBoundChars; a
// text column gets the whole budget when a cut value cannot be read again.
static SQLULEN tdmcp_bound_chars(StatementData* data, SQLSMALLINT type, SQLULEN size) {
  SQLULEN limit = data->query_options.max_bound_chars;
  if (limit == 0) return size;
  if (size > limit) return limit;
  if (tdmcp_is_text(type) && !tdmcp_can_read_again(data, true)) return limit;
  return size;
}

// Bytes a binary column is bound with: enough for the budget in hex.
static SQLULEN tdmcp_bound_bytes(StatementData* data, SQLULEN size) {
  SQLULEN limit = data->query_options.max_bound_chars;
  if (limit == 0) return size;
  limit = limit / 2 + 2;
  if (size > limit || !tdmcp_can_read_again(data, true)) return limit;
  return size;
}

// The most bytes of one value held in memory (the cell budget).
static SQLLEN tdmcp_cap_bytes(StatementData* data, SQLSMALLINT c_type) {
  SQLLEN chars = (SQLLEN)data->query_options.max_bound_chars;
  if (chars == 0) return (SQLLEN)1 << 60;
  if (c_type == SQL_C_WCHAR) return chars * (SQLLEN)sizeof(SQLWCHAR);
  if (c_type == SQL_C_BINARY) return chars / 2 + 2;
  return chars * MAX_UTF8_BYTES;
}

static SQLLEN tdmcp_unit(SQLSMALLINT c_type) {
  return c_type == SQL_C_WCHAR ? (SQLLEN)sizeof(SQLWCHAR) : c_type == SQL_C_BINARY ? 0 : 1;
}

// Length up to the first terminator within max bytes.
static SQLLEN tdmcp_terminated(const SQLCHAR* start, SQLLEN max, SQLLEN unit) {
  if (unit == 0) return max;
  if (unit == 1) {
    const void* nul = memchr(start, 0, (size_t)max);
    return nul ? (const SQLCHAR*)nul - start : max;
  }
  const SQLWCHAR* text = (const SQLWCHAR*)start;
  SQLLEN units = max / unit;
  for (SQLLEN k = 0; k < units; k++) {
    if (text[k] == 0) return k * unit;
  }
  return units * unit;
}

// A cut value ends on a whole character: no half UTF-8 sequence or surrogate pair.
static SQLLEN tdmcp_whole_chars(const SQLCHAR* start, SQLLEN length, SQLSMALLINT c_type) {
  if (c_type == SQL_C_BINARY) return length;
  if (c_type == SQL_C_WCHAR) {
    length -= length % (SQLLEN)sizeof(SQLWCHAR);
    if (length == 0) return 0;
    SQLWCHAR last = ((const SQLWCHAR*)start)[length / sizeof(SQLWCHAR) - 1];
    return last >= 0xD800 && last <= 0xDBFF ? length - (SQLLEN)sizeof(SQLWCHAR) : length;
  }
  SQLLEN at = length;
  int continuation = 0;
  while (at > 0 && continuation < 3 && (start[at - 1] & 0xC0) == 0x80) {
    at--;
    continuation++;
  }
  if (at == 0) return length;
  SQLCHAR lead = start[at - 1];
  int needed = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  return needed > continuation ? at - 1 : length;
}

static void tdmcp_set_data(ColumnData* cell, SQLCHAR* buffer) {
  if (cell->bind_type == SQL_C_WCHAR) {
    cell->wchar_data = (SQLWCHAR*)buffer;
  }
  else {
    cell->char_data = buffer;
  }
}

// Reads a value with SQLGetData in chunks, never holding more than the cell
// budget: the rest stays with the driver and the value is marked cut.
// expected: the value's length when the driver said it (a cut bound value), else 0.
static SQLRETURN tdmcp_get_data(
  StatementData* data, int column_index, SQLLEN expected, ColumnData* cell, bool* alloc_error
) {
  SQLSMALLINT c_type = data->columns[column_index]->bind_type;
  SQLLEN unit = tdmcp_unit(c_type);
  SQLLEN cap = tdmcp_cap_bytes(data, c_type);
  SQLLEN allocated = expected > 0 ? expected + unit : data->query_options.initial_long_data_buffer_size;
  if (allocated > cap + unit) allocated = cap + unit;
  if (allocated < 64) allocated = 64;
  allocated += allocated % 2;
  SQLCHAR* buffer = (SQLCHAR*)malloc(allocated);
  if (buffer == NULL) {
    *alloc_error = true;
    return SQL_ERROR;
  }
  cell->use_free = true;
  tdmcp_set_data(cell, buffer);
  SQLLEN size = 0;
  bool cut = false;
  while (true) {
    SQLLEN free_space = allocated - size;
    SQLLEN indicator = 0;
    SQLRETURN return_code = SQLGetData(
      data->hstmt, column_index + 1, c_type, buffer + size, free_space, &indicator
    );
    if (return_code == SQL_NO_DATA) break;
    if (!SQL_SUCCEEDED(return_code)) return return_code;
    if (indicator == SQL_NULL_DATA) {
      cell->size = SQL_NULL_DATA;
      return SQL_SUCCESS;
    }
    SQLLEN room = free_space - unit;
    bool more = indicator == SQL_NO_TOTAL || indicator > room;
    if (size == 0 && indicator >= 0) cell->full_size = indicator;
    // A driver may stop short of a split character: take what it terminated.
    size += more ? tdmcp_terminated(buffer + size, room, unit) : indicator;
    if (!more) break;
    if (size >= cap) {
      cut = true;
      break;
    }
    SQLLEN wanted = indicator == SQL_NO_TOTAL ? allocated * 2 : size + indicator + unit;
    if (wanted > cap + unit) wanted = cap + unit;
    if (wanted < size + unit + 2) wanted = size + unit + 2;
    wanted += wanted % 2;
    SQLCHAR* grown = (SQLCHAR*)realloc(buffer, wanted);
    if (grown == NULL) {
      *alloc_error = true;
      return SQL_ERROR;
    }
    buffer = grown;
    allocated = wanted;
    tdmcp_set_data(cell, buffer);
  }
  if (cut) size = tdmcp_whole_chars(buffer, size, c_type);
  if (unit > 0) memset(buffer + size, 0, unit);
  cell->size = size;
  cell->cut = cut;
  return SQL_SUCCESS;
}

// Copies a bound value by its indicator; a value the driver cut is marked,
// and read again (whole or up to the budget) where the driver allows it.
static SQLRETURN tdmcp_copy_bound(
  StatementData* data, size_t row_index, int column_index, bool set_position,
  ColumnData* cell, bool* alloc_error
) {
  Column* column = data->columns[column_index];
  SQLSMALLINT c_type = column->bind_type;
  SQLLEN unit = tdmcp_unit(c_type);
  SQLLEN indicator =
    data->bound_columns[column_index].length_or_indicator_array[row_index];
  SQLCHAR* start = (SQLCHAR*)data->bound_columns[column_index].buffer +
                   row_index * column->buffer_size;
  SQLLEN capacity = (SQLLEN)column->buffer_size - unit;
  bool cut = indicator == SQL_NO_TOTAL || indicator > capacity;
  if (cut && data->query_options.max_bound_chars > 0 &&
      capacity < tdmcp_cap_bytes(data, c_type) &&
      tdmcp_can_read_again(data, set_position)) {
    ColumnData fresh = ColumnData();
    fresh.bind_type = c_type;
    SQLRETURN return_code = tdmcp_get_data(data, column_index, indicator, &fresh, alloc_error);
    if (*alloc_error) return SQL_ERROR;
    if (SQL_SUCCEEDED(return_code) && fresh.size != SQL_NULL_DATA &&
        fresh.size >= capacity - 3 * unit) {
      *cell = fresh;
      fresh.char_data = NULL; // the cell owns the buffer now
      return SQL_SUCCESS;
    }
  }
  SQLLEN length = cut ? capacity : indicator;
  if (unit > 0 && (cut || indicator < 0 || indicator % unit != 0 ||
                   tdmcp_terminated(start + indicator, unit, unit) != 0)) {
    // Cut, or an indicator that does not match the data: stop at the terminator.
    length = tdmcp_terminated(start, capacity, unit);
  }
  if (length < 0) length = 0;
  if (cut) length = tdmcp_whole_chars(start, length, c_type);
  cell->size = length;
  cell->cut = cut;
  cell->full_size = cut && indicator > 0 ? indicator : 0;
  if (c_type == SQL_C_WCHAR) {
    cell->wchar_data = new SQLWCHAR[length / sizeof(SQLWCHAR) + 1]();
    memcpy(cell->wchar_data, start, length);
  }
  else {
    cell->char_data = new SQLCHAR[length + 1]();
    memcpy(cell->char_data, start, length);
  }
  return SQL_SUCCESS;
}

// Fetches up to .rows_per_fetch one-row rowsets in one call (see CELL_ONE_ROW), or one rowset.
SQLRETURN tdmcp_fetch_rows(StatementData* data, bool set_position, bool* alloc_error) {
  SQLRETURN return_code = fetch_and_store(data, set_position, alloc_error);
  for (SQLULEN k = 1; k < data->query_options.rows_per_fetch && SQL_SUCCEEDED(return_code) &&
                      !*alloc_error && !data->result_set_end_reached;
       k++) {
    return_code = fetch_and_store(data, set_position, alloc_error);
  }
  return return_code;
}

SQLRETURN
prepare_for_fetch(StatementData* data) {
`,
};

/**
 * A driver that cannot read a bound value again inside a block (no
 * `SQL_GD_BLOCK`, but `SQL_GD_BOUND`: SQLite) fetches one-row rowsets, as
 * many per call as the fetch size asked for, so that a value cut at its
 * reported width can be read again with `SQLGetData`. Binding every text
 * column at the full budget instead cost 2 to 5 times as long on SQLite
 * (1,000 rows of `orders`: 2.9 → 13.4 ms).
 */
export const CELL_ONE_ROW: Patch = {
  original: `  // tdmcp patch: .maxBoundBytes caps the bound buffers of one fetch: wide
`,
  patched: `  // tdmcp patch 7: one-row rowsets, many per call, where a cut value can be read
  // again only on the current row (SQL_GD_BOUND without SQL_GD_BLOCK: SQLite).
  if (data->query_options.max_bound_chars > 0 && !data->simple_binding &&
      data->fetch_size > 1 && !data->get_data_supports.block &&
      data->get_data_supports.bound &&
      SQL_SUCCEEDED(SQLSetStmtAttr(
        data->hstmt, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)1, 0
      ))) {
    data->query_options.rows_per_fetch = data->fetch_size;
    data->fetch_size = 1;
  }

  // tdmcp patch: .maxBoundBytes caps the bound buffers of one fetch: wide
`,
};

/** Declares `tdmcp_fetch_rows` for the cursor's fetch (odbc_cursor.cpp). */
export const CELL_FETCH_ROWS: Patch = {
  original: `SQLRETURN
fetch_all_and_store(StatementData* data, bool set_position, bool* alloc_error);
`,
  patched: `SQLRETURN
fetch_all_and_store(StatementData* data, bool set_position, bool* alloc_error);
// tdmcp patch 7: see odbc_connection.cpp
SQLRETURN
tdmcp_fetch_rows(StatementData* data, bool set_position, bool* alloc_error);
`,
};

/** Which cells of a batch are cut: `cutCells` on the rows array. */
export const CELL_LIST_START: Patch = {
  original: `  // iterate over all of the stored rows,
  for (size_t i = 0; i < data->storedRows.size(); i++) {
`,
  patched: `  // tdmcp patch 7: cells shorter than the database's (row * columns + column),
  // and the largest of their database values in bytes, as the driver reported it.
  std::vector<double> cut_cells;
  SQLLEN largest_cut = 0;

  // iterate over all of the stored rows,
  for (size_t i = 0; i < data->storedRows.size(); i++) {
`,
};

/** Records each cut cell as the rows are turned into JavaScript values. */
export const CELL_LIST_ADD: Patch = {
  original: `      // TODO: here
      if (data->fetch_array == true) {
`,
  patched: `      if (storedRow[j].cut) {
        cut_cells.push_back((double)(i * columnCount + j));
        if (storedRow[j].full_size > largest_cut) largest_cut = storedRow[j].full_size;
      }
      // TODO: here
      if (data->fetch_array == true) {
`,
};

/** Hands the list of cut cells to JavaScript. */
export const CELL_LIST_SET: Patch = {
  original: `    rows.Set(i, row);
  }

  // Have to clear out the data in the storedRow, so that they aren't
`,
  patched: `    rows.Set(i, row);
  }
  if (!cut_cells.empty()) {
    Napi::Array cut = Napi::Array::New(env, cut_cells.size());
    for (size_t k = 0; k < cut_cells.size(); k++) {
      cut.Set(k, Napi::Number::New(env, cut_cells[k]));
    }
    rows.Set("cutCells", cut);
    rows.Set("largestCutBytes", Napi::Number::New(env, (double)largest_cut));
  }

  // Have to clear out the data in the storedRow, so that they aren't
`,
};

const LONG_START = `            if (data->columns[column_index]->is_long_data) {
`;
const LONG_END = `            // Columns that were bound with SQLBinCol, because they did not`;
const LONG_PATCHED = `            if (data->columns[column_index]->is_long_data) {
              // tdmcp patch 7: SQLGetData in chunks, never past the cell budget.
              return_code = tdmcp_get_data(data, column_index, 0, &row[column_index], alloc_error);
              if (!SQL_SUCCEEDED(return_code)) {
                delete[] row;
                return return_code;
              }
            }
`;

const BOUND_START = `
                case SQL_C_BINARY: {
                  row[column_index].size =`;
const BOUND_END = `                  // TODO: Unhandled C types:`;
const BOUND_PATCHED = `
                case SQL_C_BINARY:
                case SQL_C_WCHAR:
                case SQL_C_CHAR:
                default: {
                  // tdmcp patch 7: lengths from the indicator; cut values marked (and read again where possible).
                  return_code = tdmcp_copy_bound(
                    data, row_index, column_index, set_position, &row[column_index], alloc_error
                  );
                  if (!SQL_SUCCEEDED(return_code)) {
                    delete[] row;
                    return return_code;
                  }
                  break;
                }

`;

/**
 * Buffer sizes in `bind_buffers` (applied inside its region, see
 * capBoundWidths): binary columns get the budget's width; long columns of
 * one-row rowsets stay bound (at the budget), because SQLGetData for every
 * SQLite TEXT value took 6 times as long (1,000 rows: 5.7 → 37 ms).
 */
export const BINARY_WIDTHS: readonly [string, string][] = [
  [
    `      if (data->fetch_size == 1 || data->get_data_supports.block) {`,
    `      if ((data->fetch_size == 1 && data->query_options.rows_per_fetch == 0) ||
          data->get_data_supports.block) {`,
  ],
  [
    `        column->buffer_size = (column->ColumnSize) * sizeof(SQLCHAR);
        data->bound_columns[i].buffer = new SQLCHAR[column->buffer_size]();`,
    `        column->buffer_size = tdmcp_bound_bytes(data, column->ColumnSize);
        data->bound_columns[i].buffer =
          new SQLCHAR[column->buffer_size * data->fetch_size];`,
  ],
  [
    `      column->buffer_size = column->ColumnSize;
      data->bound_columns[i].buffer =
        new SQLCHAR[column->buffer_size * data->fetch_size]();`,
    `      column->buffer_size = tdmcp_bound_bytes(data, column->ColumnSize);
      data->bound_columns[i].buffer =
        new SQLCHAR[column->buffer_size * data->fetch_size];`,
  ],
];

/** Replaces the one region of `text` from `start` up to `end` (exclusive); throws when either is missing or repeated. */
export function replaceRegion(text: string, start: string, end: string, replacement: string, file: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0 || text.indexOf(start, from + 1) >= 0) {
    throw new Error(`${file} does not contain the fetch code these patches were written for (odbc 2.6.0)`);
  }
  return text.slice(0, from) + replacement + text.slice(to);
}

/** Patch 7 in `fetch_and_store`: the long-data loop and the bound-text copies. */
export function budgetFetches(text: string, file: string): string {
  if (text.includes("tdmcp patch 7: SQLGetData in chunks")) return text;
  const long = replaceRegion(text, LONG_START, LONG_END, LONG_PATCHED, file);
  return replaceRegion(long, BOUND_START, BOUND_END, BOUND_PATCHED, file);
}
