/** config.example.yaml is documentation users copy: it must load, and mention every key the schema knows. */
import { assertEquals } from "./assert.ts";
import { runCli } from "./harness/exporter.ts";
import { configFileSchema } from "../src/config/schema/schema.ts";
import { z } from "zod";

const EXAMPLE = new URL("../config.example.yaml", import.meta.url).pathname;

/** Every key path of a zod object schema, e.g. "storage.redis.auth.password". */
function keyPaths(schema: z.ZodType, prefix = ""): string[] {
  let inner: z.ZodType = schema;
  for (;;) {
    const def = (inner as unknown as {
      def: { type: string; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType };
    }).def;
    if (def.innerType) inner = def.innerType;
    else if (def.type === "array" && def.element) inner = def.element;
    else if (def.type === "pipe" && def.in) inner = def.in;
    else break;
  }
  if (!(inner instanceof z.ZodObject)) return [];
  return Object.entries(inner.shape).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(value as z.ZodType, path)];
  });
}

Deno.test("config.example.yaml loads", async () => {
  const result = await runCli(["--check-config", "-c", EXAMPLE]);
  assertEquals(result.code, 0, result.stderr);
});

Deno.test("config.example.yaml mentions every key", () => {
  const text = Deno.readTextFileSync(EXAMPLE);
  const missing = keyPaths(configFileSchema).filter((path) => {
    const key = path.split(".").at(-1)!;
    return !new RegExp(`^\\s*(#\\s*)?(- )?${key}:`, "m").test(text);
  });
  assertEquals(missing, []);
});
