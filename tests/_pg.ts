// Helpers for tests that use the throwaway PostgreSQL cluster started by
// tests/run.ts. They read the TDMCP_TEST_PG_* variables the runner exports:
//   TDMCP_TEST_PG_URI                postgres://postgres:<pw>@127.0.0.1:<port>/tdmcp_test
//   TDMCP_TEST_PG_DATA               data directory (also the socket directory; log in DATA/log)
//   TDMCP_TEST_PG_BIN                directory holding pg_ctl and psql
//   TDMCP_TEST_PG_SUPERUSER_PREFIX   JSON array run before pg_ctl (["runuser","-u","postgres","--"] as root)
// When TDMCP_TEST_PG_URI was given from outside, only pgUri() and pgAdmin() work.

/** The test PostgreSQL URI, or undefined when no PostgreSQL is available (skip the test). */
export function pgUri(): string | undefined {
  return Deno.env.get("TDMCP_TEST_PG_URI") || undefined;
}

/** True when the test cluster belongs to this run, so pgStop/pgStart/pgRestart may be used. */
export function pgControllable(): boolean {
  return Boolean(
    Deno.env.get("TDMCP_TEST_PG_DATA") && Deno.env.get("TDMCP_TEST_PG_BIN"),
  );
}

/** Runs SQL as the superuser through psql (default: the test database) and returns its unaligned output. */
export async function pgAdmin(sql: string, database?: string): Promise<string> {
  const uri = pgUri();
  if (!uri) throw new Error("pgAdmin: TDMCP_TEST_PG_URI is not set");
  const target = new URL(uri);
  if (database) target.pathname = "/" + database;
  const bin = Deno.env.get("TDMCP_TEST_PG_BIN");
  const psql = bin ? `${bin}/psql` : "psql";
  return await run([
    psql,
    "-X",
    "-q",
    "-A",
    "-t",
    "-v",
    "ON_ERROR_STOP=1",
    "-d",
    target.href,
    "-c",
    sql,
  ]);
}

/** Stops the test cluster (mode "immediate" simulates a crash). */
export async function pgStop(
  mode: "smart" | "fast" | "immediate" = "fast",
): Promise<void> {
  const { data } = control();
  await pgCtl(["-w", "-D", data, "-m", mode, "stop"]);
}

/** Starts the test cluster again (same port, same data) and waits until it accepts connections. */
export async function pgStart(): Promise<void> {
  const { data } = control();
  await pgCtl(["-w", "-D", data, "-l", `${data}/log`, "start"]);
}

/** Restarts the test cluster; every open connection is cut. */
export async function pgRestart(
  mode: "smart" | "fast" | "immediate" = "fast",
): Promise<void> {
  const { data } = control();
  await pgCtl(["-w", "-D", data, "-m", mode, "-l", `${data}/log`, "restart"]);
}

/** Runs pg_ctl with the given arguments as the cluster's owner; throws with its output on failure. */
export async function pgCtl(args: string[]): Promise<string> {
  const { bin, prefix } = control();
  return await run([...prefix, `${bin}/pg_ctl`, ...args]);
}

function control(): { data: string; bin: string; prefix: string[] } {
  const data = Deno.env.get("TDMCP_TEST_PG_DATA");
  const bin = Deno.env.get("TDMCP_TEST_PG_BIN");
  if (!data || !bin) {
    throw new Error(
      "the test PostgreSQL cluster is not controlled by this run (TDMCP_TEST_PG_DATA/BIN unset)",
    );
  }
  const prefix = JSON.parse(
    Deno.env.get("TDMCP_TEST_PG_SUPERUSER_PREFIX") || "[]",
  ) as string[];
  return { data, bin, prefix };
}

async function run(argv: string[]): Promise<string> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: "/", // the postgres OS user may not be able to enter the caller's directory
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  if (!out.success) {
    const name = argv.find((a) => a.includes("/pg_ctl") || a.includes("psql")) ?? argv[0];
    throw new Error(
      `${name} ${argv.at(-1)} failed (exit ${out.code}): ${dec.decode(out.stderr).trim() || stdout.trim()}`,
    );
  }
  return stdout;
}
