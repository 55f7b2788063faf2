/**
 * Looks inside a running exporter started with `--inspect` (bench:scale `--inspect`): a CPU profile
 * summarized by self time per function, and a heap snapshot summarized by constructor (count and
 * shallow bytes), over the Chrome DevTools protocol the Deno runtime speaks. Benchmark-only.
 */

/** One DevTools session over the inspector's WebSocket. */
async function connect(port: number) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  const listeners = new Map<string, (params: Record<string, unknown>) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined) {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    } else listeners.get(message.method)?.(message.params);
  };
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve as (result: unknown) => void));
    },
    on(method: string, listener: (params: Record<string, unknown>) => void) {
      listeners.set(method, listener);
    },
    close: () => socket.close(),
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  /** Samples by source line (1-based) within the function. */
  positionTicks?: Array<{ line: number; ticks: number }>;
}

/** The `top` functions by self time over `seconds` of CPU profile, as table lines. */
export async function profileCpu(port: number, { seconds, top = 30, linesOf }: {
  seconds: number;
  top?: number;
  /** Also the hottest source lines of the functions so named. */
  linesOf?: string[];
}): Promise<string[]> {
  const session = await connect(port);
  try {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 500 });
    await session.send("Profiler.start");
    await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
    const { profile } = await session.send<
      { profile: { nodes: ProfileNode[]; samples: number[] } }
    >("Profiler.stop");
    const hits = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const frame = node.callFrame;
      const where = frame.url
        ? `${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`
        : "";
      const key = `${frame.functionName || "(anonymous)"} ${where}`.trim();
      hits.set(key, (hits.get(key) ?? 0) + (node.hitCount ?? 0));
      total += node.hitCount ?? 0;
    }
    const lines = new Map<string, number>();
    for (const node of profile.nodes) {
      if (!linesOf?.includes(node.callFrame.functionName)) continue;
      for (const { line, ticks } of node.positionTicks ?? []) {
        const key = `${node.callFrame.functionName}:${line}`;
        lines.set(key, (lines.get(key) ?? 0) + ticks);
      }
    }
    return [
      ...[...hits].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, count]) =>
        `${(100 * count / total).toFixed(1).padStart(5)} % ${key}`
      ),
      ...[...lines].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([key, count]) =>
        `${(100 * count / total).toFixed(1).padStart(5)} % line ${key}`
      ),
    ];
  } finally {
    session.close();
  }
}

/** The `top` constructors (or node kinds) of a heap snapshot by shallow size, as table lines. */
export async function heapByConstructor(port: number, { top = 30 } = {}): Promise<string[]> {
  const session = await connect(port);
  try {
    const chunks: string[] = [];
    session.on(
      "HeapProfiler.addHeapSnapshotChunk",
      (params) => chunks.push(params.chunk as string),
    );
    await session.send("HeapProfiler.enable");
    await session.send("HeapProfiler.collectGarbage");
    await session.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const snapshot = JSON.parse(chunks.join(""));
    const fields: string[] = snapshot.snapshot.meta.node_fields;
    const types: string[] = snapshot.snapshot.meta.node_types[0];
    const typeAt = fields.indexOf("type");
    const nameAt = fields.indexOf("name");
    const sizeAt = fields.indexOf("self_size");
    const nodes: number[] = snapshot.nodes;
    const strings: string[] = snapshot.strings;
    const byName = new Map<string, { count: number; bytes: number }>();
    let totalBytes = 0;
    for (let index = 0; index < nodes.length; index += fields.length) {
      const type = types[nodes[index + typeAt]];
      const name = type === "object" || type === "native" || type === "closure"
        ? `${type} ${strings[nodes[index + nameAt]].slice(0, 60)}`
        : type === "string"
        // Strings by shape (digits as #): which kind of text is held, e.g. group ids or labels.
        ? `string "${strings[nodes[index + nameAt]].slice(0, 40).replace(/\d+/g, "#")}"`
        : type;
      const entry = byName.get(name) ?? { count: 0, bytes: 0 };
      entry.count++;
      entry.bytes += nodes[index + sizeAt];
      totalBytes += nodes[index + sizeAt];
      byName.set(name, entry);
    }
    return [
      `heap snapshot: ${(totalBytes / 1_048_576).toFixed(1)} MB shallow in ${
        (nodes.length / fields.length).toLocaleString("en")
      } objects`,
      ...[...byName].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top).map(([name, entry]) =>
        `${(entry.bytes / 1_048_576).toFixed(1).padStart(7)} MB ${
          entry.count.toLocaleString("en").padStart(11)
        } × ${name}`
      ),
    ];
  } finally {
    session.close();
  }
}

/**
 * What the exporter allocated over `seconds`, by allocating function (self and with callees),
 * counting objects already collected too: the sampling heap profiler, one sample per 16 KiB.
 */
export async function allocationsByFunction(
  port: number,
  { seconds, top = 20 }: { seconds: number; top?: number },
): Promise<string[]> {
  const session = await connect(port);
  try {
    await session.send("HeapProfiler.enable");
    await session.send("HeapProfiler.startSampling", {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    // sleep-ok: the sampling window
    await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
    const { profile } = await session.send<{ profile: { head: AllocationNode } }>(
      "HeapProfiler.getSamplingProfile",
    );
    await session.send("HeapProfiler.stopSampling");
    const self = new Map<string, number>();
    let total = 0;
    const walk = (node: AllocationNode) => {
      const frame = node.callFrame;
      const name = `${frame.functionName || "(anonymous)"} ${
        frame.url.split("/").slice(-2).join("/")
      }:${frame.lineNumber + 1}`;
      self.set(name, (self.get(name) ?? 0) + node.selfSize);
      total += node.selfSize;
      for (const child of node.children) walk(child);
    };
    walk(profile.head);
    return [
      `allocated ${(total / 1_048_576).toFixed(0)} MB in ${seconds} s (collected or not)`,
      ...[...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, bytes]) =>
        `${(bytes / 1_048_576).toFixed(1).padStart(7)} MB ${name}`
      ),
    ];
  } finally {
    session.close();
  }
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}
