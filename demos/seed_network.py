"""The seed's 2→3→2→2 sigmoid network, one sample, gradients computed twice.

Builds `nn.MLP(2, [3, 2, 2], activation='sigmoid', output_activation='sigmoid')`, runs one
sample of the seed's example through it, and prints layer by layer zⁱ, aⁱ, δⁱ, ∇Wⁱ, ∇bⁱ
from the engine's `Value` graph (`.data`, `.grad` after `C.backward()`) beside the seed's
matrix formulas computed in plain Python (`nn.matrix`), with the largest difference. Then
it checks, over the seed's N samples, that ∇L for L = Σₙ Cⁿ is the sum of the per-sample
gradients. Writes the numbers, the weights, the drawings and the walkthrough pages to `out/`
(see --out); the work is done by `nn.seed`.

    python demos/seed_network.py [--out DIR] [--seed N] [--lang en]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nn.seed import LANGUAGES, TOLERANCE, SeedRun, build, report, run, write_materials

__all__ = ["SeedRun", "build", "main", "report", "run"]


def main(argv: list[str] | None = None) -> SeedRun:
    """Run the demo: print the comparison, write the materials, return what was computed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out"),
                        help="directory for the output files (default: out/)")
    parser.add_argument("--seed", type=int, default=0, help="weight seed (default: 0)")
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of the pages (default: en)")
    args = parser.parse_args(argv)

    result = run(args.seed)
    print(report(result))
    paths = write_materials(args.out, lang=args.lang, seed=args.seed)
    print()
    print("Wrote " + ", ".join(str(p) for p in paths))
    ok = result.max_difference <= TOLERANCE and result.sum_difference <= TOLERANCE
    print("OK: the engine's gradients are the seed's formulas." if ok
          else f"MISMATCH: differences above {TOLERANCE:g}.")
    walk = args.out / "seed_network_neurons_walkthrough.html"
    print("Exercise: write δ, ∇W and ∇b yourself in demos/e_write_your_own_backprop.ipynb "
          "(graded by autograd.testing.check_backprop).")
    print()
    print(f"Open {walk} in a browser: the backward pass, neuron by neuron.")
    return result


if __name__ == "__main__":
    outcome = main()
    worst = max(outcome.max_difference, outcome.sum_difference)
    sys.exit(0 if worst <= TOLERANCE else 1)
