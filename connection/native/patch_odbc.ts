/**
 * Patches and rebuilds the npm:odbc addon (2.6.0) after `deno install`.
 *
 * The addon's cursor close leaves the statement handle allocated when
 * `SQLCloseCursor` fails (a lost connection); the handle is then freed by a
 * garbage-collection finalizer after tdmcp has closed the connection — a
 * double free that crashed the process (SIGSEGV) in the fault-injection
 * tests — and it releases an N-API reference off the JavaScript thread (the
 * V8 "Check failed: node->IsInUse()" abort). The patch frees the handle in
 * the close worker under the driver lock, whether or not the close worked,
 * and leaves the rest to the finalizer on the JavaScript thread.
 *
 * Second, a cursor's fetch is not registered as an active statement, so
 * `connection.cancel()` (SQLCancel) cannot reach it: with the SQLite driver's
 * StepAPI the whole query runs inside the first fetch and could not be
 * cancelled at its timeout. The patch registers the statement for the fetch.
 *
 * Idempotent: a marker file records the patched build. Run by `deno task setup`.
 * @module
 */
import { createRequire } from "node:module";

/** Marks a package folder whose addon was rebuilt with these patches. */
export const MARKER = ".tdmcp-odbc-patches-2";

const ORIGINAL = `    return_code = SQLCloseCursor(data->hstmt);

    if (!SQL_SUCCEEDED(return_code)) {
      this->errors = GetODBCErrors(SQL_HANDLE_STMT, data->hstmt);
      SetError("[odbc] Error closing the cursor!\\0");
      return;
    }

    if (odbcCursor->free_statement_on_close) {
      return_code = odbcCursor->Free();
      if (!SQL_SUCCEEDED(return_code)) {
        this->errors = GetODBCErrors(SQL_HANDLE_STMT, data->hstmt);
        SetError("[odbc] Error closing the Statement\\0");
        return;
      }
    }
    else {
      if (data != NULL) {
        data->deleteColumns();
      }
    }`;

const PATCHED = `    return_code = SQLCloseCursor(data->hstmt);
    // tdmcp patch: free the statement handle even when the close failed (a
    // lost connection) so no finalizer frees it after the connection is gone,
    // and touch no N-API reference here (this runs off the JavaScript thread).
    bool close_failed = !SQL_SUCCEEDED(return_code);
    if (close_failed) {
      this->errors = GetODBCErrors(SQL_HANDLE_STMT, data->hstmt);
    }

    if (odbcCursor->free_statement_on_close) {
      SQLRETURN free_code = SQL_SUCCESS;
      uv_mutex_lock(&ODBC::g_odbcMutex);
      if (data->hstmt != SQL_NULL_HANDLE) {
        free_code = SQLFreeHandle(SQL_HANDLE_STMT, data->hstmt);
        data->hstmt = SQL_NULL_HANDLE;
      }
      uv_mutex_unlock(&ODBC::g_odbcMutex);
      if (!close_failed && !SQL_SUCCEEDED(free_code)) {
        SetError("[odbc] Error closing the Statement\\0");
        return;
      }
    }
    if (close_failed) {
      SetError("[odbc] Error closing the cursor!\\0");
      return;
    }
    if (data != NULL) {
      data->deleteColumns();
    }`;

const FETCH_ORIGINAL = `    return_code = fetch_and_store(data, true, &alloc_error);
`;

const FETCH_PATCHED = `    // tdmcp patch: let connection.cancel() (SQLCancel) reach a running fetch.
    cursor->odbcConnection->RegisterActiveStatement(data->hstmt);
    return_code = fetch_and_store(data, true, &alloc_error);
    cursor->odbcConnection->UnregisterActiveStatement(data->hstmt);
`;

/** Replaces `original` with `patched` once; throws when neither is present (another odbc version). */
function applyOnce(text: string, original: string, patched: string, file: string): string {
  if (text.includes(patched)) return text;
  const at = text.indexOf(original);
  if (at < 0 || text.indexOf(original, at + 1) >= 0) {
    throw new Error(`${file} does not contain the code these patches were written for (odbc 2.6.0); update them`);
  }
  return text.replace(original, patched);
}

function say(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[patch_odbc] ${text}\n`));
}

/** Applies the patch to the installed package and rebuilds the addon; returns what it did. */
export async function patchOdbc(): Promise<"already" | "patched"> {
  const require = createRequire(import.meta.url);
  const root = Deno.realPathSync(require.resolve("odbc/package.json")).slice(0, -"package.json".length);
  const marker = `${root}${MARKER}`;
  const addon = `${root}lib/bindings/napi-v8/odbc.node`;
  try {
    Deno.statSync(marker);
    Deno.statSync(addon);
    return "already";
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const source = `${root}src/odbc_cursor.cpp`;
  let text = Deno.readTextFileSync(source);
  text = applyOnce(text, ORIGINAL, PATCHED, source);
  text = applyOnce(text, FETCH_ORIGINAL, FETCH_PATCHED, source);
  Deno.writeTextFileSync(source, text);
  say(`rebuilding ${root} with the cursor patches (about 15 s)`);
  const build = await new Deno.Command("node-gyp", {
    args: ["rebuild", "--", "-Dnapi_build_version=8", "-Dmodule_name=odbc", "-Dmodule_path=lib/bindings/napi-v8"],
    cwd: root,
    env: { npm_config_nodedir: Deno.env.get("npm_config_nodedir") ?? "/usr" },
    // stdout may be a JSON-RPC channel (`deno task start` runs setup first): build output goes to stderr.
    stdout: "piped",
    stderr: "inherit",
  }).output();
  Deno.stderr.writeSync(build.stdout);
  if (!build.success) {
    throw new Error(`node-gyp rebuild failed (exit ${build.code}); node-gyp, g++ and unixodbc-dev are needed`);
  }
  Deno.writeTextFileSync(marker, "patched\n");
  return "patched";
}

if (import.meta.main) {
  say(`odbc addon: ${await patchOdbc()}`);
}
