/**
 * Fails when the modules under src/ (and main.ts) import each other in a cycle: the layers must
 * stay a one-way flow (config → kafka → lag → store → collect → export/http → app). Reads the
 * module graph from `deno info --json` (static, dynamic and type-only imports alike).
 * Usage: deno run --allow-read --allow-run scripts/check_import_cycles.ts
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
    dependencies?: Array<{ code?: { specifier?: string }; type?: { specifier?: string } }>;
  }>;
};
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
if (cycles.length > 0) {
  console.error(`import cycles (${cycles.length}):`);
  for (const cycle of cycles) console.error(`  ${cycle.join(" ↔ ")}`);
  Deno.exit(1);
}
console.log(`no import cycle among ${edges.size} modules and ${folders.size} folders`);
