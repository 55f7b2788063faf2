/**
 * Fails when a TypeScript file grows past 350 lines without saying why: such a file needs a
 * `Longer than 350 lines:` line among its first ten, followed by the reason (one table of every
 * case, one scenario that shares one cluster …). In src/ no reason is accepted: a module that
 * grows past 350 lines is split by responsibility.
 * Usage: deno run --allow-read scripts/check_file_sizes.ts
 */
const MAX_LINES = 350;
const MARKER = "Longer than 350 lines:";
const root = new URL("../", import.meta.url);
const offenders: string[] = [];

async function scan(directory: URL): Promise<void> {
  for await (const entry of Deno.readDir(directory)) {
    if (entry.name.startsWith(".") || ["node_modules", "cov", "dist"].includes(entry.name)) {
      continue;
    }
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), directory);
    if (entry.isDirectory) await scan(url);
    else if (entry.name.endsWith(".ts")) {
      const lines = (await Deno.readTextFile(url)).split("\n");
      const count = lines.at(-1) === "" ? lines.length - 1 : lines.length;
      const path = url.pathname.slice(root.pathname.length);
      const explained = lines.slice(0, 10).some((line) => line.includes(MARKER));
      if (count > MAX_LINES && (!explained || path.startsWith("src/"))) {
        offenders.push(`${path}: ${count} lines${explained ? " (no exemption in src/)" : ""}`);
      }
    }
  }
}

await scan(root);
if (offenders.length > 0) {
  console.error(`files over ${MAX_LINES} lines without a "${MARKER}" reason at the top:`);
  for (const offender of offenders) console.error(`  ${offender}`);
  Deno.exit(1);
}
console.log(`every file is at most ${MAX_LINES} lines or says why`);
