"""The twin against our TypeScript detector, both ways. Our side (test/python/twinFixtures.ts) trains
two tiny detectors for a few iterations on synthetic scenes (a plain one; one with instance norm and
SVD-compressed fc6/fc7), and writes images, proposals and our outputs under several test settings
(single scale; a two-level pyramid with flip, a capped long side and chunked heads; no box
regression with a higher threshold, other NMS and a detection cap). Here:

- the twin loads each model file and gives the same RoIs, scores within 1e-4 and boxes within 0.5 px,
  raw and after NMS;
- a model the twin fine-tuned one SGD step and saved loads in our code and detects as the twin does;
- load and save keep every weight, the classes and the config;
- `python3 -m fastrcnn_torch detect` and `fastrcnn detect` agree on a PNG and its proposals file;
- settings the twin cannot reproduce are refused.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import fastrcnn_torch as ft
from fastrcnn_torch.input import clean_proposals, image_blob
from fastrcnn_torch.safetensors_io import load_file, save_file

from ._support import BOX_TOL, REPO, SCORE_TOL, match_detections, run_node


def image_of(d, entry):
    return np.fromfile(d / entry["file"], dtype=np.uint8).reshape(entry["height"], entry["width"], 3)


def twin_run(model, config, run, manifest, d):
    """The twin's results of one run in the fixture's layout."""
    out = []
    for r in run["results"]:
        entry = manifest["images"][r["image"]]
        raw = ft.im_detect(model, image_of(d, entry), entry["proposals"], config, run["test"])
        dets = ft.postprocess(raw, model.classes, run["test"])
        out.append(
            {
                "rois": raw.rois.ravel().tolist(),
                "scores": raw.scores.ravel().tolist(),
                "boxes": raw.boxes.ravel().tolist(),
                "detections": [{"classIndex": x.class_index, "score": x.score, "box": x.box} for x in dets],
            }
        )
    return out


class TwinTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="fastrcnn-twin-"))
        run_node("make", cls.dir)
        cls.manifest = json.loads((cls.dir / "manifest.json").read_text())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def compare(self, ours_runs, twin_runs, label):
        """Asserts the tolerances run by run; prints the largest differences."""
        worst = {"scores": 0.0, "boxes": 0.0, "det scores": 0.0, "det boxes": 0.0}
        for ours, twin in zip(ours_runs, twin_runs):
            self.assertGreater(sum(len(o["detections"]) for o in ours["results"]), 0, f"{label} {ours['name']}: no detections")
            for o, t in zip(ours["results"], twin):
                where = f"{label} {ours['model']}/{ours['name']} image {o['image']}"
                self.assertEqual(o["rois"], t["rois"], f"{where}: RoIs")
                ds = float(np.abs(np.array(o["scores"]) - np.array(t["scores"])).max())
                db = float(np.abs(np.array(o["boxes"]) - np.array(t["boxes"])).max())
                self.assertLessEqual(ds, SCORE_TOL, f"{where}: scores")
                self.assertLessEqual(db, BOX_TOL, f"{where}: boxes")
                dds, ddb = match_detections(self, o["detections"], t["detections"], ours["test"])
                for k, v in zip(worst, (ds, db, dds, ddb)):
                    worst[k] = max(worst[k], v)
        print(f"\n  {label}: max |diff| " + ", ".join(f"{k} {v:.2e}" for k, v in worst.items()), end=" ")

    def test_same_detections_as_ours(self):
        runs = self.manifest["runs"]
        self.assertEqual({(r["model"], r["name"]) for r in runs}, {("plain", "default"), ("plain", "pyramid_flip"), ("plain", "no_bbox_reg"), ("compact", "default")})
        twin = []
        for run in runs:
            model, config, _ = ft.load_model(self.dir / self.manifest["models"][run["model"]])
            twin.append(twin_run(model, config, run, self.manifest, self.dir))
        self.compare(runs, twin, "ours -> twin")

    def test_a_model_saved_by_the_twin_detects_the_same_here(self):
        torch.manual_seed(0)  # the dropout masks of the step
        model, config, _ = ft.load_model(self.dir / "plain.safetensors")
        # one SGD step on the classifier loss of a few RoIs, so that the saved weights are the twin's own
        entry = self.manifest["images"][0]
        blob, scale = image_blob(image_of(self.dir, entry), 72, 1000, config["pixelMeans"], config["pixelStds"])
        rois = torch.tensor(clean_proposals(entry["proposals"], entry["width"], entry["height"])[:16] * scale)
        rois = torch.cat([torch.zeros(len(rois), 1), rois], 1)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        cls, _ = model(torch.from_numpy(blob)[None], rois)
        F.cross_entropy(cls, torch.arange(len(rois)) % model.num_classes).backward()
        before = model.cls_score.weight.detach().clone()
        opt.step()
        self.assertGreater(float((model.cls_score.weight - before).abs().max()), 0)
        tuned = self.dir / "tuned.safetensors"
        ft.save_model(model, config, tuned, {"tunedBy": "fastrcnn_torch"})
        out = self.dir / "tuned.json"
        run_node("detect", tuned, self.dir, "plain", out)
        ours = json.loads(out.read_text())
        model.eval()
        twin = [twin_run(model, config, run, self.manifest, self.dir) for run in ours]
        self.compare(ours, twin, "twin -> ours")

    def test_load_and_save_keep_weights_classes_and_config(self):
        for key, file in self.manifest["models"].items():
            path = self.dir / file
            model, config, meta = ft.load_model(path)
            tensors, _ = load_file(path)
            self.assertEqual(list(model.state_dict()), list(tensors), f"{key}: names in our order")
            again = self.dir / f"{key}.again.safetensors"
            ft.save_model(model, config, again)
            back, meta2 = load_file(again)
            for name, t in tensors.items():
                self.assertTrue(torch.equal(back[name], t), name)
            self.assertEqual(json.loads(meta2["classes"]), json.loads(meta["classes"]))
            self.assertEqual(json.loads(meta2["config"]), json.loads(meta["config"]))
        names = list(ft.load_model(self.dir / "compact.safetensors").model.state_dict())
        self.assertIn("fc6_L.weight", names)
        self.assertIn("conv1_1_norm.weight", names)
        self.assertNotIn("conv1_1.bias", names)

    def test_command_lines_agree(self):
        data = self.dir / "data"
        props = sorted((data / "proposals").glob("*.json"))[0]
        image = data / "JPEGImages" / f"{props.stem}.png"
        model = self.dir / "plain.safetensors"
        args = ["detect", "--model", model, "--image", image, "--proposals", props, "--threshold", "0"]
        out = self.dir / "cli.json"
        run_node(*args, "--json", out, "--out", self.dir / "cli.png", script="src/cli/main.ts")
        ours = json.loads(out.read_text())["detections"]
        r = subprocess.run([sys.executable, "-m", "fastrcnn_torch", *map(str, args)], cwd=REPO / "python", capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        twin = json.loads(r.stdout)["detections"]
        self.assertGreater(len(ours), 0)

        def as_dets(ds):
            return [{"classIndex": d["class"], "score": d["score"], "box": d["box"]} for d in ds]

        # the printed values are rounded (score to 1e-4, box to 0.1 px): the tolerances widen by that much
        test = json.loads(ft.load_file(model)[1]["config"])["test"]
        match_detections(self, as_dets(ours), as_dets(twin), test, SCORE_TOL + 1e-4, BOX_TOL + 0.1)

    def test_settings_it_cannot_reproduce_are_refused(self):
        model, config, _ = ft.load_model(self.dir / "plain.safetensors")
        entry = self.manifest["images"][0]
        with self.assertRaisesRegex(ValueError, r"does not support test setting\(s\) \['softNms'\]"):
            ft.detect(model, image_of(self.dir, entry), entry["proposals"], config, {**config["test"], "softNms": True})
        with self.assertRaisesRegex(ValueError, r"model.backbone.norm 'batch' is not supported"):
            ft.FastRCNN({**config["model"], "backbone": {**config["model"]["backbone"], "norm": "batch"}}, model.classes)
        tensors, meta = load_file(self.dir / "plain.safetensors")
        bad = self.dir / "bad.safetensors"
        save_file(tensors, bad, {**meta, "format": "fastrcnn-checkpoint"})
        with self.assertRaisesRegex(ValueError, r"bad.safetensors: not a Fast R-CNN model file \(format 'fastrcnn-checkpoint'\)"):
            ft.load_model(bad)
        save_file({**tensors, "fc6.weight": tensors["fc6.weight"][:, :5].contiguous()}, bad, meta)
        with self.assertRaisesRegex(ValueError, r"weight 'fc6.weight' is \[24, 5\], its config asks for \[24, 144\]"):
            ft.load_model(bad)


if __name__ == "__main__":
    unittest.main()
