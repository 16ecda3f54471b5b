"""The VGG16 converter: a torchvision vgg16() with random weights (no download) converted by the
command line, loaded by our --init-from loader into vgg16Backbone(), gives torchvision's conv5_3
features (vgg16().features up to the ReLU after conv5_3) on the same input; the report says what was
loaded and left; classifier.0/3 map to fc6/fc7; wrong state_dicts are refused."""

import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import numpy as np
import torch
import torchvision

from fastrcnn_torch import vgg16
from fastrcnn_torch.safetensors_io import load_file

from ._support import REPO, run_node


class Vgg16Test(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="fastrcnn-vgg16-"))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_converted_vgg16_gives_torchvision_conv5_3_features_here(self):
        torch.manual_seed(0)
        features = torchvision.models.vgg16(weights=None).features.eval()  # random init, nothing downloaded
        with torch.no_grad():
            for m in features:
                if isinstance(m, torch.nn.Conv2d):
                    m.bias.normal_(0, 0.1)  # vgg16() zeroes biases: random ones show they map too
        pth = self.dir / "vgg16.pth"
        torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, pth)
        init = self.dir / "vgg16.safetensors"
        r = subprocess.run(
            [sys.executable, "-m", "fastrcnn_torch.vgg16", "--state-dict", str(pth), "--out", str(init)],
            cwd=REPO / "python", capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("26 tensors (conv1_1.weight, conv1_1.bias, conv1_2.weight", r.stdout)
        _, meta = load_file(init)
        self.assertEqual(json.loads(meta["pixelMeans"]), [123.675, 116.28, 103.53])

        h, w = 64, 80
        x = torch.randn(1, 3, h, w)
        with torch.no_grad():
            ref = features[:30](x)  # conv1_1 ... conv5_3 + ReLU (index 30 is the fifth max pool, not ours)
        x.numpy().astype("<f4").tofile(self.dir / "input.f32")
        out = run_node("features", init, self.dir / "input.f32", h, w, self.dir / "out.f32")
        shape = json.loads(out.strip().splitlines()[-1])["shape"]
        self.assertEqual(shape, list(ref.shape))
        ours = np.fromfile(self.dir / "out.f32", dtype="<f4").reshape(shape)
        diff = float(np.abs(ours - ref.numpy()).max())
        scale = float(ref.abs().max())
        print(f"\n  conv5_3 {shape}: max |diff| {diff:.2e} (max |value| {scale:.2e}, relative {diff / scale:.2e})", end=" ")
        self.assertGreater(scale, 0)
        self.assertLessEqual(diff / scale, 1e-4)
        names = ", ".join(f"{n}.{p}" for n in vgg16.VGG16_CONVS for p in ("weight", "bias"))
        self.assertIn(f"  loaded (26 tensors): {names}\n", out)
        self.assertRegex(out, r"  left at init \(8 tensors\): fc6\.weight, fc6\.bias, fc7\.weight, fc7\.bias, cls_score\.weight, ")
        self.assertIn("  ignored from the file (0 tensors): none\n", out)
        self.assertNotIn("note:", out)  # the run uses the ImageNet normalization the file records

    def test_classifier_maps_to_fc6_fc7_and_wrong_dicts_are_refused(self):
        sd = {f"{i}.{p}": t for i, p, t in self.small_features()}
        self.assertEqual(list(vgg16.convert_vgg16(sd))[:3], ["conv1_1.weight", "conv1_1.bias", "conv1_2.weight"])
        full = {f"features.{k}": v for k, v in sd.items()}
        # fc6/fc7 at VGG16's size would take 470 MB: the mapping is checked at a small size
        with mock.patch.dict(vgg16.VGG16_FC, {"fc6": (0, 6, 4), "fc7": (3, 4, 4)}):
            full.update({"classifier.0.weight": torch.ones(4, 6), "classifier.0.bias": torch.zeros(4)})
            full.update({"classifier.3.weight": torch.ones(4, 4), "classifier.3.bias": torch.zeros(4)})
            full.update({"classifier.6.weight": torch.ones(1000, 4), "classifier.6.bias": torch.zeros(1000)})
            out = vgg16.convert_vgg16(full)
            self.assertEqual(list(out)[-4:], ["fc6.weight", "fc6.bias", "fc7.weight", "fc7.bias"])
            self.assertEqual(len(out), 30)
            self.assertEqual(len(vgg16.convert_vgg16(full, fc=False)), 26)
            full["classifier.3.weight"] = torch.ones(4, 5)
            with self.assertRaisesRegex(ValueError, re.escape("classifier.3 (fc7) is [4, 5], VGG16 has [4, 4]")):
                vgg16.convert_vgg16(full)
        del sd["28.bias"]
        with self.assertRaisesRegex(ValueError, re.escape("the state_dict lacks 28.bias (conv5_3.bias); is it a torchvision VGG16?")):
            vgg16.convert_vgg16(sd)
        sd["28.bias"] = torch.zeros(256)
        with self.assertRaisesRegex(ValueError, re.escape("28.bias (conv5_3.bias) is [256], VGG16 has [512]")):
            vgg16.convert_vgg16(sd)

    @staticmethod
    def small_features():
        """VGG16's conv tensors (features.N) as zero-stride views: the right shapes at no memory."""
        in_c = 3
        for i, c in zip(vgg16.VGG16_CONVS.values(), vgg16.VGG16_CHANNELS):
            yield i, "weight", torch.zeros(1).expand(c, in_c, 3, 3)
            yield i, "bias", torch.zeros(c)
            in_c = c


if __name__ == "__main__":
    unittest.main()
