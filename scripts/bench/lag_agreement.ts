/**
 * bench:scale's lag agreement: the lag in offsets the exporter publishes for every group-partition
 * against the truth. Each group's commits are known (scale_fixture.ts, regenerated from the same
 * seed) and nothing is produced during the benchmark, so the true lag of a group-partition is the
 * partition's end offset, read with kafkajs' own admin client (not the exporter's code), minus the
 * committed offset. (Not the 20 records the fixture writes: a producer retry can write a batch
 * twice.) Every published series is compared with it, and every group-partition must have one.
 */
import { withAdmin } from "../../tests/harness/kafka_fixtures.ts";
import { groupCommits } from "./scale_fixture.ts";
import { scrapeExposition } from "./scale_probes.ts";

const LAG_LINE = /^kafka_consumer_group_lag_in_offsets\{(.*)\} (\S+)$/;
/** The labels that name a group-partition, each read by one expression made once. */
const LABELS = ["group", "topic", "partition"].map((name) =>
  new RegExp(`(?:^|,)${name}="([^"]*)"`)
);

/** Counts published lags equal to, different from and missing from the fixture's truth. */
export class LagAgreement {
  readonly #expected = new Map<string, number>();
  readonly #seen = new Set<string>();
  #equal = 0;
  readonly #different: string[] = [];

  constructor(
    { topicNames, partitions, groups, endOffsets }: {
      topicNames: readonly string[];
      partitions: number;
      groups: number;
      /** End offset by "topic/partition". */
      endOffsets: ReadonlyMap<string, number>;
    },
  ) {
    const commitsOf = groupCommits({ topicNames, partitions });
    for (let index = 0; index < groups; index++) {
      const { groupId, offsets } = commitsOf(index);
      for (const { topic, partition, offset } of offsets) {
        const end = endOffsets.get(`${topic}/${partition}`) ?? NaN;
        this.#expected.set(`${groupId}/${topic}/${partition}`, end - offset);
      }
    }
  }

  /** One line of the exposition (lines of other metrics are ignored). */
  line(text: string): void {
    const match = LAG_LINE.exec(text);
    if (!match) return;
    const key = LABELS.map((label) => label.exec(match[1])?.[1]).join("/");
    this.#seen.add(key);
    const published = Number(match[2]);
    if (published === this.#expected.get(key)) this.#equal++;
    else this.#different.push(`${key}: ${published}, truth ${this.#expected.get(key)}`);
  }

  /** The counts, as a sentence (with the first differences, if any). */
  summary(): string {
    let missing = 0;
    for (const key of this.#expected.keys()) if (!this.#seen.has(key)) missing++;
    return `lag in offsets equal to the truth (end offset − committed) for ${this.#equal} of ${this.#expected.size} group-partitions; ${this.#different.length} different, ${missing} missing${
      this.#different.length > 0 ? ` (first: ${this.#different.slice(0, 3).join("; ")})` : ""
    }`;
  }
}

/** Scrapes once and compares every published group-partition lag with the truth. */
export async function checkLagAgreement(
  { metricsUrl, bootstrap, topicNames, partitions, groups }: {
    metricsUrl: string;
    bootstrap: string;
    topicNames: readonly string[];
    partitions: number;
    groups: number;
  },
): Promise<string> {
  const endOffsets = new Map<string, number>();
  await withAdmin(bootstrap, async (admin) => {
    for (const topic of topicNames) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        endOffsets.set(`${topic}/${partition}`, Number(high));
      }
    }
  });
  const agreement = new LagAgreement({ topicNames, partitions, groups, endOffsets });
  await scrapeExposition(metricsUrl, (line) => agreement.line(line));
  return agreement.summary();
}
