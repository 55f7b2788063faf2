/**
 * Turns a message description into the function that reads one version of it: JavaScript written
 * from the description, one function per struct and per array, each value built by one object
 * literal holding every field (one object shape per struct). Interpreting the description field
 * by field cost 4.5 times as much per OffsetFetch answer (bench:protocol); written out, the
 * decoder reads as the hand-written one did.
 *
 * The source is made only from the committed descriptions: field names are checked to be plain
 * identifiers and types come from a fixed list, so no byte of an answer ever becomes code.
 */
import { type FieldSpec, inVersions } from "./message_spec.ts";
import { type DecodeState, helpers } from "./decode_helpers.ts";
import type { WireReader } from "./wire.ts";

export type { DecodeState };

/** Which values to leave out or to share, by field path ("groups.topics.name"). */
export interface DecodeOptions {
  /** Fields read past without building their value (they keep their default). */
  readonly skip?: readonly string[];
  /** String fields whose repeats within one answer are the same string (topic names). */
  readonly intern?: readonly string[];
  /**
   * Structs built in the caller's own shape, by path: fields under other names, fields of the
   * enclosing struct copied in, skipped fields left out. The caller then keeps the decoded value
   * instead of copying it: for OffsetFetch a committed offset is built once, not twice.
   */
  readonly reshape?: Readonly<Record<string, StructShape>>;
  /**
   * Arrays of structs read as one flat list of their elements' own array, by the array's path and
   * that field's name: `{ "groups.topics": "partitions" }` gives each group's partitions of every
   * topic in one array (the topics' other fields reach the partitions through `fromParent`).
   */
  readonly flatten?: Readonly<Record<string, string>>;
}

/** How one struct is built when reshaped (see DecodeOptions.reshape). */
export interface StructShape {
  /** The name each field is stored under, by its schema name. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Fields copied from the enclosing struct (read before this one), by their new name. */
  readonly fromParent?: Readonly<Record<string, string>>;
  /**
   * Fields stored only when they differ from their default (an error code that is almost
   * always 0): the usual value has only the fields the caller keeps.
   */
  readonly sparse?: readonly string[];
}

/** A compiled reader of one struct: reads it from `reader` and returns its value. */
export type StructReader = (reader: WireReader) => Record<string, unknown>;

const IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9]*$/;
const NUMBER_READERS: Readonly<Record<string, string>> = {
  int8: "r.int8()",
  int16: "r.int16()",
  uint16: "r.uint16()",
  int32: "r.int32()",
  uint32: "r.uint32()",
  int64: "r.int64()",
  float64: "r.float64()",
};

/** The reader of `fields` at `version` (flexible or not), as one compiled function. */
export function compileDecoder(
  fields: readonly FieldSpec[],
  { version, flexible, options = {}, state }: {
    version: number;
    flexible: boolean;
    options?: DecodeOptions;
    state: DecodeState;
  },
): StructReader {
  const functions: string[] = [];
  const constants: unknown[] = [];
  const constant = (value: unknown): string => `c[${constants.push(value) - 1}]`;
  const nameFunction = () => `f${functions.length}`;
  /** The string fields read interned (DecodeOptions.intern), to find paths that name none. */
  const internedPaths = new Set<string>();

  const struct = (
    structFields: readonly FieldSpec[],
    { path, inherited = [], flattenField }: {
      path: string;
      inherited?: readonly string[];
      /** Read as part of a flattened array: this field's elements go to `a`, nothing else kept. */
      flattenField?: string;
    },
  ): string => {
    const name = nameFunction();
    functions.push(""); // reserve the slot: nested functions come after
    const shape = options.reshape?.[path];
    const reads: string[] = [];
    const members: string[] = inherited.map((outName, index) => `${outName}: p${index}`);
    const tagged: string[] = [];
    const sparse: string[] = [];
    const variables = new Map<string, string>();
    for (const field of structFields) {
      if (!IDENTIFIER.test(field.name)) throw new Error(`not a field name: ${field.name}`);
      const fieldPath = path === "" ? field.name : `${path}.${field.name}`;
      const outName = shape?.rename?.[field.name] ?? field.name;
      if (!IDENTIFIER.test(outName)) throw new Error(`not a field name: ${outName}`);
      const nullable = inVersions(field.nullableVersions, version);
      const fallback = defaultExpression(field, { version, nullable, constant });
      const present = inVersions(field.versions, version);
      if (present && flexible && inVersions(field.taggedVersions, version)) {
        const read = valueExpression(field, { path: fieldPath, nullable, variables });
        tagged.push(`case ${Number(field.tag)}: v.${outName} = ${read}; break;`);
        members.push(`${outName}: ${fallback}`);
      } else if (present && options.skip?.includes(fieldPath)) {
        reads.push(
          field.type === "string"
            ? `h.skipString(r, ${flexible});`
            : `${valueExpression(field, { path: fieldPath, nullable, variables })};`,
        );
        // A reshaped struct leaves skipped fields out; a plain one keeps its schema's shape.
        if (!shape) members.push(`${outName}: ${fallback}`);
      } else if (present && field.name === flattenField) {
        reads.push(flattenedElements(field, { path: fieldPath, nullable, variables }));
      } else if (present) {
        const variable = `v${reads.length}`;
        const read = valueExpression(field, { path: fieldPath, nullable, variables });
        reads.push(`const ${variable} = ${read};`);
        variables.set(field.name, variable);
        if (shape?.sparse?.includes(field.name)) {
          sparse.push(
            `if (${variable} !== ${fallback}) { v.${outName} = ${variable}; s.sparseSet = true; }`,
          );
        } else members.push(`${outName}: ${variable}`);
      } else if (!shape) members.push(`${outName}: ${fallback}`);
    }
    const taggedSection = !flexible
      ? ""
      : tagged.length === 0
      ? "h.skipTagged(r);"
      : `for (let n = r.unsignedVarint(); n > 0; n--) {
          const tag = r.unsignedVarint(); const size = r.unsignedVarint(); const end = r.position + size;
          switch (tag) { ${tagged.join(" ")} default: r.slice(size); }
          if (r.position !== end) throw new RangeError("tagged field ${path} " + tag + " is not " + size + " bytes");
        }`;
    const params = inherited.map((_, index) => `, p${index}`).join("");
    if (flattenField !== undefined) {
      // Its tagged fields are of a struct nobody keeps: read past.
      functions[Number(name.slice(1))] = `function ${name}(r, a${params}) {
        ${reads.join("\n")}
        ${flexible ? "h.skipTagged(r);" : ""}
      }`;
      return name;
    }
    functions[Number(name.slice(1))] = `function ${name}(r${params}) {
      ${reads.join("\n")}
      const v = { ${members.join(", ")} };
      ${sparse.join("\n")}
      ${taggedSection}
      return v;
    }`;
    return name;
  };

  /**
   * The fields of the struct being read that the reshaped child at `path` copies in: passed as
   * arguments (`args`), received as parameters (`params`) under their new names (`inherited`).
   */
  const fromParentOf = (path: string, variables: ReadonlyMap<string, string>) => {
    const fromParent = Object.entries(options.reshape?.[path]?.fromParent ?? {});
    const args = fromParent.map(([outName, parentField]) => {
      const variable = variables.get(parentField);
      if (!variable) throw new Error(`${path}.${outName}: ${parentField} is not read before it`);
      return `, ${variable}`;
    }).join("");
    return {
      args,
      params: fromParent.map((_, index) => `, p${index}`).join(""),
      inherited: fromParent.map(([outName]) => outName),
    };
  };

  const valueExpression = (
    field: FieldSpec,
    { path, nullable, variables }: {
      path: string;
      nullable: boolean;
      variables: ReadonlyMap<string, string>;
    },
  ): string => {
    const { args, params, inherited } = fromParentOf(path, variables);
    if (field.type.startsWith("[]")) {
      const flattenField = options.flatten?.[path];
      // A flattened array collects its elements' own elements; a plain one its elements.
      const fill = field.fields && flattenField !== undefined
        ? `const a = [];
          for (let i = 0; i < n; i++) ${
          struct(field.fields, { path, inherited, flattenField })
        }(r, a${params});`
        : `const a = new Array(n);
          for (let i = 0; i < n; i++) a[i] = ${
          field.fields
            ? `${struct(field.fields, { path, inherited })}(r${params})`
            : primitiveExpression(field.type.slice(2), { path, nullable: false })
        };`;
      const name = nameFunction();
      functions.push(`function ${name}(r${params}) {
        const n = h.count(r, ${flexible}, ${constant(path)});
        if (n < 0) { if (${nullable}) return null; throw new RangeError(${
        constant(path)
      } + ": null where an array is required"); }
        ${fill}
        return a;
      }`);
      return `${name}(r${args})`;
    }
    if (field.fields) return `${struct(field.fields, { path, inherited })}(r${args})`;
    return primitiveExpression(field.type, { path, nullable });
  };

  /** The statements pushing a flattened struct's array elements into its list `a`. */
  const flattenedElements = (
    field: FieldSpec,
    { path, nullable, variables }: {
      path: string;
      nullable: boolean;
      variables: ReadonlyMap<string, string>;
    },
  ): string => {
    if (!field.type.startsWith("[]") || !field.fields) {
      throw new Error(`${path}: only an array of structs can be flattened`);
    }
    const { args, inherited } = fromParentOf(path, variables);
    const element = struct(field.fields, { path, inherited });
    return `{
      const m = h.count(r, ${flexible}, ${constant(path)});
      if (m < 0 && !${nullable}) throw new RangeError(${
      constant(path)
    } + ": null where an array is required");
      for (let j = 0; j < m; j++) a.push(${element}(r${args}));
    }`;
  };

  const primitiveExpression = (
    type: string,
    { path, nullable }: { path: string; nullable: boolean },
  ): string => {
    if (type in NUMBER_READERS) return NUMBER_READERS[type];
    const where = constant(path);
    switch (type) {
      case "bool":
        return "(r.int8() !== 0)";
      case "uuid":
        return "r.uuid()";
      case "string": {
        const interned = options.intern?.includes(path) ?? false;
        if (interned) internedPaths.add(path);
        return `h.string(r, ${flexible}, ${nullable}, ${interned}, ${where})`;
      }
      case "bytes":
      case "records":
        return `h.bytes(r, ${flexible}, ${nullable}, ${where})`;
      default:
        throw new Error(`${path}: unknown Kafka type ${type}`);
    }
  };

  const top = struct(fields, { path: "" });
  // A misspelled path would silently not intern.
  const notFound = (options.intern ?? []).filter((path) => !internedPaths.has(path));
  if (notFound.length > 0) throw new Error(`intern: no string field ${notFound.join(", ")}`);
  const source = `"use strict";\n${functions.join("\n")}\nreturn ${top};`;
  return new Function("h", "c", "s", source)(helpers(state), constants, state) as StructReader;
}

function defaultExpression(
  field: FieldSpec,
  { version, nullable, constant }: {
    version: number;
    nullable: boolean;
    constant: (value: unknown) => string;
  },
): string {
  const given = field.default;
  if (given === "null" && nullable) return "null";
  if (field.type.startsWith("[]")) return "[]";
  if (field.fields) {
    const members = field.fields.map((inner) =>
      `${inner.name}: ${
        defaultExpression(inner, {
          version,
          nullable: inVersions(inner.nullableVersions, version),
          constant,
        })
      }`
    );
    return `{ ${members.join(", ")} }`;
  }
  switch (field.type) {
    case "bool":
      return String(given === true || given === "true");
    case "string":
      return constant(typeof given === "string" ? given : "");
    case "uuid":
      return constant("00000000000000000000000000000000");
    case "bytes":
    case "records":
      return nullable ? "null" : "new Uint8Array(0)";
    default:
      return String(given === undefined ? 0 : Number(given));
  }
}
