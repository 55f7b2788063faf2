/**
 * Where each group's coordinator is: looked up with FindCoordinator v4, many groups per request
 * (KIP-699; one request per group before Kafka 3.0), and remembered across iterations, as every
 * group request (OffsetFetch, DescribeGroups, ConsumerGroupDescribe) goes to the coordinator.
 */
import {
  type AdminContext,
  anyBroker,
  asError,
  askBroker,
  explainAuthorization,
  groupError,
  type InternalConnectedBroker,
  sendOwnRequest,
  supports,
} from "./kafkajs/internals.ts";
import {
  decodeFindCoordinatorV4,
  encodeFindGroupCoordinatorsV4,
  FIND_COORDINATOR,
} from "./protocol/find_coordinator.ts";
import { mapConcurrent } from "../util/map_concurrent.ts";

const MAX_REMEMBERED_COORDINATORS = 500_000;
const MAX_GROUPS_PER_FIND_COORDINATOR = 1_000;

/** The coordinators of groups, remembered between iterations. */
export class GroupCoordinators {
  readonly #coordinators = new Map<string, string>();
  readonly #groupBatching: boolean | undefined;

  /** `groupBatching: false` forces one request per group, as before Kafka 3.0 (for tests). */
  constructor(options: { groupBatching?: boolean } = {}) {
    this.#groupBatching = options.groupBatching;
  }

  /** Forgets every remembered coordinator (after a reconnect). */
  forget(): void {
    this.#coordinators.clear();
  }

  /** Forgets one group's coordinator: it moved or did not answer. */
  forgetGroup(groupId: string): void {
    this.#coordinators.delete(groupId);
  }

  /**
   * The coordinators of the groups, by node id. They are remembered across iterations (kafkajs
   * would send a FindCoordinator before every OffsetFetch); unknown ones are looked up with
   * FindCoordinator v4, many groups per request (one request per group before Kafka 3.0).
   */
  async lookUp(
    context: AdminContext,
    { groupIds, concurrency, failed }: {
      groupIds: readonly string[];
      concurrency: number;
      failed: (groupId: string, error: Error) => void;
    },
  ): Promise<Map<string, string[]>> {
    const byCoordinator = new Map<string, string[]>();
    const assign = (groupId: string, nodeId: string) => {
      const members = byCoordinator.get(nodeId);
      if (members) members.push(groupId);
      else byCoordinator.set(nodeId, [groupId]);
    };
    const unknown: string[] = [];
    for (const groupId of groupIds) {
      const known = this.#coordinators.get(groupId);
      if (known === undefined) unknown.push(groupId);
      else assign(groupId, known);
    }
    if (unknown.length === 0) return byCoordinator;
    // Bounded: forget everything rather than grow without limit on clusters with churning groups.
    if (this.#coordinators.size + unknown.length > MAX_REMEMBERED_COORDINATORS) {
      this.#coordinators.clear();
    }
    const remember = (groupId: string, nodeId: string) => {
      this.#coordinators.set(groupId, nodeId);
      assign(groupId, nodeId);
    };
    const { cluster } = context;
    const someBroker = await anyBroker(cluster, context.unresponsive);
    const someNodeId = String(someBroker.nodeId);
    if (supports(someBroker, FIND_COORDINATOR, this.#groupBatching)) {
      const batches: string[][] = [];
      for (let start = 0; start < unknown.length; start += MAX_GROUPS_PER_FIND_COORDINATOR) {
        batches.push(unknown.slice(start, start + MAX_GROUPS_PER_FIND_COORDINATOR));
      }
      await mapConcurrent({ items: batches, concurrency }, async (batch) => {
        try {
          const answers = await askBroker(
            context,
            { nodeId: someNodeId, api: "FindCoordinator" },
            () => sendFindCoordinatorV4(someBroker, batch),
          );
          for (const { key, nodeId, errorCode } of answers) {
            if (errorCode === 0) remember(key, String(nodeId));
            else failed(key, groupError(errorCode));
          }
        } catch (error) {
          for (const groupId of batch) {
            failed(groupId, asError(explainAuthorization(error)));
          }
        }
      });
    } else {
      await mapConcurrent({ items: unknown, concurrency }, async (groupId) => {
        try {
          const coordinator = await context.timed(
            "FindCoordinator",
            () => cluster.findGroupCoordinator({ groupId }),
          );
          remember(groupId, String(coordinator.nodeId));
        } catch (error) {
          failed(groupId, asError(explainAuthorization(error)));
        }
      });
    }
    return byCoordinator;
  }
}

function sendFindCoordinatorV4(broker: InternalConnectedBroker, groupIds: string[]) {
  return sendOwnRequest(broker, {
    api: FIND_COORDINATOR,
    body: encodeFindGroupCoordinatorsV4(groupIds),
    decode: decodeFindCoordinatorV4,
  });
}
