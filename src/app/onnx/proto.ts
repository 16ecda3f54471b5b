// ONNX protobuf messages built from the official schema. onnx-buf is ONNX's own onnx.proto (1.20)
// compiled by protoc-gen-es; its runtime, @bufbuild/protobuf (Buf, conformance-tested, ESM, typed),
// does the wire encoding. Chosen over onnx-proto, which pins ONNX 1.10 and protobufjs 6, a major
// line no longer maintained.
import { create } from '@bufbuild/protobuf';
import {
  type AttributeProto,
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  TensorProto_DataType,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from 'onnx-buf';

/** A node attribute: an integer, a float or a list of integers (all our operators need). */
type AttrValue = number | number[] | { float: number };

function attribute(name: string, v: AttrValue): AttributeProto {
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: v.map(BigInt) });
  if (typeof v === 'object') return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: v.float });
  if (!Number.isInteger(v)) throw new Error(`onnx: attribute ${name} must be an integer, got ${v}`);
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(v) });
}

/** One operator of the default (ai.onnx) domain; `name` doubles as its single output's name. */
export function node(opType: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    name,
    input: inputs,
    output: [name],
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

/** A float32 initializer, stored as little-endian raw bytes (the ONNX rule, whatever the host). */
export function floatTensor(name: string, shape: number[], data: Float32Array): TensorProto {
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`onnx: initializer ${name} has ${data.length} values for shape [${shape}]`);
  const raw = new Uint8Array(4 * size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < size; i++) view.setFloat32(4 * i, data[i], true);
  return create(TensorProtoSchema, { name, dims: shape.map(BigInt), dataType: TensorProto_DataType.FLOAT, rawData: raw });
}

/** A float32 graph input or output; a string dimension is symbolic (dynamic). */
export function floatValue(name: string, dims: (number | string)[], docString: string): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    docString,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: TensorProto_DataType.FLOAT,
          shape: {
            dim: dims.map((d) => ({
              value: typeof d === 'number' ? { case: 'dimValue' as const, value: BigInt(d) } : { case: 'dimParam' as const, value: d },
            })),
          },
        },
      },
    },
  });
}
