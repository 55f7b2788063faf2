import { assertEquals } from "./assert.ts";
import { generateMessageModules, newestClientsJar } from "../scripts/generate_protocol_messages.ts";

Deno.test("the committed message descriptions are what the kafka-clients jar's schemas give", async () => {
  // The tests' bootstrap downloads Kafka (scripts/fetch_kafka.sh); its jar holds the schemas.
  const root = new URL("../", import.meta.url);
  const modules = await generateMessageModules(await newestClientsJar(root));
  for (const [file, text] of modules) {
    const committed = await Deno.readTextFile(new URL(`src/kafka/protocol/messages/${file}`, root));
    assertEquals(committed, text, `${file} differs: run deno task generate:protocol`);
  }
});
