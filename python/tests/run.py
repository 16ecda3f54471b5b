"""Runs the Python suites (python/tests/test_*.py) and ends with one line
`python: N passed, N failed, N skipped`, which scripts/test.mjs adds to npm test's totals."""

import sys
import unittest
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent))

suite = unittest.defaultTestLoader.discover(str(here), pattern="test_*.py", top_level_dir=str(here.parent))
result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
skipped = len(result.skipped)
print(f"\npython: {result.testsRun - failed - skipped} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
