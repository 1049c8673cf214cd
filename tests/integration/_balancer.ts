/**
 * Scale-out rig for haproxy_test.ts and bench/balancer.ts: tdmcp replicas
 * (the real `main.ts` with the exact command line of `deno task start:http`,
 * each on its own loopback port), HAProxy round-robin over them (Debian
 * package `haproxy`, config in a temp dir, its per-request log on stdout
 * naming each request's `X-Call-Id` and the replica that served it). The
 * calls come from _mcp_load.ts.
 * @module
 */
import { freePort, httpTaskArgs, ROOT } from "./_spawn.ts";

/** The HAProxy binary: `haproxy` on PATH, else Debian's /usr/sbin/haproxy (not on a non-root PATH); undefined when absent. */
export function haproxyPath(): string | undefined {
  for (const candidate of ["haproxy", "/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]) {
    try {
      if (new Deno.Command(candidate, { args: ["-v"], stdout: "null", stderr: "null" }).outputSync().success) {
        return candidate;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

/** One running tdmcp replica. */
export interface Replica {
  /** Its server name in HAProxy's configuration and log (`r1`, `r2`, …). */
  name: string;
  port: number;
  pid: number;
  /** Settles when the process has exited (and was reaped). */
  exited: Promise<Deno.CommandStatus>;
  /** The last 8 KB it wrote to stderr. */
  log(): string;
  kill(signal: Deno.Signal): void;
  /** SIGTERM, then SIGKILL after 10 s; waits for the exit. */
  stop(): Promise<void>;
}

/** Starts one replica and waits until its `/readyz` answers 200 (its database answers). */
export async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const port = freePort();
  const base: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "LANG"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) base[key] = value;
  }
  const argv = [Deno.execPath(), ...httpTaskArgs(port)];
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: ROOT,
    clearEnv: true,
    env: { ...base, MCP_HOST: "127.0.0.1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const decoder = new TextDecoder();
  const drained = (async () => {
    for await (const chunk of child.stderr) tail = (tail + decoder.decode(chunk, { stream: true })).slice(-8192);
  })().catch(() => {});
  const exited = child.status.then(async (status) => (await drained, status));
  let gone = false;
  exited.then(() => gone = true);
  const replica: Replica = {
    name,
    port,
    pid: child.pid,
    exited,
    log: () => tail,
    kill: (signal) => {
      if (!gone) child.kill(signal);
    },
    async stop() {
      replica.kill("SIGTERM");
      const timer = setTimeout(() => replica.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const until = performance.now() + 60_000;
  while (!gone && performance.now() < until) {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
    await response?.body?.cancel();
    if (response?.ok) return replica;
    await new Promise((r) => setTimeout(r, 50));
  }
  await replica.stop();
  throw new Error(`replica ${name} did not become ready on port ${port}:\n${tail}`);
}

/** What the HAProxy configuration is made of. */
export interface BalancerConfig {
  /** The port clients connect to. */
  port: number;
  /** The port of HAProxy's stats page (`/stats;csv`), which says which replicas it holds up. */
  statsPort: number;
  replicas: { name: string; port: number }[];
  /**
   * Close each client connection after its response (test only). On a kept-alive client connection HAProxy
   * answers a replica that hung up before answering by closing the client connection without a response or a
   * log line (so that a client may retry); on a fresh one it answers 502 and logs it, so every call has its line.
   */
  closeClientConnections?: boolean;
  /**
   * Keep each 2025-era session on the replica that created it: the `Mcp-Session-Id` of a response is remembered
   * with its server, and a request carrying that id goes there (requests without one are balanced as usual).
   */
  sticky?: boolean;
  /** A Unix socket for HAProxy's runtime API (`set server tdmcp/r1 state drain`, …). */
  adminSocket?: string;
}

/**
 * The haproxy.cfg of the rig: round robin, HTTP health checks on `/readyz`,
 * and retries only of connections that were never made (`retry-on
 * conn-failure`, moved to another replica by `option redispatch`): a request
 * that reached a replica is never sent again, so a call in flight on a
 * replica that dies fails instead of running twice. The log line of each
 * request names its call (`X-Call-Id`) and the replica that served it.
 */
export function haproxyConfig(config: BalancerConfig): string {
  const servers = config.replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check`).join("\n");
  return `global
  nbthread 1
  maxconn 4096
  log stdout format raw local0 info${config.adminSocket ? `\n  stats socket ${config.adminSocket} level admin` : ""}

defaults
  mode http
  log global
  log-format "call=%[capture.req.hdr(0)] srv=%s status=%ST term=%ts retries=%rc"
  option redispatch
  retries 3
  retry-on conn-failure
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout check 2s

frontend mcp
  bind 127.0.0.1:${config.port}
  capture request header X-Call-Id len 24${config.closeClientConnections ? "\n  option httpclose" : ""}
  default_backend tdmcp

backend tdmcp
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 1${
    config.sticky
      ? "\n  stick-table type string len 64 size 100k expire 30m" +
        "\n  stick store-response res.hdr(mcp-session-id)\n  stick match req.hdr(mcp-session-id)"
      : ""
  }
${servers}

frontend stats
  bind 127.0.0.1:${config.statsPort}
  no log
  stats enable
  stats uri /stats
`;
}

/** One request as HAProxy logged it. */
export interface BalancerLogLine {
  /** The `X-Call-Id` of the request ("" when it had none). */
  call: string;
  /** The replica that served it (`<NOSRV>` when none). */
  server: string;
  status: number;
  /** HAProxy's termination state (`--` for a normal end; `SH` when the server hung up mid-request). */
  term: string;
  retries: string;
}

/** A running HAProxy. */
export interface Balancer {
  /** The MCP endpoint through HAProxy. */
  url: URL;
  pid: number;
  /** Every request logged so far. */
  lines(): BalancerLogLine[];
  /** HAProxy's view of each replica (`UP`, `DOWN`, …), from its stats page. */
  states(): Promise<Record<string, string>>;
  /** How many requests HAProxy has open on a replica now. */
  open(name: string): Promise<number>;
  /** Runs a command of HAProxy's runtime API (e.g. `set server tdmcp/r3 state drain`) and returns its answer. */
  admin(command: string): Promise<string>;
  /** Waits until HAProxy's checks hold every named replica UP. */
  waitUp(names: string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const LINE = /^call=(\S*) srv=(\S+) status=(-?\d+) term=(\S+) retries=(\S+)$/;

/** Writes the configuration to `dir`, starts HAProxy in the foreground and waits until every replica is UP. */
export async function startBalancer(
  haproxy: string,
  dir: string,
  replicas: { name: string; port: number }[],
  options: Pick<BalancerConfig, "closeClientConnections" | "sticky"> = {},
): Promise<Balancer> {
  const config = { port: freePort(), statsPort: freePort(), replicas, adminSocket: `${dir}/admin.sock`, ...options };
  const file = `${dir}/haproxy.cfg`;
  await Deno.writeTextFile(file, haproxyConfig(config));
  const check = await new Deno.Command(haproxy, { args: ["-c", "-q", "-f", file], stderr: "piped" }).output();
  if (!check.success) throw new Error(`haproxy -c refused ${file}: ${new TextDecoder().decode(check.stderr)}`);
  const child = new Deno.Command(haproxy, { args: ["-db", "-f", file], stdout: "piped", stderr: "piped" }).spawn();
  const parsed: BalancerLogLine[] = [];
  let other = "";
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let pending = "";
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        const m = LINE.exec(line.trim());
        if (m) parsed.push({ call: m[1] === "-" ? "" : m[1], server: m[2], status: +m[3], term: m[4], retries: m[5] });
        else other = (other + line + "\n").slice(-4096);
      }
    }
  };
  const drained = Promise.all([read(child.stdout), read(child.stderr)]).catch(() => {});
  let gone = false;
  const exited = child.status.then(async (s) => (gone = true, await drained, s));
  /** One column of HAProxy's stats (`status`, `scur` for the requests it has open on a server, …) per replica. */
  const stats = async (column: string) => {
    const response = await fetch(`http://127.0.0.1:${config.statsPort}/stats;csv`);
    const [header, ...rows] = (await response.text()).trim().split("\n").map((l) => l.split(","));
    const [px, sv, value] = ["# pxname", "svname", column].map((c) => header.indexOf(c));
    return Object.fromEntries(rows.filter((r) => r[px] === "tdmcp").map((r) => [r[sv], r[value]]));
  };
  const states = () => stats("status");
  const balancer: Balancer = {
    url: new URL(`http://127.0.0.1:${config.port}/mcp`),
    pid: child.pid,
    lines: () => parsed,
    states,
    open: async (name) => Number((await stats("scur"))[name]),
    async admin(command) {
      const conn = await Deno.connect({ transport: "unix", path: config.adminSocket });
      try {
        await conn.write(new TextEncoder().encode(`${command}\n`));
        return (await new Response(conn.readable).text()).trim();
      } catch (error) {
        conn.close();
        throw error;
      }
    },
    async waitUp(names, timeoutMs = 30_000) {
      const until = performance.now() + timeoutMs;
      let seen: Record<string, string> = {};
      while (!gone && performance.now() < until) {
        seen = await states().catch(() => ({}));
        if (names.every((n) => seen[n] === "UP")) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`HAProxy does not hold ${names.join(", ")} UP: ${JSON.stringify(seen)}\n${other}`);
    },
    async stop() {
      if (!gone) child.kill("SIGTERM");
      await exited;
    },
  };
  try {
    await balancer.waitUp(replicas.map((r) => r.name));
  } catch (error) {
    await balancer.stop();
    throw error;
  }
  return balancer;
}
