import { assertEquals } from "../../../tests/assert.ts";
import { seedBrokers } from "./broker_addresses.ts";

Deno.test("seedBrokers()", async (t) => {
  const seeds = seedBrokers(["[2001:db8::1]:9093", "[::1]:9092", "kafka-1:9092"]);
  await t.step("an IPv6 seed is handed to kafkajs without colons", () => {
    assertEquals(seeds.brokers, ["ipv6.2001-db8--1:9093", "ipv6.--1:9092", "kafka-1:9092"]);
  });
  await t.step("our encoded seeds are decoded back to their addresses", () => {
    assertEquals(seeds.realHost("ipv6.2001-db8--1"), "2001:db8::1");
    assertEquals(seeds.realHost("ipv6.--1"), "::1");
  });
  await t.step("advertised host names pass untouched, even those starting with ipv6.", () => {
    for (const host of ["ipv6.kafka-1.corp", "ipv6.2001-db8--2", "kafka-1", "10.0.0.1"]) {
      assertEquals(seeds.realHost(host), host);
    }
  });
});

Deno.test("a socket of a dead broker: repeated disconnects queue no listener", async () => {
  const { socketFactory } = seedBrokers(["127.0.0.1:1"]);
  const socket = socketFactory({
    host: "127.0.0.1",
    port: 1,
    ssl: undefined as unknown as Record<string, never>,
    onConnect: () => {},
  });
  const failed = new Promise((resolve) => socket.once("error", resolve));
  socket.on("error", () => {});
  await failed;
  const before = socket.listenerCount("connect");
  // What kafkajs' disconnect() does, once per failed attempt while the broker stays dead.
  for (let attempt = 0; attempt < 20; attempt++) {
    socket.end();
    socket.unref();
  }
  assertEquals(socket.listenerCount("connect"), before);
});
