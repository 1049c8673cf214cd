// The test runner behind `deno task test`: starts a throwaway PostgreSQL
// cluster (unless TDMCP_TEST_PG_URI is already set), runs `deno test` with
// the given arguments (default: tests/), always removes the cluster, and ends
// with one line `tests: N passed, N failed[, N skipped]`. Built-ins only.
import { pgAdmin, pgStart, pgStop } from "./_pg.ts";

const enc = new TextEncoder();

function writeAll(
  w: { writeSync(p: Uint8Array): number },
  bytes: Uint8Array,
): void {
  let off = 0;
  while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
}

function say(msg: string): void {
  writeAll(Deno.stderr, enc.encode(`[tests] ${msg}\n`));
}

/** Counts from deno test's summary line (`ok | 2 passed | 0 failed | 1 ignored (3s)`). */
export interface Summary {
  passed: number;
  failed: number;
  ignored: number;
  filtered: number;
}

/** Parses the last summary line in deno test's output (colours allowed); undefined when there is none. */
export function parseSummary(output: string): Summary | undefined {
  // deno-lint-ignore no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const parts = lines[i].trim().split(" | ");
    if (parts.length < 3 || (parts[0] !== "ok" && parts[0] !== "FAILED")) {
      continue;
    }
    const s: Summary = { passed: 0, failed: 0, ignored: 0, filtered: 0 };
    let seen = 0;
    for (const part of parts.slice(1)) {
      const m = /^(\d+) (passed|failed|ignored|filtered out)\b/.exec(part);
      if (!m) continue;
      seen++;
      const key = m[2] === "filtered out" ? "filtered" : m[2] as keyof Summary;
      s[key] = Number(m[1]);
    }
    if (seen >= 2) return s;
  }
  return undefined;
}

interface State {
  dir?: string;
  pwfile?: string;
  child?: Deno.ChildProcess;
}

interface Cluster {
  dir: string;
  uri: string;
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

async function capture(
  cmd: string,
  args: string[],
): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined; // command not found
  }
}

/** Finds the PostgreSQL server binaries: TDMCP_TEST_PG_BIN, the newest /usr/lib/postgresql/N/bin, or pg_config --bindir. */
async function findPgBin(): Promise<string | undefined> {
  const given = Deno.env.get("TDMCP_TEST_PG_BIN");
  if (given) {
    if (isFile(`${given}/initdb`) && isFile(`${given}/pg_ctl`)) return given;
    throw new Error(`TDMCP_TEST_PG_BIN=${given} holds no initdb/pg_ctl`);
  }
  const versions: number[] = [];
  try {
    for (const e of Deno.readDirSync("/usr/lib/postgresql")) {
      if (
        /^\d+(\.\d+)?$/.test(e.name) &&
        isFile(`/usr/lib/postgresql/${e.name}/bin/initdb`)
      ) {
        versions.push(Number(e.name));
      }
    }
  } catch { /* no such directory */ }
  if (versions.length) {
    return `/usr/lib/postgresql/${Math.max(...versions)}/bin`;
  }
  const bindir = await capture("pg_config", ["--bindir"]);
  if (bindir && isFile(`${bindir}/initdb`) && isFile(`${bindir}/pg_ctl`)) {
    return bindir;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (Deno.listen on port 0; without net permission, one not listed in /proc/net/tcp*). */
function freePort(): number {
  try {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    return port;
  } catch (e) {
    if (
      !(e instanceof Deno.errors.NotCapable ||
        e instanceof Deno.errors.PermissionDenied)
    ) throw e;
  }
  const used = new Set<number>();
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      for (const line of Deno.readTextFileSync(f).split("\n").slice(1)) {
        const local = line.trim().split(/\s+/)[1];
        if (local) used.add(parseInt(local.split(":").at(-1)!, 16));
      }
    } catch { /* not Linux */ }
  }
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if (!used.has(port)) return port;
  }
}

let aborted: string | undefined;

function checkAborted(): void {
  if (aborted) throw new Error(`interrupted by ${aborted}`);
}

/** Creates, starts and fills in the env for a throwaway cluster; undefined when PostgreSQL is not installed. */
async function startCluster(
  state: State,
): Promise<Cluster | undefined> {
  const ci = Deno.env.get("CI") === "true";
  const bin = await findPgBin();
  const root = Deno.uid() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (bin && root) {
    const uid = await capture("id", ["-u", "postgres"]);
    const gid = await capture("id", ["-g", "postgres"]);
    if (uid && gid) owner = { uid: Number(uid), gid: Number(gid) };
  }
  if (!bin || (root && !owner)) {
    const why = !bin
      ? "no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin and pg_config --bindir)"
      : "running as root but there is no 'postgres' OS user to run the server as";
    if (ci) {
      throw new Error(
        `${why}; CI=true requires PostgreSQL (apt-get install postgresql)`,
      );
    }
    say(
      `WARNING: ${why}. PostgreSQL tests will be skipped. Install: apt-get install postgresql`,
    );
    return undefined;
  }

  const prefix = owner ? ["runuser", "-u", "postgres", "--"] : [];
  const dir = await Deno.makeTempDir({ prefix: "tdmcp-pg-" });
  state.dir = dir;
  Deno.env.set("TDMCP_TEST_PG_DATA", dir);
  Deno.env.set("TDMCP_TEST_PG_BIN", bin);
  Deno.env.set("TDMCP_TEST_PG_SUPERUSER_PREFIX", JSON.stringify(prefix));
  const password = Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
  const pwfile = await Deno.makeTempFile({ prefix: "tdmcp-pgpw-" });
  state.pwfile = pwfile;
  try {
    await Deno.writeTextFile(pwfile, password + "\n");
    if (owner) {
      await Deno.chown(dir, owner.uid, owner.gid);
      await Deno.chown(pwfile, owner.uid, owner.gid);
    }
    const init = await new Deno.Command(prefix[0] ?? `${bin}/initdb`, {
      args: [
        ...prefix.slice(1),
        ...(prefix.length ? [`${bin}/initdb`] : []),
        "-D",
        dir,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
      ],
      cwd: "/",
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!init.success) {
      throw new Error(
        `initdb failed:\n${new TextDecoder().decode(init.stderr)}`,
      );
    }
  } finally {
    await Deno.remove(pwfile).catch(() => {});
    state.pwfile = undefined;
  }
  checkAborted();

  // Settings live in postgresql.auto.conf, so pgStart()/pgRestart() in tests need no -o options.
  let port = 0;
  for (let attempt = 1;; attempt++) {
    port = freePort();
    const conf = `${dir}/postgresql.auto.conf`;
    await Deno.writeTextFile(
      conf,
      [
        "# written by tests/run.ts",
        `port = ${port}`,
        `unix_socket_directories = '${dir.replaceAll("'", "''")}'`,
        "listen_addresses = '127.0.0.1'",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 200",
        "",
      ].join("\n"),
    );
    if (owner) await Deno.chown(conf, owner.uid, owner.gid);
    try {
      await pgStart();
      break;
    } catch (e) {
      checkAborted();
      let log = "";
      try {
        log = Deno.readTextFileSync(`${dir}/log`).split("\n").slice(-15).join(
          "\n",
        );
      } catch { /* no log */ }
      if (
        attempt < 3 &&
        /already in use|could not bind|could not create any TCP/i.test(log)
      ) continue;
      throw new Error(
        `PostgreSQL did not start: ${(e as Error).message}\n${log}`,
      );
    }
  }
  checkAborted();

  const uri = `postgres://postgres:${password}@127.0.0.1:${port}/tdmcp_test`;
  Deno.env.set("TDMCP_TEST_PG_URI", uri);
  await pgAdmin("CREATE DATABASE tdmcp_test", "postgres");
  const version = (await pgAdmin("SHOW server_version", "postgres")).trim();
  say(`PostgreSQL ${version} on 127.0.0.1:${port} (data ${dir})`);
  return { dir, uri };
}

/** Stops the cluster (fast, then immediate) and deletes its directory; never throws. */
async function stopCluster(dir: string): Promise<void> {
  if (isFile(`${dir}/postmaster.pid`)) {
    try {
      await pgStop("fast");
    } catch (e) {
      say(
        `pg_ctl stop -m fast failed, trying immediate: ${(e as Error).message}`,
      );
      await pgStop("immediate").catch((e2) => say(`pg_ctl stop -m immediate failed: ${(e2 as Error).message}`));
    }
  }
  try {
    await Deno.remove(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      say(`could not remove ${dir}: ${(e as Error).message}`);
    }
  }
}

/** Builds the deno test argv: fixed permissions, --frozen, the caller's args, and tests/ when no path was given. */
function testArgs(args: string[]): string[] {
  const dash = args.indexOf("--");
  const own = dash < 0 ? args : args.slice(0, dash);
  const rest = dash < 0 ? [] : args.slice(dash);
  const hasPath = own.some((a) => !a.startsWith("-") && (isFile(a) || isDir(a)));
  return [
    "test",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-ffi",
    "--allow-run",
    "--allow-net",
    "--allow-sys",
    "--frozen",
    ...own,
    ...(hasPath ? [] : ["tests/"]),
    ...rest,
  ];
}

async function main(args: string[]): Promise<number> {
  const state: State = {};
  let forced = false;
  let firstSignalAt = 0;
  const onSignal = (sig: Deno.Signal) => () => {
    if (aborted) {
      // `deno task` forwards the terminal's SIGINT, so one Ctrl-C arrives twice:
      // only a signal well after the first one forces an immediate exit.
      if (forced || Date.now() - firstSignalAt < 2000) return;
      forced = true;
      say(`${sig} again: cleaning up and exiting`);
      try {
        state.child?.kill("SIGKILL");
      } catch { /* already gone */ }
      try {
        if (state.pwfile) Deno.removeSync(state.pwfile);
      } catch { /* already removed */ }
      (state.dir ? stopCluster(state.dir) : Promise.resolve()).finally(() => Deno.exit(sig === "SIGINT" ? 130 : 143));
      return;
    }
    aborted = sig;
    firstSignalAt = Date.now();
    say(`${sig} received: stopping`);
    try {
      state.child?.kill(sig);
    } catch { /* already gone */ }
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(sig, onSignal(sig));
  }

  let code = 1;
  let summary: Summary | undefined;
  try {
    if (Deno.env.get("TDMCP_TEST_PG_URI")) {
      say("using the PostgreSQL from TDMCP_TEST_PG_URI");
    } else {
      await startCluster(state);
    }
    checkAborted();

    const child = new Deno.Command(Deno.execPath(), {
      args: testArgs(args),
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    state.child = child;
    let tail = "";
    const dec = new TextDecoder();
    for await (const chunk of child.stdout) {
      writeAll(Deno.stdout, chunk);
      tail = (tail + dec.decode(chunk, { stream: true })).slice(-65536);
    }
    tail += dec.decode();
    code = (await child.status).code;
    state.child = undefined;
    summary = parseSummary(tail);
    if (!summary) {
      if (!aborted) {
        say("deno test printed no summary (type-check or load error?)");
      }
      if (code === 0) code = 1;
    } else if (summary.passed + summary.failed === 0) {
      say("no test ran (nothing found, all filtered out or ignored)");
      if (code === 0) code = 1;
    }
  } catch (e) {
    say(`ERROR: ${(e as Error).message}`);
    code = 1;
  } finally {
    if (state.dir) await stopCluster(state.dir);
  }
  if (aborted) code = aborted === "SIGINT" ? 130 : 143;
  const s = summary ?? { passed: 0, failed: 0, ignored: 0, filtered: 0 };
  writeAll(
    Deno.stdout,
    enc.encode(
      `tests: ${s.passed} passed, ${s.failed} failed${s.ignored ? `, ${s.ignored} skipped` : ""}\n`,
    ),
  );
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
