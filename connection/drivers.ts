/**
 * Which Teradata ODBC driver is installed: the highest "Teradata Database ODBC Driver N.NN" registered with
 * unixODBC, read from the same odbcinst.ini files the driver manager reads (no `odbcinst` process, so the server
 * needs no `--allow-run`; only `--allow-read` on those files). An explicit `ODBC_DRIVER` always wins.
 *
 * unixODBC (DriverManager/SQLDrivers.c, odbcinst/_SQLGetInstalledDrivers.c, _odbcinst_SystemINI.c) lists as
 * drivers the sections of `$ODBCSYSINI/$ODBCINSTINI` (defaults: its build's system directory, `/etc` on Debian,
 * and `odbcinst.ini`) followed by `$HOME/.odbcinst.ini`, all but a section named `ODBC`; lines starting with `#` or
 * `;` are comments, and a section name is what stands between `[` and `]`, trimmed.
 * @module
 */
import { TERADATA_DEFAULT_DRIVER } from "./dialects/teradata.ts";

/** The environment variables unixODBC reads to find odbcinst.ini (`main.ts` passes them in). */
export interface OdbcinstEnv {
  ODBCSYSINI?: string;
  ODBCINSTINI?: string;
  HOME?: string;
}

/** System directories unixODBC is commonly built with: Debian/Red Hat, Homebrew on Intel, Homebrew on Apple silicon. */
export const SYSTEM_INI_DIRS: readonly string[] = ["/etc", "/usr/local/etc", "/opt/homebrew/etc"];

/** What the search found, for the start-up log. */
export interface TeradataDriverSearch {
  /** The driver name to use, or null when none is registered in a file the server could read. */
  driver: string | null;
  /** The files read. */
  read: string[];
  /** Files the server could not read: its `--allow-read` does not cover them, or file permissions. */
  notAllowed: string[];
  /** Registered names that mention Teradata but are not "Teradata Database ODBC Driver N.NN". */
  others: string[];
}

const TERADATA_DRIVER = /^Teradata Database ODBC Driver (\d+)\.(\d+)$/i;

/**
 * The odbcinst.ini files unixODBC would read, in its order: the system file (`$ODBCSYSINI/$ODBCINSTINI`, else
 * `odbcinst.ini` in each of {@link SYSTEM_INI_DIRS}: the first that exists is the one) and the user's.
 */
export function odbcinstFiles(env: OdbcinstEnv): { system: string[]; user: string | null } {
  const name = env.ODBCINSTINI || "odbcinst.ini";
  const dirs = env.ODBCSYSINI ? [env.ODBCSYSINI] : SYSTEM_INI_DIRS;
  return {
    system: dirs.map((dir) => `${dir.replace(/\/+$/, "")}/${name}`),
    user: env.HOME ? `${env.HOME.replace(/\/+$/, "")}/.odbcinst.ini` : null,
  };
}

/** The driver names an odbcinst.ini registers (its section names, as unixODBC reads them, but `ODBC`). */
export function parseOdbcinst(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trimStart();
    if (!trimmed.startsWith("[")) continue;
    const end = trimmed.indexOf("]");
    const name = (end < 0 ? trimmed.slice(1) : trimmed.slice(1, end)).trim();
    if (name.toUpperCase() !== "ODBC") names.push(name);
  }
  return names;
}

/** The highest "Teradata Database ODBC Driver N.NN" among `names` (versions compared as numbers), or null. */
export function pickTeradataDriver(names: readonly string[]): string | null {
  let best: { name: string; major: number; minor: number } | null = null;
  for (const name of names) {
    const m = TERADATA_DRIVER.exec(name);
    if (!m) continue;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    if (!best || major > best.major || (major === best.major && minor > best.minor)) best = { name, major, minor };
  }
  return best?.name ?? null;
}

/**
 * The driver for a URI: `configured` (ODBC_DRIVER) when given; for `teradata://` the highest registered
 * "Teradata Database ODBC Driver N.NN", logged (a warning when none is found: the URI layer's fallback name then
 * stands); nothing for other URIs.
 */
export async function chooseOdbcDriver(
  uri: string,
  configured: string | undefined,
  env: OdbcinstEnv,
  log: (level: "info" | "warning", message: string) => void,
): Promise<string | undefined> {
  if (configured || !/^\s*teradata:/i.test(uri)) return configured;
  const search = await findTeradataDriver(env);
  log(search.driver ? "info" : "warning", describeSearch(search, TERADATA_DEFAULT_DRIVER));
  return search.driver ?? undefined;
}

/** Reads a file, or says why not: absent, or not readable (the server's `--allow-read`, or file permissions). */
async function readIfAllowed(path: string): Promise<string | "absent" | "not allowed"> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "absent";
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) return "not allowed";
    throw error;
  }
}

/**
 * Finds the installed Teradata ODBC driver the way unixODBC lists drivers.
 *
 * @example
 * ```ts
 * const found = await findTeradataDriver({ ODBCSYSINI: Deno.env.get("ODBCSYSINI") });
 * found.driver; // "Teradata Database ODBC Driver 20.00", or null
 * ```
 */
export async function findTeradataDriver(env: OdbcinstEnv): Promise<TeradataDriverSearch> {
  const files = odbcinstFiles(env);
  const search: TeradataDriverSearch = { driver: null, read: [], notAllowed: [], others: [] };
  const names: string[] = [];
  const take = async (path: string): Promise<boolean> => {
    const text = await readIfAllowed(path);
    if (text === "absent") return false;
    if (text === "not allowed") search.notAllowed.push(path);
    else (search.read.push(path), names.push(...parseOdbcinst(text)));
    return true;
  };
  for (const path of files.system) if (await take(path)) break;
  if (files.user) await take(files.user);
  search.driver = pickTeradataDriver(names);
  search.others = names.filter((n) => /teradata/i.test(n) && !TERADATA_DRIVER.test(n));
  return search;
}

/** One start-up log line for a search, saying what to do when nothing was found. */
export function describeSearch(search: TeradataDriverSearch, fallback: string): string {
  if (search.driver) return `Teradata ODBC driver: "${search.driver}" (registered in ${search.read.join(", ")})`;
  const where = search.read.length > 0 ? `in ${search.read.join(", ")}` : "in any odbcinst.ini the server could read";
  const blocked = search.notAllowed.length > 0
    ? `; not readable (add to --allow-read, or check file permissions): ${search.notAllowed.join(", ")}`
    : "";
  const others = search.others.length > 0 ? `; other Teradata entries: ${search.others.join(", ")}` : "";
  return `No "Teradata Database ODBC Driver N.NN" is registered ${where}${blocked}${others}; trying "${fallback}". ` +
    `Register the driver (README, "Teradata") or name it with ODBC_DRIVER.`;
}
