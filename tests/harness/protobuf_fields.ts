/** Reading protobuf bytes field by field, to check the push encoders without generated code. */

/** A minimal protobuf reader, to check the encoder field by field. */
export function readFields(bytes: Uint8Array): Array<[number, number | bigint | Uint8Array]> {
  const fields: Array<[number, number | bigint | Uint8Array]> = [];
  let position = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[position++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (position < bytes.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wireType = key & 7;
    if (wireType === 0) fields.push([field, varint()]);
    else if (wireType === 1) {
      fields.push([
        field,
        new DataView(bytes.buffer, bytes.byteOffset + position, 8).getFloat64(0, true),
      ]);
      position += 8;
    } else if (wireType === 2) {
      const length = Number(varint());
      fields.push([field, bytes.subarray(position, position + length)]);
      position += length;
    } else throw new Error(`wire type ${wireType}`);
  }
  return fields;
}
