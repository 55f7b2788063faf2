/** The Kafka error codes the exporter acts on, by name: one table for every API we read. */
export const KAFKA_ERROR_NAMES: Readonly<Record<number, string>> = {
  1: "OFFSET_OUT_OF_RANGE",
  3: "UNKNOWN_TOPIC_OR_PARTITION",
  5: "LEADER_NOT_AVAILABLE",
  6: "NOT_LEADER_OR_FOLLOWER",
  9: "REPLICA_NOT_AVAILABLE",
  14: "COORDINATOR_LOAD_IN_PROGRESS",
  15: "COORDINATOR_NOT_AVAILABLE",
  16: "NOT_COORDINATOR",
  29: "TOPIC_AUTHORIZATION_FAILED",
  30: "GROUP_AUTHORIZATION_FAILED",
  31: "CLUSTER_AUTHORIZATION_FAILED",
  69: "GROUP_ID_NOT_FOUND",
  74: "FENCED_LEADER_EPOCH",
  75: "UNKNOWN_LEADER_EPOCH",
};

export const OFFSET_OUT_OF_RANGE = 1;
export const LEADER_NOT_AVAILABLE = 5;
export const REPLICA_NOT_AVAILABLE = 9;
export const TOPIC_AUTHORIZATION_FAILED = 29;
/** The group no longer exists (deleted since it was listed). */
export const GROUP_ID_NOT_FOUND = 69;

/** A code's name, or its number when it is not one the exporter knows. */
export function kafkaErrorName(errorCode: number): string {
  return KAFKA_ERROR_NAMES[errorCode] ?? `Kafka error code ${errorCode}`;
}

/** Errors after which the group's coordinator must be looked up again. */
export function isCoordinatorError(errorCode: number): boolean {
  return errorCode === 14 || errorCode === 15 || errorCode === 16;
}

/** Errors after which a partition is asked again at its (new) leader. */
export function isRetriableLeaderError(errorCode: number): boolean {
  return errorCode === 3 || errorCode === 5 || errorCode === 6 || errorCode === 74 ||
    errorCode === 75;
}
