/**
 * Fails when src/ defines the same constant table twice: a top-level SCREAMING_CASE constant
 * whose value is an object, array, Map or Set literal, either under the same name in two modules
 * or with the same entries under two names (compared with whitespace and comments removed).
 * A table a second module needs is imported from the first. Literals of fewer than three
 * entries are not tables and are not compared.
 * Usage: deno run --allow-read scripts/check_constant_tables.ts
 */
const root = new URL("../", import.meta.url);
const DEFINITION = /^(?:export )?const ([A-Z][A-Z0-9_]+)(?:: [^=]+)? = (new (?:Map|Set)\(\[|\[|\{)/;
const MIN_ENTRIES = 3;

interface Table {
  name: string;
  module: string;
  body: string;
}

/** The literal that opens at `start` (its bracket included), up to its matching close. */
function literalAt(text: string, start: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'" || char === "`") quote = char;
    else if (char === "/" && text[index + 1] === "/") index = text.indexOf("\n", index) - 1;
    else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char) && --depth === 0) return text.slice(start, index + 1);
  }
  return text.slice(start);
}

function normalized(literal: string): string {
  return literal.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "").replace(/\s+/g, "").replace(
    /,([\]})])/g,
    "$1",
  );
}

function entryCount(body: string): number {
  let depth = 0;
  let entries = 0;
  for (const char of body) {
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
    else if (char === "," && depth === 1) entries++;
  }
  return entries + 1;
}

const tables: Table[] = [];
async function scan(directory: URL, path: string): Promise<void> {
  for await (const entry of Deno.readDir(directory)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), directory);
    if (entry.isDirectory) await scan(url, `${path}/${entry.name}`);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      const text = await Deno.readTextFile(url);
      let offset = 0;
      for (const line of text.split("\n")) {
        const match = line.match(DEFINITION);
        if (match) {
          const start = offset + line.indexOf(match[2]) + match[2].length - 1;
          const body = normalized(literalAt(text, start));
          if (entryCount(body) >= MIN_ENTRIES) {
            tables.push({ name: match[1], module: `${path}/${entry.name}`, body });
          }
        }
        offset += line.length + 1;
      }
    }
  }
}
await scan(new URL("src/", root), "src");

const problems: string[] = [];
const byName = new Map<string, Table[]>();
const byBody = new Map<string, Table[]>();
for (const table of tables) {
  byName.set(table.name, [...(byName.get(table.name) ?? []), table]);
  byBody.set(table.body, [...(byBody.get(table.body) ?? []), table]);
}
for (const [name, found] of byName) {
  if (found.length > 1) {
    problems.push(`${name} is defined in ${found.map((table) => table.module).join(" and ")}`);
  }
}
for (const found of byBody.values()) {
  if (found.length > 1 && new Set(found.map((table) => table.name)).size > 1) {
    problems.push(
      `the same table twice: ${found.map((table) => `${table.name} (${table.module})`).join(", ")}`,
    );
  }
}
if (problems.length > 0) {
  console.error(`constant tables defined twice (${problems.length}):`);
  for (const problem of problems) console.error(`  ${problem}`);
  Deno.exit(1);
}
console.log(`${tables.length} constant tables in src/, each defined once`);
