"""The safetensors reader/writer (no `safetensors` package in Debian): round trips of every dtype
with metadata, our 8-byte alignment, and clear refusals of damaged files."""

import json
import struct
import unittest

import torch

from fastrcnn_torch.safetensors_io import load_bytes, save_bytes


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_of_every_dtype(self):
        g = torch.Generator().manual_seed(0)
        base = torch.randn(2, 3, generator=g)
        tensors = {
            "f32": base,
            "f64": base.double(),
            "f16": base.half(),
            "bf16": base.bfloat16(),
            "i64": torch.tensor([[-(2**40), 1, 2]]),
            "i32": torch.arange(6, dtype=torch.int32).reshape(3, 2),
            "u8": torch.tensor([0, 255], dtype=torch.uint8),
            "bool": torch.tensor([True, False]),
            "empty": torch.zeros(0, 4),
        }
        data = save_bytes(tensors, {"format": "x", "classes": '["a"]'})
        (n,) = struct.unpack("<Q", data[:8])
        self.assertEqual((8 + n) % 8, 0, "the data starts 8-byte aligned")
        header = json.loads(data[8 : 8 + n])
        self.assertEqual(header["bf16"]["dtype"], "BF16")
        self.assertEqual(header["f32"]["shape"], [2, 3])
        back, meta = load_bytes(data)
        self.assertEqual(meta, {"format": "x", "classes": '["a"]'})
        self.assertEqual(list(back), list(tensors))
        for name, t in tensors.items():
            self.assertEqual(back[name].dtype, t.dtype, name)
            self.assertTrue(torch.equal(back[name], t), name)

    def test_damaged_files_are_refused_naming_the_problem(self):
        good = save_bytes({"w": torch.ones(3)})
        cases = [
            (good[:5], "5 bytes is too short"),
            (good[:-4], "lies outside the 8 data bytes"),
            (struct.pack("<Q", 10**12) + good[8:], "exceeds"),
            (good[:8] + b"{{" + good[10:], "not valid JSON"),
        ]
        h = json.dumps({"w": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}}).encode()
        cases.append((struct.pack("<Q", len(h)) + h + b"\0\0", 'unsupported dtype "F8_E4M3"'))
        h = json.dumps({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}).encode()
        cases.append((struct.pack("<Q", len(h)) + h + bytes(8), "needs 12 bytes, its offsets span 8"))
        for data, message in cases:
            with self.assertRaises(ValueError) as e:
                load_bytes(data, "w.safetensors")
            self.assertIn("w.safetensors: not a valid safetensors file", str(e.exception))
            self.assertIn(message, str(e.exception))


if __name__ == "__main__":
    unittest.main()
