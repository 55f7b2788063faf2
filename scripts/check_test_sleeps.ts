/**
 * Fails when a test waits a fixed time where it should wait for a condition: every
 * `setTimeout(resolve, …)` or `sleep(…)` in tests/ needs a `sleep-ok:` comment on its line or the
 * line above saying why the time itself is the point (pacing a producer, a sampling period, a
 * fault's duration, a window whose rate is measured). Everything else uses `eventually()`.
 * Usage: deno run --allow-read scripts/check_test_sleeps.ts
 */
const root = new URL("../tests/", import.meta.url);
const SLEEP = /setTimeout\(resolve|(?<![\w.])sleep\(/;
const offenders: string[] = [];

async function scan(directory: URL): Promise<void> {
  for await (const entry of Deno.readDir(directory)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), directory);
    if (entry.isDirectory) await scan(url);
    else if (entry.name.endsWith(".ts")) {
      const lines = (await Deno.readTextFile(url)).split("\n");
      lines.forEach((line, index) => {
        if (!SLEEP.test(line) || /^\s*(const|function|\*|\/\/)/.test(line)) return;
        if (line.includes("sleep-ok:") || lines[index - 1]?.includes("sleep-ok:")) return;
        offenders.push(`${url.pathname.slice(root.pathname.length)}:${index + 1}: ${line.trim()}`);
      });
    }
  }
}

await scan(root);
if (offenders.length > 0) {
  console.error("fixed sleeps in tests (wait for the condition, or say why with sleep-ok:):");
  for (const offender of offenders) console.error(`  tests/${offender}`);
  Deno.exit(1);
}
console.log("no unexplained fixed sleep in tests/");
