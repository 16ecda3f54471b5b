// Weight files in the safetensors layout: u64 little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}, then raw
// little-endian bytes. Everything is validated before use: a corrupt or truncated file gives a clear
// error, never a wrong tensor. The header's size is bounded (limits.ts) before it is read.
// F32 and I32 are read as they are. What PyTorch users commonly save is converted on load: F16 and
// BF16 to F32 exactly, F64 to F32 rounded, I64 to I32 when every value fits (else refused). Any
// other dtype (U8, BOOL, F8_*, ...) is refused naming it. Files are always written as F32/I32.
import { getLimits } from '../core/limits.js';

export interface NamedArray {
  shape: number[];
  data: Float32Array | Int32Array;
  /** The file's dtype when it was converted on load (F16, BF16, F64 or I64); absent otherwise. */
  convertedFrom?: string;
}
const DTYPES = { F32: 4, I32: 4, F16: 2, BF16: 2, F64: 8, I64: 8 } as const;
type Dtype = keyof typeof DTYPES;
const SUPPORTED = 'F32 and I32 are read as they are; F16, BF16 and F64 are converted to F32, I64 to I32';

export function encodeSafetensors(tensors: Map<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const [name, t] of tensors) {
    const n = t.data.length * 4;
    header[name] = { dtype: t.data instanceof Int32Array ? 'I32' : 'F32', shape: t.shape, data_offsets: [off, off + n] };
    off += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // align the data to 8 bytes
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, hb.length, true);
  dv.setUint32(4, 0, true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const t of tensors.values()) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (littleEndian) out.set(bytes, p);
    else for (let i = 0; i < t.data.length; i++) dv.setFloat32(p + 4 * i, t.data[i], true);
    p += t.data.byteLength;
  }
  return out;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface DecodedSafetensors {
  tensors: Map<string, NamedArray>;
  metadata: Record<string, string>;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'weights'): DecodedSafetensors {
  const fail = (msg: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${msg}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true),
    hi = dv.getUint32(4, true);
  const max = getLimits().maxHeaderBytes;
  if (hi !== 0 || lo > max)
    fail(`header length ${hi * 2 ** 32 + lo} exceeds ${max} bytes (maxHeaderBytes; raise it with setLimits({ maxHeaderBytes: N }))`);
  if (8 + lo > bytes.length) fail(`header length ${lo} runs past the end of the file (${bytes.length} bytes; truncated?)`);
  let header: Record<string, any>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + lo)));
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + lo,
    dataLen = bytes.length - dataStart;
  const tensors = new Map<string, NamedArray>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!info || typeof info !== 'object' || Array.isArray(info) || !Object.values(info).every((v) => typeof v === 'string'))
        fail('__metadata__ must be an object of strings');
      metadata = info;
      continue;
    }
    if (!info || typeof info !== 'object') fail(`entry '${name}' is not an object`);
    // a dtype that is not a string must not be used as a key (an object's own toString would run)
    const size = typeof info.dtype === 'string' && Object.hasOwn(DTYPES, info.dtype) ? DTYPES[info.dtype as keyof typeof DTYPES] : 0;
    if (!size)
      fail(
        info.dtype === undefined
          ? `tensor '${name}' has no dtype`
          : `tensor '${name}' has unsupported dtype ${JSON.stringify(info.dtype)} (${SUPPORTED})`,
      );
    if (!Array.isArray(info.shape) || info.shape.some((d: unknown) => !Number.isInteger(d) || (d as number) < 0))
      fail(`tensor '${name}' has an invalid shape ${info.shape === undefined ? '(none)' : JSON.stringify(info.shape)}`);
    const off = info.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((v: unknown) => Number.isInteger(v) && (v as number) >= 0) ||
      off[1] < off[0]
    ) {
      fail(`tensor '${name}' has invalid data_offsets ${off === undefined ? '(none)' : JSON.stringify(off)}`);
    }
    if (off[1] > dataLen) fail(`tensor '${name}' data [${off[0]}, ${off[1]}) lies outside the ${dataLen} data bytes (truncated file?)`);
    const n = info.shape.reduce((a: number, b: number) => a * b, 1);
    if (off[1] - off[0] !== n * size)
      fail(`tensor '${name}' of shape [${info.shape}] needs ${n * size} bytes, its offsets span ${off[1] - off[0]}`);
    spans.push([off[0], off[1], name]);
    const raw = bytes.subarray(dataStart + off[0], dataStart + off[1]);
    const dtype = info.dtype as Dtype;
    if (dtype === 'F32' || dtype === 'I32') {
      // a fresh copy: Node Buffer.slice would return a view into a shared pool
      const copy = new Uint8Array(raw);
      const data = dtype === 'I32' ? new Int32Array(copy.buffer, 0, n) : new Float32Array(copy.buffer, 0, n);
      if (!littleEndian) {
        const v = new DataView(copy.buffer);
        for (let i = 0; i < n; i++) (data as Float32Array)[i] = dtype === 'I32' ? v.getInt32(4 * i, true) : v.getFloat32(4 * i, true);
      }
      tensors.set(name, { shape: info.shape.slice(), data });
    } else {
      const data = converted(raw, dtype, n, (msg) => fail(`tensor '${name}' (${dtype}) ${msg}`));
      tensors.set(name, { shape: info.shape.slice(), data, convertedFrom: dtype });
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++)
    if (spans[i][0] < spans[i - 1][1]) fail(`tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap`);
  return { tensors, metadata };
}

/** F16/BF16/F64 values as F32, I64 as I32 (refused through `fail` when a value does not fit). */
function converted(
  raw: Uint8Array,
  dtype: Exclude<Dtype, 'F32' | 'I32'>,
  n: number,
  fail: (msg: string) => never,
): Float32Array | Int32Array {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'I64') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x = v.getBigInt64(8 * i, true);
      if (x < -2147483648n || x > 2147483647n) fail(`has the value ${x} at index ${i}, outside the int32 range it is read into`);
      out[i] = Number(x);
    }
    return out;
  }
  const out = new Float32Array(n);
  if (dtype === 'F64') for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true);
  else if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = v.getUint16(2 * i, true) << 16;
  } else for (let i = 0; i < n; i++) out[i] = halfToFloat(v.getUint16(2 * i, true));
  return out;
}

/** IEEE 754 binary16 bits to a number (exact: every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1,
    exp = (h >> 10) & 0x1f,
    frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
