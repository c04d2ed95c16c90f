"""seedgrad's test suite, laid out like the code: tests/autograd/..., tests/nn/..., and the
project-wide checks at this level (see tests/README.md for the map)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository (or extracted sdist) root: README.md, demos/, benchmarks/, docs/."""
