/**
 * Keeps the architecture docs/design.md draws true. Fails when
 * - modules under src/ (and main.ts) import each other in a cycle, or folders do;
 * - a module imports one of a higher layer (LAYERS, lowest first: lag/ never imports kafka/);
 * - a module outside src/kafka/kafkajs/ imports kafkajs (the transport adapter is the only one);
 * - a folder of src/ holds more than MAX_FOLDER_FILES source files (tests not counted).
 * Reads the module graph from `deno info --json` (static, dynamic and type-only imports alike).
 * Usage: deno run --allow-read --allow-run --allow-env scripts/check_architecture.ts
 */
const root = new URL("../", import.meta.url);
const output = await new Deno.Command(Deno.execPath(), {
  args: ["info", "--json", "main.ts"],
  cwd: root,
  stdout: "piped",
  stderr: "inherit",
}).output();
if (!output.success) Deno.exit(1);
const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
  modules: Array<{
    specifier: string;
    dependencies?: Array<
      { specifier?: string; code?: { specifier?: string }; type?: { specifier?: string } }
    >;
  }>;
};

/**
 * The layers, lowest first: a module may import its own layer and those below, never above.
 * A path names a folder (every module under it not claimed by a longer path) or one module.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["src/util", "src/log", "src/version.ts"],
  ["src/config"],
  ["src/lag"],
  ["src/kafka/kafka_admin.ts"], // what collect/ may ask of Kafka: types and errors only
  ["src/kafka/protocol"],
  ["src/kafka/auth"],
  ["src/kafka/kafkajs"],
  ["src/kafka"],
  ["src/redis"],
  ["src/store"],
  ["src/collect"],
  ["src/scale_out"],
  ["src/export"],
  ["src/http"],
  ["src/app"],
  ["src/cli"],
  ["main.ts"],
];
const MAX_FOLDER_FILES = 12;
const KAFKAJS_HOME = "src/kafka/kafkajs/";
const local = (specifier: string) =>
  specifier.startsWith(root.href) ? specifier.slice(root.href.length) : undefined;
const edges = new Map<string, string[]>();
for (const module of graph.modules) {
  const from = local(module.specifier);
  if (!from) continue;
  edges.set(
    from,
    // Type-only imports count too: they tie the layers together just the same.
    (module.dependencies ?? []).flatMap((dependency) =>
      [dependency.code?.specifier, dependency.type?.specifier].flatMap((specifier) => {
        const to = specifier ? local(specifier) : undefined;
        return to ? [to] : [];
      })
    ),
  );
}

/** Tarjan's strongly connected components: each one with more than one node is a cycle. */
function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    lowLink.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, indexOf.get(next)!));
      }
    }
    if (lowLink.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!indexOf.has(node)) visit(node);
  return cycles;
}

// The layers too: src/<folder> may not depend on a folder that depends back on it.
const folderOf = (module: string) => module.split("/").slice(0, 2).join("/");
const folders = new Map<string, Set<string>>();
for (const [from, targets] of edges) {
  const set = folders.get(folderOf(from)) ?? new Set();
  for (const to of targets) if (folderOf(to) !== folderOf(from)) set.add(folderOf(to));
  folders.set(folderOf(from), set);
}
const cycles = [
  ...findCycles(edges),
  ...findCycles(new Map([...folders].map(([folder, targets]) => [folder, [...targets]]))),
];
const problems: string[] = cycles.map((cycle) => `import cycle: ${cycle.join(" ↔ ")}`);

/** The layer of a module: the index of the longest path of LAYERS it falls under. */
function layerOf(module: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((paths, index) => {
    for (const path of paths) {
      const matches = module === path || module.startsWith(`${path}/`);
      if (matches && path.length > bestLength) [best, bestLength] = [index, path.length];
    }
  });
  return best;
}
for (const [from, targets] of edges) {
  const fromLayer = layerOf(from);
  if (fromLayer < 0) problems.push(`${from}: in no layer (add its folder to LAYERS)`);
  for (const to of targets) {
    const toLayer = layerOf(to);
    if (toLayer > fromLayer) {
      problems.push(`${from} imports ${to}, a higher layer (${LAYERS[toLayer].join(", ")})`);
    }
  }
}

// kafkajs, its internals included, only through the transport adapter.
for (const module of graph.modules) {
  const from = local(module.specifier);
  if (!from || from.startsWith(KAFKAJS_HOME)) continue;
  for (const dependency of module.dependencies ?? []) {
    const specifier = dependency.specifier ?? "";
    if (/^(npm:\/?)?kafkajs(@|\/|$)/.test(specifier)) {
      problems.push(`${from} imports ${specifier}: only ${KAFKAJS_HOME} may import kafkajs`);
    }
  }
}

// Small folders: one that grows past MAX_FOLDER_FILES is split by responsibility.
async function countFolders(directory: URL, path: string): Promise<void> {
  let files = 0;
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isDirectory) {
      await countFolders(new URL(`${entry.name}/`, directory), `${path}/${entry.name}`);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) files++;
  }
  if (files > MAX_FOLDER_FILES) {
    problems.push(`${path}/ holds ${files} source files (at most ${MAX_FOLDER_FILES})`);
  }
}
await countFolders(new URL("src/", root), "src");

if (problems.length > 0) {
  console.error(`architecture (docs/design.md) broken in ${problems.length} places:`);
  for (const problem of problems) console.error(`  ${problem}`);
  Deno.exit(1);
}
console.log(
  `no import cycle among ${edges.size} modules and ${folders.size} folders; ` +
    `every import follows the ${LAYERS.length} layers; kafkajs only in ${KAFKAJS_HOME}; ` +
    `no folder over ${MAX_FOLDER_FILES} source files`,
);
