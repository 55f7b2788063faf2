/**
 * Group state, members and partition owners on a real broker, compared with what
 * `kafka-consumer-groups --describe --members --verbose` and `--describe --state` print: a classic
 * group of two kafkajs consumers, and (Kafka 4+) a KIP-848 group of two Java consumers speaking
 * the consumer protocol. Then the exporter's own series for both.
 */
import { assertEquals } from "../assert.ts";
import { type KafkaBroker, startKafka } from "../harness/kafka.ts";
import { runCli, startExporter, writeConfig } from "../harness/exporter.ts";
import { createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples } from "../harness/prom_text.ts";
import { Kafka, logLevel } from "kafkajs";
import { realKafkaAdmin } from "../harness/real_admin.ts";
import type { GroupDescription } from "../../src/kafka/kafka_admin.ts";

const GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

/** A group as kafka-consumer-groups prints it, in a form comparable with ours. */
interface ToolView {
  state: string;
  members: Array<{ memberId: string; clientId: string; host: string; assignment: string[] }>;
}

/** The rows of a kafka-consumer-groups table, by column header (values have no spaces). */
function tableRows(stdout: string): Array<Record<string, string>> {
  const lines = stdout.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  const headerIndex = lines.findIndex((line) => line.startsWith("GROUP "));
  if (headerIndex < 0) return [];
  const header = lines[headerIndex].split(/\s+/);
  return lines.slice(headerIndex + 1).map((line) => {
    const values = line.split(/\s+/);
    return Object.fromEntries(header.map((name, index) => [name, values[index] ?? ""]));
  });
}

/**
 * An assignment column as sorted "topic/partition" strings: "events:0,2;other:1" (Kafka 4),
 * "events(0,2),other(1)" (before) or "(0,2)" (Kafka 3.9); "-" assigns nothing.
 */
function assignmentOf(text: string): string[] {
  const partitions: string[] = [];
  for (const [, topic, list] of text.matchAll(/([^,;:()]*)[:(]([\d,]*)\)?/g)) {
    // Kafka 3.9's tool prints "(0,1,2,3)" without the topic: the test reads one topic only.
    for (const partition of list.split(",").filter((value) => value !== "")) {
      partitions.push(`${topic || "events"}/${partition}`);
    }
  }
  return partitions.sort();
}

async function toolView(broker: KafkaBroker, group: string): Promise<ToolView> {
  const base = ["--bootstrap-server", broker.bootstrap, "--describe", "--group", group];
  const members = await broker.runTool(GROUP_COMMAND, [...base, "--members", "--verbose"]);
  const state = await broker.runTool(GROUP_COMMAND, [...base, "--state"]);
  // "COORDINATOR (ID)" is two words in the header and in each row alike.
  const [stateRow] = tableRows(state.stdout);
  return {
    state: stateRow?.STATE ?? `unparsed: ${state.stdout} ${state.stderr}`,
    members: tableRows(members.stdout).map((row) => ({
      memberId: row["CONSUMER-ID"],
      clientId: row["CLIENT-ID"],
      host: row.HOST,
      assignment: assignmentOf(row["CURRENT-ASSIGNMENT"] ?? row.ASSIGNMENT ?? ""),
    })).sort((a, b) => a.clientId.localeCompare(b.clientId)),
  };
}

/** A group document of the JSON API (docs/api.md), the fields compared here. */
interface ApiGroup {
  group: string;
  state: string;
  member_count: number;
  members: Array<{
    member_id: string;
    client_id: string;
    host: string;
    assignment: Array<{ topic: string; partition: number }>;
  }>;
  partitions: Array<{ topic: string; partition: number; owner: { member_id: string } | null }>;
}

function apiMembers(document: ApiGroup): ToolView["members"] {
  return document.members.map((member) => ({
    memberId: member.member_id,
    clientId: member.client_id,
    host: member.host,
    assignment: member.assignment.map(({ topic, partition }) => `${topic}/${partition}`).sort(),
  })).sort((a, b) => a.clientId.localeCompare(b.clientId));
}

function ourView(description: GroupDescription): ToolView {
  if (description.error) throw description.error;
  return {
    state: description.state,
    members: description.members.map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      host: member.host,
      assignment: member.assignment.map(({ topic, partition }) => `${topic}/${partition}`).sort(),
    })).sort((a, b) => a.clientId.localeCompare(b.clientId)),
  };
}

Deno.test("group state, members and owners equal kafka-consumer-groups' on a real broker", async (t) => {
  await using broker = await startKafka();
  const bootstrap = broker.bootstrap;
  await createTopic(bootstrap, "events", 4);
  await produce(bootstrap, "events", [10, 10, 10, 10]);
  const kip848 = Number(broker.version.split(".")[0]) >= 4;

  // The classic group: two kafkajs consumers that stay in the group.
  const consumers = ["classic-a", "classic-b"].map((clientId) =>
    new Kafka({ brokers: [bootstrap], clientId, logLevel: logLevel.NOTHING }).consumer({
      groupId: "classic-app",
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
    })
  );
  for (const consumer of consumers) {
    await consumer.connect();
    await consumer.subscribe({ topic: "events", fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
  }
  // The KIP-848 group: two Java consumers speaking the consumer protocol.
  const javaConsumers = kip848
    ? ["kip848-a", "kip848-b"].map((clientId) =>
      broker.spawnTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
        ...["--bootstrap-server", bootstrap, "--topic", "events", "--group", "kip848-app"],
        ...["--from-beginning", "--consumer-property", "group.protocol=consumer"],
        ...["--consumer-property", `client.id=${clientId}`],
      ])
    )
    : [];
  const groups = kip848 ? ["classic-app", "kip848-app"] : ["classic-app"];

  const { admin } = realKafkaAdmin(bootstrap);
  try {
    for (const group of groups) {
      await t.step(`${group}: state, members and assignments as the tool prints them`, async () => {
        let last: unknown;
        await eventually(
          `${group} stable with every partition assigned, and described alike`,
          async () => {
            const tool = await toolView(broker, group);
            const listed = (await admin.listGroups()).groups.find((g) => g.groupId === group);
            const [ours] = await admin.describeGroups(listed ? [listed] : [{ groupId: group }], 2);
            last = { tool, ours: ourView(ours), listed };
            const assigned = tool.members.flatMap((member) => member.assignment).length;
            const stable = tool.state === "Stable" && tool.members.length === 2 && assigned === 4;
            const same = JSON.stringify(ourView(ours)) === JSON.stringify(tool);
            return stable && same && listed?.state === "Stable" ? true : undefined;
          },
          90_000,
          1_000,
        ).catch((error) => {
          throw new Error(`${error.message}: last seen ${JSON.stringify(last)}`);
        });
        const listed = (await admin.listGroups()).groups.find((g) => g.groupId === group);
        assertEquals(listed?.type, group === "kip848-app" ? "consumer" : "classic");
      });
    }

    await t.step("the exporter: series, JSON API and --once report the same", async () => {
      await using exporter = await startExporter({
        kafka_clusters: [{ name: "local", brokers: [bootstrap] }],
        app: { iteration_interval: "1s" },
        prometheus_local: { member_labels: true },
      });
      const expected = await Promise.all(groups.map((group) => toolView(broker, group)));
      await eventually(
        "state, members and owners of every group",
        async () => {
          const samples = await exporter.scrape();
          for (const [index, group] of groups.entries()) {
            const tool = expected[index];
            const [state] = findSamples(samples, "kafka_lag_exporter_group_state", { group });
            const [members] = findSamples(samples, "kafka_lag_exporter_group_members", { group });
            if (state?.labels.state !== "Stable" || members?.value !== 2) return undefined;
            assertEquals(state.labels.protocol, group === "kip848-app" ? "consumer" : "classic");
            const lagSeries = findSamples(samples, "kafka_consumer_group_lag_in_offsets", {
              group,
            });
            if (lagSeries.length !== 4) return undefined;
            for (const series of lagSeries) {
              const owner = tool.members.find((member) =>
                member.assignment.includes(`${series.labels.topic}/${series.labels.partition}`)
              );
              if (series.labels.consumer_id !== owner?.memberId) return undefined;
              assertEquals(series.labels.client_id, owner.clientId);
              assertEquals(series.labels.member_host, owner.host);
            }
          }
          return true;
        },
        60_000,
        1_000,
      );

      // The JSON API and --once --format json document the same groups alike.
      const apiBase = exporter.metricsUrl.replace(/\/metrics$/, "/api/v1/clusters");
      const getJson = async (url: string) => {
        const response = await fetch(url);
        assertEquals(response.status, 200, url);
        return await response.json();
      };
      const list = await getJson(`${apiBase}/local/groups`);
      assertEquals(
        list.groups.map((summary: { group: string }) => summary.group)
          .filter((id: string) => groups.includes(id)),
        groups,
      );
      const configPath = await writeConfig({
        kafka_clusters: [{ name: "local", brokers: [bootstrap] }],
      });
      const once = await runCli(["--once", "--format", "json", "-c", configPath]);
      assertEquals(once.code, 0, once.stderr);
      const onceGroups: ApiGroup[] = JSON.parse(once.stdout).clusters[0].groups;
      for (const [index, group] of groups.entries()) {
        const fromApi: ApiGroup = await getJson(
          `${apiBase}/local/groups/${encodeURIComponent(group)}`,
        );
        const fromOnce = onceGroups.find((document) => document.group === group)!;
        for (const document of [fromApi, fromOnce]) {
          assertEquals([document.state, document.member_count], ["Stable", 2]);
          assertEquals(apiMembers(document), expected[index].members);
          for (const partition of document.partitions) {
            const owner = expected[index].members.find((member) =>
              member.assignment.includes(`${partition.topic}/${partition.partition}`)
            );
            assertEquals(partition.owner?.member_id, owner?.memberId);
          }
        }
      }
    });
  } finally {
    await admin.close();
    for (const consumer of consumers) await consumer.disconnect();
    for (const javaConsumer of javaConsumers) await javaConsumer[Symbol.asyncDispose]();
  }
});
