"""What the suites share: the repository root, our Node fixture script (test/python/twinFixtures.ts),
and the comparison of two detection lists."""

import os
import shutil
import subprocess
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The twin's promise (issue 14): scores within 1e-4, boxes within half a pixel.
SCORE_TOL = 1e-4
BOX_TOL = 0.5


def run_node(*args, script="test/python/twinFixtures.ts"):
    """stdout of `node SCRIPT ARGS` (the fixture script, or src/cli/main.ts: our CLI) from the sources
    through tsx, as npm test runs them; skips without node."""
    node = os.environ.get("NODE") or shutil.which("node")
    if not node:
        raise unittest.SkipTest("node is not on PATH: the fixtures come from our TypeScript code")
    cmd = [node, "--import", "./scripts/relaxed-simd.mjs", "--import", "tsx", script, *map(str, args)]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    if r.returncode:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr[-4000:]}")
    return r.stdout


def match_detections(test_case, ours, twin, test, score_tol=SCORE_TOL, box_tol=BOX_TOL):
    """Pairs each detection with one of the same class, score within score_tol and box within box_tol.
    A detection may go unpaired only at a cut (its score within score_tol of the threshold, or of the
    last score kept under maxPerImage), where a difference in the last bits decides. Returns the
    largest score and box differences of the pairs."""
    free = list(range(len(twin)))
    ds = db = 0.0
    unpaired = []
    for o in ours:
        best = None
        for j in free:
            t = twin[j]
            if t["classIndex"] != o["classIndex"] or abs(t["score"] - o["score"]) > score_tol:
                continue
            if max(abs(a - b) for a, b in zip(t["box"], o["box"])) <= box_tol:
                best = j
                break
        if best is None:
            unpaired.append(o)
            continue
        free.remove(best)
        ds = max(ds, abs(twin[best]["score"] - o["score"]))
        db = max(db, max(abs(a - b) for a, b in zip(twin[best]["box"], o["box"])))
    cut = ours[-1]["score"] if test["maxPerImage"] and len(ours) >= test["maxPerImage"] else None

    def at_cut(d):
        return abs(d["score"] - test["scoreThresh"]) <= score_tol or (cut is not None and abs(d["score"] - cut) <= score_tol)

    for d in unpaired + [twin[j] for j in free]:
        test_case.assertTrue(at_cut(d), f"unpaired detection {d} (not at the score threshold or the maxPerImage cut)")
    return ds, db
