/**
 * Reads an ONNX file's `metadata_props` (ModelProto field 14, repeated StringStringEntryProto
 * {key = 1, value = 2}; onnx/onnx.proto3). onnxruntime-node exposes input and output metadata but
 * not these custom properties, so the top-level protobuf fields are walked here; the graph
 * (field 7, most of the bytes) is skipped by its length without being decoded.
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const reader = new ProtoReader(bytes);
  const metadata: Record<string, string> = {};
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === metadataPropsField && wireType === lengthDelimited) {
      const entry = new ProtoReader(reader.bytes());
      let key = '';
      let value = '';
      while (!entry.done()) {
        const inner = entry.tag();
        if (inner.field === 1 && inner.wireType === lengthDelimited) key = entry.string();
        else if (inner.field === 2 && inner.wireType === lengthDelimited) value = entry.string();
        else entry.skip(inner.wireType);
      }
      metadata[key] = value;
    } else {
      reader.skip(wireType);
    }
  }
  return metadata;
}

const metadataPropsField = 14;
const varint = 0;
const fixed64 = 1;
const lengthDelimited = 2;
const fixed32 = 5;

class ProtoReader {
  private position = 0;
  constructor(private readonly buffer: Uint8Array) {}

  done(): boolean {
    return this.position >= this.buffer.length;
  }

  tag(): { field: number; wireType: number } {
    const tag = this.varint();
    return { field: Math.floor(tag / 8), wireType: tag % 8 };
  }

  /** Varints up to 2^53: enough for tags and lengths of a file that fits in memory. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.position >= this.buffer.length) throw new Error('ONNX file truncated inside a varint');
      const byte = this.buffer[this.position++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }

  bytes(): Uint8Array {
    const length = this.varint();
    const end = this.position + length;
    if (end > this.buffer.length) throw new Error('ONNX file truncated inside a length-delimited field');
    const slice = this.buffer.subarray(this.position, end);
    this.position = end;
    return slice;
  }

  string(): string {
    return new TextDecoder().decode(this.bytes());
  }

  skip(wireType: number): void {
    if (wireType === varint) this.varint();
    else if (wireType === fixed64) this.position += 8;
    else if (wireType === lengthDelimited) this.bytes();
    else if (wireType === fixed32) this.position += 4;
    else throw new Error(`not an ONNX file: protobuf wire type ${wireType} at byte ${this.position}`);
  }
}
