/**
 * Fails when a function, method or named arrow function takes more than two required arguments
 * besides one `…Deps`/`…Options` bag (STYLE.md "Names"): past two, call sites stop saying which
 * value is which. A declaration may opt out with a `// arity-ok: <reason>` comment on the line
 * before it. Test files are not checked. Usage: deno run --allow-read scripts/check_function_arity.ts
 */
// Product code and scripts. Test files are left out: their table-row builders and harness helpers
// (`partition(topic, index, lag)`) read best positionally.
const folders = Deno.args.length > 0 ? Deno.args : ["src", "scripts"];
const SKIPPED_FOLDERS = new Set([".cache", "node_modules", "cov", "dist", "fixtures"]);
const MAX_REQUIRED = 2;

/** A declaration's name and where its parameter list opens, as found by the patterns below. */
const DECLARATION_PATTERNS = [
  // function name(…) / async function* name<T>(…)
  /\bfunction\*?\s+([A-Za-z_$][\w$]*)\s*(?:<[^()]*>)?\s*\(/g,
  // const name = (…) => / const name = async <T>(…): T =>
  /\b(?:const|let)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:<[^()]*>)?\s*\(/g,
  // class and interface members at the start of a line: name(…), #name(…), constructor(…)
  /^[ \t]+(?:(?:static|async|public|private|protected|readonly|get|set)\s+)*(#?[A-Za-z_$][\w$]*)\??\s*(?:<[^()]*>)?\s*\(/gm,
];
const NOT_MEMBERS = new Set([
  "if",
  "for",
  "while",
  "switch",
  "catch",
  "return",
  "await",
  "throw",
  "typeof",
  "new",
  "function",
  "super",
  "void",
  "delete",
]);

/** The text between the parenthesis at `open` and its match, or undefined when unbalanced. */
function parameterList(source: string, open: number): { text: string; end: number } | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let index = open; index < source.length; index++) {
    const character = source[index];
    if (quote) {
      if (character === "\\") index++;
      else if (character === quote) quote = undefined;
      continue;
    }
    if (character === '"' || character === "'" || character === "`") quote = character;
    else if ("([{<".includes(character)) depth++;
    else if (")]}>".includes(character) && source[index - 1] !== "=") {
      depth--;
      if (depth === 0) return { text: source.slice(open + 1, index), end: index };
    }
  }
  return undefined;
}

/** Splits a parameter list at its top-level commas. */
function splitParameters(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if ("([{<".includes(character)) depth++;
    else if (")]}>".includes(character) && text[index - 1] !== "=") depth--;
    else if (character === "," && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

/** The part of a parameter before its type annotation or default, at the top level. */
function parameterHead(parameter: string): { head: string; rest: string } {
  let depth = 0;
  for (let index = 0; index < parameter.length; index++) {
    const character = parameter[index];
    if ("([{<".includes(character)) depth++;
    else if (")]}>".includes(character)) depth--;
    else if ((character === ":" || character === "=") && depth === 0) {
      return { head: parameter.slice(0, index).trim(), rest: parameter.slice(index) };
    }
  }
  return { head: parameter, rest: "" };
}

/** Counts the required parameters that are not a dependency or options bag. */
function requiredPlainParameters(parameters: string[]): number {
  let count = 0;
  for (const parameter of parameters) {
    const { head, rest } = parameterHead(parameter);
    if (head.startsWith("...") || head.endsWith("?") || hasDefault(rest)) continue;
    const isBag = head.startsWith("{") || /(deps|options)$/i.test(head) ||
      /^:\s*[\w.]*(Deps|Options|Limits|Policy)\b/.test(rest);
    if (!isBag) count++;
  }
  return count;
}

/** Whether a parameter's type-and-default part has a default value at its top level. */
function hasDefault(rest: string): boolean {
  let depth = 0;
  for (let index = 0; index < rest.length; index++) {
    const character = rest[index];
    if ("([{<".includes(character)) depth++;
    else if (")]}>".includes(character) && rest[index - 1] !== "=") depth--;
    else if (character === "=" && depth === 0 && rest[index + 1] !== ">") return true;
  }
  return false;
}

/** Whether `parameters` declare (name: Type) rather than pass values, as calls do. */
function isDeclaration(parameters: string[]): boolean {
  return parameters.every((parameter) => {
    const { head, rest } = parameterHead(parameter);
    return /^(\.\.\.)?([A-Za-z_$][\w$]*\??|\{[\s\S]*\}|\[[\s\S]*\])$/.test(head) &&
      (rest.startsWith(":") || rest.startsWith("="));
  });
}

async function* typeScriptFiles(folder: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(folder)) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory && !SKIPPED_FOLDERS.has(entry.name)) yield* typeScriptFiles(path);
    else if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      yield path;
    }
  }
}

const problems: string[] = [];
let checked = 0;
for (const folder of folders) {
  for await (const path of typeScriptFiles(folder)) {
    const source = await Deno.readTextFile(path);
    const lines = source.split("\n");
    const lineStarts: number[] = [];
    let offset = 0;
    for (const line of lines) {
      lineStarts.push(offset);
      offset += line.length + 1;
    }
    const lineOf = (index: number) => {
      let low = 0;
      let high = lineStarts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (lineStarts[middle] <= index) low = middle;
        else high = middle - 1;
      }
      return low;
    };
    const seen = new Set<number>();
    for (const pattern of DECLARATION_PATTERNS) {
      for (const match of source.matchAll(pattern)) {
        const name = match[1];
        if (NOT_MEMBERS.has(name)) continue;
        const open = match.index! + match[0].length - 1;
        if (seen.has(open)) continue;
        seen.add(open);
        const list = parameterList(source, open);
        if (!list) continue;
        const parameters = splitParameters(list.text);
        if (parameters.length <= MAX_REQUIRED || !isDeclaration(parameters)) continue;
        checked++;
        const required = requiredPlainParameters(parameters);
        if (required <= MAX_REQUIRED) continue;
        const line = lineOf(match.index!);
        const previous = lines.slice(Math.max(0, line - 1), line + 1).join("\n");
        if (previous.includes("// arity-ok:")) continue;
        problems.push(
          `${path}:${line + 1}: ${name}() takes ${required} required arguments; ` +
            `take at most ${MAX_REQUIRED} plus an options or deps object, or explain with ` +
            `"// arity-ok: <reason>" on the line before`,
        );
      }
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  Deno.exit(1);
}
console.log(`no function takes more than ${MAX_REQUIRED} required arguments besides a bag`);
