"""Safetensors files without the `safetensors` package.

Debian (where this twin's tests get torch and torchvision) packages no `safetensors`, and the format
is small: a u64 little-endian header length, a JSON header {name: {dtype, shape, data_offsets},
"__metadata__": {str: str}}, then the raw little-endian data. So it is read and written here with
json + struct + numpy, validating as the TypeScript reader (src/nn/safetensors.ts) does.
"""

import json
import struct

import numpy as np
import torch

# dtype name -> (numpy little-endian dtype, torch dtype). BF16 has no numpy dtype: its 16 bits are
# moved through int16 and reinterpreted by torch.
_DTYPES = {
    "F64": ("<f8", torch.float64),
    "F32": ("<f4", torch.float32),
    "F16": ("<f2", torch.float16),
    "BF16": ("<i2", torch.bfloat16),
    "I64": ("<i8", torch.int64),
    "I32": ("<i4", torch.int32),
    "I16": ("<i2", torch.int16),
    "I8": ("i1", torch.int8),
    "U8": ("u1", torch.uint8),
    "BOOL": ("?", torch.bool),
}
_NAMES = {t: name for name, (_, t) in _DTYPES.items()}
MAX_HEADER_BYTES = 100 << 20


def load_bytes(data, source="weights"):
    """(tensors: {name: torch.Tensor}, metadata: {str: str}) from the bytes of a safetensors file."""

    def fail(msg):
        raise ValueError(f"{source}: not a valid safetensors file: {msg}")

    data = memoryview(data)
    if len(data) < 8:
        fail(f"{len(data)} bytes is too short for the header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES:
        fail(f"header length {n} exceeds {MAX_HEADER_BYTES} bytes")
    if 8 + n > len(data):
        fail(f"header length {n} runs past the end of the file ({len(data)} bytes; truncated?)")
    try:
        header = json.loads(bytes(data[8 : 8 + n]).decode("utf-8"))
    except ValueError as e:
        fail(f"header is not valid JSON ({e})")
    if not isinstance(header, dict):
        fail("header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        fail("__metadata__ must be an object of strings")
    body = data[8 + n :]
    tensors, spans = {}, []
    for name, info in header.items():
        if not isinstance(info, dict):
            fail(f"entry '{name}' is not an object")
        dtype = info.get("dtype")
        if dtype not in _DTYPES:
            fail(f"tensor '{name}' has unsupported dtype {json.dumps(dtype)} (supported: {', '.join(_DTYPES)})")
        shape, off = info.get("shape"), info.get("data_offsets")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            fail(f"tensor '{name}' has an invalid shape {json.dumps(shape)}")
        if not (isinstance(off, list) and len(off) == 2 and all(isinstance(v, int) and v >= 0 for v in off) and off[0] <= off[1]):
            fail(f"tensor '{name}' has invalid data_offsets {json.dumps(off)}")
        if off[1] > len(body):
            fail(f"tensor '{name}' data [{off[0]}, {off[1]}) lies outside the {len(body)} data bytes (truncated file?)")
        np_dtype, torch_dtype = _DTYPES[dtype]
        count = int(np.prod(shape, dtype=np.int64))
        if off[1] - off[0] != count * np.dtype(np_dtype).itemsize:
            fail(f"tensor '{name}' of shape {shape} needs {count * np.dtype(np_dtype).itemsize} bytes, its offsets span {off[1] - off[0]}")
        spans.append((off[0], off[1], name))
        # a native-order copy (torch takes no other), not a view of the file's buffer
        array = np.frombuffer(body[off[0] : off[1]], dtype=np_dtype).astype(np.dtype(np_dtype).newbyteorder("="))
        t = torch.from_numpy(array).reshape(shape)
        tensors[name] = t.view(torch.bfloat16) if dtype == "BF16" else t
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            fail(f"tensors '{a[2]}' and '{b[2]}' overlap")
    return tensors, metadata


def load_file(path):
    with open(path, "rb") as f:
        return load_bytes(f.read(), str(path))


def save_bytes(tensors, metadata=None):
    """The safetensors bytes of {name: torch.Tensor} (written in the given order) and string metadata."""
    header, chunks, off = {}, [], 0
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("safetensors metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in _NAMES:
            raise ValueError(f"tensor '{name}': dtype {t.dtype} cannot be written (supported: {', '.join(map(str, _NAMES))})")
        np_dtype = _DTYPES[_NAMES[t.dtype]][0]
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().astype(np_dtype, copy=False).tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text.encode("utf-8")) % 8) % 8)  # the data starts 8-byte aligned, as ours
    head = text.encode("utf-8")
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def save_file(tensors, path, metadata=None):
    data = save_bytes(tensors, metadata)
    with open(path, "wb") as f:
        f.write(data)
