/**
 * How a Kafka message is described as data: the shape of Kafka's own JSON message schemas
 * (common/message/*.json in the kafka-clients jar), which scripts/generate_protocol_messages.ts
 * turns into the modules under messages/. codec.ts reads and writes any message from these.
 */

/** One field of a message or of a struct inside one. */
export interface FieldSpec {
  /** The field's name in the decoded value (camelCase of the schema's name). */
  readonly name: string;
  /** A primitive (int8 … float64, bool, string, bytes, records, uuid), `[]` + element, or a struct. */
  readonly type: string;
  /** The versions the field exists in: "3+", "0-7" or "none". */
  readonly versions: string;
  readonly nullableVersions?: string;
  /** Versions in which the field travels as a tagged field (flexible versions only). */
  readonly taggedVersions?: string;
  readonly tag?: number;
  /** The value of the field where it does not exist or is not given, as the schema writes it. */
  readonly default?: string | number | boolean;
  /** The fields of a struct, or of each element of an array of structs. */
  readonly fields?: readonly FieldSpec[];
}

/** A request, a response or a standalone data structure, and the shape `T` of its value. */
export interface MessageSpec<T> {
  readonly name: string;
  readonly apiKey?: number;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
  /** Only carries the value's type; never set. */
  readonly value?: T;
}

/** Whether `version` is in a schema's version range ("3+", "0-7", "5", "none"). */
export function inVersions(range: string | undefined, version: number): boolean {
  if (range === undefined || range === "none") return false;
  if (range.endsWith("+")) return version >= Number(range.slice(0, -1));
  const [low, high = low] = range.split("-");
  return version >= Number(low) && version <= Number(high);
}
