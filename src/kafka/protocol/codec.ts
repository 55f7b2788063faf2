/**
 * One encoder and one decoder for every Kafka message, driven by its description (messages/*.ts,
 * generated from Kafka's schemas): the layout of a version follows from each field's versions,
 * nullable versions and tags, and from whether the version is flexible (compact lengths, tagged
 * fields). A codec is compiled once per message and version (the decoder into
 * JavaScript: compile_decoder.ts), so reading an answer walks no description.
 *
 * Hostile bytes: every length is checked against the bytes left before anything is allocated for
 * it (an array of 2^31 elements in a 10-byte answer fails at once), and a read past the end
 * throws RangeError; callers contain that per answer.
 */
import {
  compileDecoder,
  type DecodeOptions,
  type DecodeState,
  type StructReader,
} from "./compile_decoder.ts";
import { type FieldSpec, inVersions, type MessageSpec } from "./message_spec.ts";
import { WireReader, WireWriter } from "./wire.ts";
import { StringInterner } from "./decode_helpers.ts";

export type { DecodeOptions };

/** The API key, version and name of a request, as the transport needs them. */
export interface ApiVersion {
  readonly apiKey: number;
  readonly version: number;
  readonly name: string;
}

/** Encodes requests of one API version (the body after kafkajs' classic request header). */
export class RequestEncoder<T> {
  readonly api: ApiVersion;
  readonly #write: Write;
  readonly #flexible: boolean;

  constructor(spec: MessageSpec<T>, version: number) {
    if (spec.apiKey === undefined) throw new Error(`${spec.name} is not a request`);
    checkVersion(spec, version);
    this.api = { apiKey: spec.apiKey, version, name: spec.name.replace(/Request$/, "") };
    this.#flexible = inVersions(spec.flexibleVersions, version);
    this.#write = compileStruct(spec.fields, { version, flexible: this.#flexible, path: "" });
  }

  /** The body of a request; fields left out take their schema default. */
  encode(value: T): Uint8Array {
    const writer = new WireWriter();
    // A flexible request header (v2) is the classic one plus tagged fields: none.
    if (this.#flexible) writer.noTaggedFields();
    this.#write(writer, value);
    return writer.toBytes();
  }
}

/**
 * Decodes one version of a message: an answer (the bytes after the correlation id, which start
 * with the response header's tagged fields in flexible versions), or with `header: false` a
 * standalone structure such as ConsumerProtocolAssignment.
 */
export class MessageDecoder<T> {
  readonly #read: StructReader;
  readonly #skipsHeader: boolean;
  readonly #state: DecodeState = { interner: undefined, sparseSet: false };

  constructor(
    spec: MessageSpec<T>,
    { version, header = true, ...options }: DecodeOptions & { version: number; header?: boolean },
  ) {
    checkVersion(spec, version);
    const flexible = inVersions(spec.flexibleVersions, version);
    this.#skipsHeader = header && flexible;
    // One interner for the decoder's life: the same names come back in every answer.
    if ((options.intern ?? []).length > 0) this.#state.interner = new StringInterner();
    this.#read = compileDecoder(spec.fields, { version, flexible, options, state: this.#state });
  }

  /**
   * Whether the last answer decoded set a sparse field anywhere (a partition error, for
   * OffsetFetch): when not, no element needs looking at for one.
   */
  get sparseSet(): boolean {
    return this.#state.sparseSet;
  }

  /** The decoded value; throws RangeError when the bytes end early or a length is impossible. */
  decode(bytes: Uint8Array): T {
    const reader = new WireReader(bytes);
    if (this.#skipsHeader) {
      for (let count = reader.unsignedVarint(); count > 0; count--) {
        reader.unsignedVarint();
        reader.skip(reader.unsignedVarint());
      }
    }
    this.#state.sparseSet = false;
    return this.#read(reader) as T;
  }
}

type Write = (writer: WireWriter, value: unknown) => void;

interface Context {
  readonly version: number;
  readonly flexible: boolean;
  /** The dotted path of the field being compiled, for error messages. */
  readonly path: string;
}

function checkVersion(spec: MessageSpec<unknown>, version: number): void {
  if (!inVersions(spec.validVersions, version)) {
    throw new Error(`${spec.name} has no version ${version} (valid: ${spec.validVersions})`);
  }
}

/** The writer of a struct: its fields of this version in order, then its tagged fields. */
function compileStruct(fields: readonly FieldSpec[], context: Context): Write {
  const { version, flexible } = context;
  const present: Array<{ name: string; write: Write }> = [];
  const tagged: Array<{ name: string; tag: number; write: Write }> = [];
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue;
    const path = context.path === "" ? field.name : `${context.path}.${field.name}`;
    const write = compileField(field, { ...context, path });
    if (flexible && inVersions(field.taggedVersions, version)) {
      tagged.push({ name: field.name, tag: field.tag!, write });
    } else present.push({ name: field.name, write });
  }
  tagged.sort((a, b) => a.tag - b.tag);
  return (writer, value) => {
    const struct = (value ?? {}) as Record<string, unknown>;
    for (const field of present) field.write(writer, struct[field.name]);
    if (!flexible) return;
    // A tagged field travels only when given; left out, the reader takes its default.
    const given = tagged.filter((field) => struct[field.name] !== undefined);
    writer.unsignedVarint(given.length);
    for (const field of given) {
      const inner = new WireWriter();
      field.write(inner, struct[field.name]);
      const bytes = inner.toBytes();
      writer.unsignedVarint(field.tag).unsignedVarint(bytes.byteLength).raw(bytes);
    }
  };
}

function compileField(field: FieldSpec, context: Context): Write {
  const nullable = inVersions(field.nullableVersions, context.version);
  if (!field.type.startsWith("[]")) {
    return field.fields
      ? compileStruct(field.fields, context)
      : primitiveWriter(field, { ...context, nullable });
  }
  const element = field.fields
    ? compileStruct(field.fields, context)
    : primitiveWriter({ ...field, type: field.type.slice(2), default: undefined }, {
      ...context,
      nullable: false,
    });
  const { flexible } = context;
  return (writer, value) => {
    if (value === null && nullable) {
      if (flexible) writer.unsignedVarint(0);
      else writer.int32(-1);
      return;
    }
    const list = Array.isArray(value) ? value : [];
    if (flexible) writer.unsignedVarint(list.length + 1);
    else writer.int32(list.length);
    for (const item of list) element(writer, item);
  };
}

function primitiveWriter(field: FieldSpec, context: Context & { nullable: boolean }): Write {
  const { flexible, nullable, path } = context;
  // A field left out is written as its schema default.
  const fallback = field.default;
  const number = (value: unknown) =>
    typeof value === "number" ? value : fallback === undefined ? 0 : Number(fallback);
  switch (field.type) {
    case "int8":
      return (writer, value) => writer.int8(number(value));
    case "int16":
      return (writer, value) => writer.int16(number(value));
    case "uint16":
      return (writer, value) => writer.uint16(number(value));
    case "int32":
      return (writer, value) => writer.int32(number(value));
    case "uint32":
      return (writer, value) => writer.uint32(number(value));
    case "int64":
      return (writer, value) => writer.int64(number(value));
    case "float64":
      return (writer, value) => writer.float64(number(value));
    case "bool":
      return (writer, value) =>
        writer.boolean(typeof value === "boolean" ? value : fallback === "true");
    case "uuid":
      return (writer, value) => writer.uuid(typeof value === "string" ? value : "");
    case "string":
      return (writer, value) => {
        const text = typeof value === "string"
          ? value
          : value === null || fallback === "null"
          ? null
          : String(fallback ?? "");
        if (text === null && nullable) {
          if (flexible) writer.unsignedVarint(0);
          else writer.int16(-1);
        } else if (flexible) writer.compactString(text ?? "");
        else writer.string(text ?? "");
      };
    case "bytes":
    case "records":
      return (writer, value) => {
        if ((value === null || value === undefined) && nullable) {
          if (flexible) writer.unsignedVarint(0);
          else writer.int32(-1);
          return;
        }
        const bytes = value instanceof Uint8Array ? value : new Uint8Array(0);
        if (flexible) writer.compactBytes(bytes);
        else writer.bytes(bytes);
      };
    default:
      throw new Error(`${path}: unknown Kafka type ${field.type}`);
  }
}
