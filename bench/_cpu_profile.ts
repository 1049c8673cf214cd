/**
 * Samples a child Deno process's main thread through its inspector (the
 * Chrome DevTools Protocol `Profiler` domain) and sorts the self time into
 * the layers of a tool call.
 * @module
 */

/** A V8 CPU profile, as `Profiler.stop` returns it. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A running inspector session. */
export interface Profiler {
  start(): Promise<void>;
  /** Stops sampling; returns the profile. */
  stop(): Promise<CpuProfile>;
  close(): void;
}

/** Connects to the inspector of a process started with `--inspect=127.0.0.1:<port>`. */
export async function connectProfiler(port: number): Promise<Profiler> {
  let targets: { webSocketDebuggerUrl: string }[] = [];
  for (let i = 0; i < 200 && targets.length === 0; i++) {
    targets = await fetch(`http://127.0.0.1:${port}/json/list`).then((r) => r.json()).catch(() => []);
    if (targets.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  if (targets.length === 0) throw new Error(`no inspector on port ${port}`);
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  let id = 0;
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? message);
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 50 });
  return {
    async start() {
      await send("Profiler.start");
    },
    async stop() {
      return (await send("Profiler.stop")).profile as CpuProfile;
    },
    close: () => socket.close(),
  };
}

const RUNTIME = "Deno runtime with no caller above it (stdin reads, event loop, timers)";

/** The layer a function belongs to, from its script URL. */
export function layerOf(url: string, name: string): string {
  if (name === "(idle)") return "idle (waiting: driver threads, I/O)";
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(program)" || name === "(root)") return "V8/native (program)";
  if (url.includes("@modelcontextprotocol")) return "MCP SDK (dispatch, transports)";
  if (/\/zod[@/]/.test(url)) return "zod (schema validation)";
  if (url.includes("logtape")) return "logging (logtape)";
  if (url.includes("p-retry") || url.includes("is-network-error")) return "p-retry";
  if (url.includes("/odbc")) return "npm:odbc (JS wrapper and its N-API calls)";
  if (url.includes("/connection/")) return "tdmcp connection/ (guard, pool, fetch, cells)";
  if (url.includes("/server/")) return "tdmcp server/";
  if (url.includes("/transports/")) return "tdmcp transports/ (stdio line: JSON.stringify, write)";
  if (url.includes("/tools/")) return "tdmcp tools/ (handler)";
  if (url.includes("/plugin/")) return "tdmcp plugin/ (result: tableResult, renderText, fitResult)";
  if (url.startsWith("ext:") || url.startsWith("node:") || url === "") return RUNTIME;
  return `other (${url.replace(/^.*\/node_modules\//, "").slice(0, 40)})`;
}

/**
 * Time per layer and the top functions (self time), in microseconds. A
 * sample in the runtime (an op, a stream, an N-API call) counts for the
 * nearest caller outside the runtime, so a write to stderr made by the logger
 * counts as logging; samples with no such caller stay with the runtime.
 */
export function summarize(profile: CpuProfile): {
  totalUs: number;
  layers: [string, number][];
  functions: [string, number][];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  /** The layer a sample counts for, and the frame it counts through (itself, or its caller outside the runtime). */
  const layerFor = (id: number): [string, number] => {
    const { functionName, url } = byId.get(id)!.callFrame;
    const own = layerOf(url, functionName);
    if (own !== RUNTIME) return [own, id];
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const { functionName: name, url: where } = byId.get(up)!.callFrame;
      const layer = layerOf(where, name);
      if (layer !== RUNTIME && !layer.startsWith("V8/native")) return [layer, up];
    }
    return [own, id];
  };
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules\/)?/, "")}:${lineNumber + 1}`;
  };
  const layers = new Map<string, number>();
  const functions = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i])!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const [layer, through] = layerFor(node.id);
    layers.set(layer, (layers.get(layer) ?? 0) + dt);
    const fn = through === node.id ? label(node.id) : `${label(node.id)} ← ${label(through)}`;
    functions.set(fn, (functions.get(fn) ?? 0) + dt);
  }
  const sort = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalUs: profile.endTime - profile.startTime, layers: sort(layers), functions: sort(functions) };
}
