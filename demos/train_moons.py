"""Train an MLP on two moons to 100% training accuracy; plot its decision boundary.

micrograd's demo, on this engine: `nn.MLP(2, [16, 16, 1])` (ReLU hidden layers, linear
output) trained full-batch with the hinge loss plus L2 regularisation and SGD with a
decaying learning rate. Prints one line per epoch, then writes to `out/` (see --out) the
decision boundary as PNG and SVG and the trained weights as JSON.

    python demos/train_moons.py [--out DIR] [--epochs N] [--seed N] [--no-plot]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nn
from autograd import no_grad
from autograd.extras import extra_needed
from autograd.files import atomic_write


@dataclass
class Training:
    """What a run produced: the model, its data, per-epoch history, timing, files."""

    model: nn.MLP
    X: list[list[float]]
    labels: list[int]  # ±1
    history: list[tuple[int, float, float]] = field(default_factory=list)  # epoch, loss, acc
    accuracy: float = 0.0  # after the last step
    seconds: float = 0.0  # training time, wall clock
    cpu_seconds: float = 0.0  # training time, this process's CPU
    paths: list[Path] = field(default_factory=list)


def accuracy(model: nn.MLP, X: list[list[float]], labels: list[int]) -> float:
    """The fraction of points whose score has the sign of their ±1 label."""
    with no_grad():
        right = sum((model(x).data > 0) == (t > 0) for x, t in zip(X, labels))
    return right / len(labels)


def train(model: nn.MLP, X: list[list[float]], labels: list[int], *, epochs: int,
          lr: float, alpha: float, quiet: bool = False) -> Training:
    """Full-batch SGD on hinge + alpha·L2, learning rate decaying from lr to lr/10."""
    result = Training(model, X, labels)
    optimizer = nn.SGD(model, lr=lr)
    start, cpu_start = time.perf_counter(), time.process_time()
    for epoch in range(epochs):
        optimizer.lr = lr * (1.0 - 0.9 * epoch / epochs)
        scores = [model(x) for x in X]
        loss = nn.hinge(scores, labels) + nn.l2_penalty(model, alpha)
        right = sum((s.data > 0) == (t > 0) for s, t in zip(scores, labels))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        result.history.append((epoch + 1, loss.data, right / len(labels)))
        if not quiet:
            print(f"epoch {epoch + 1:>3}/{epochs}  loss {loss.data:.4f}  "
                  f"accuracy {right / len(labels):6.1%}  lr {optimizer.lr:.3f}", flush=True)
    result.seconds = time.perf_counter() - start
    result.cpu_seconds = time.process_time() - cpu_start
    result.accuracy = accuracy(model, X, labels)
    return result


def pyplot() -> Any:
    """matplotlib.pyplot on the file-only Agg backend.

    Raises:
        ImportError: naming the `demos` extra, when matplotlib is not installed.
    """
    with extra_needed("matplotlib", "demos", "train_moons' plot (or pass --no-plot)"):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    return plt


def plot(result: Training, out_dir: Path, steps: int = 60) -> list[Path]:
    """Draw the decision boundary over the data; write PNG and SVG, return their paths.

    Raises:
        ImportError: naming the `demos` extra, when matplotlib is not installed.
    """
    plt = pyplot()

    xs0 = [x[0] for x in result.X]
    xs1 = [x[1] for x in result.X]
    lo0, hi0 = min(xs0) - 0.5, max(xs0) + 0.5
    lo1, hi1 = min(xs1) - 0.5, max(xs1) + 0.5
    grid0 = [lo0 + (hi0 - lo0) * i / (steps - 1) for i in range(steps)]
    grid1 = [lo1 + (hi1 - lo1) * i / (steps - 1) for i in range(steps)]
    with no_grad():  # scores only: no graph
        scores = [[result.model([u, v]).data for u in grid0] for v in grid1]

    plt.rcParams["svg.hashsalt"] = "seedgrad"  # reproducible SVG ids
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(grid0, grid1, scores, levels=[-1e9, 0, 1e9], colors=["#f4c7c3", "#c6dbef"])
    ax.contour(grid0, grid1, scores, levels=[0], colors="black", linewidths=1)
    for label, color, marker in ((-1, "#c0392b", "o"), (1, "#1f4e79", "s")):
        points = [x for x, t in zip(result.X, result.labels) if t == label]
        ax.scatter([p[0] for p in points], [p[1] for p in points], c=color, marker=marker,
                   s=22, edgecolors="white", linewidths=0.5, label=f"class {label:+d}")
    ax.set_title(f"MLP(2, [16, 16, 1]) on two moons: {result.accuracy:.0%} training accuracy")
    ax.set_xlabel("x₀")
    ax.set_ylabel("x₁")
    ax.legend(loc="upper right")
    fig.tight_layout()
    paths = [out_dir / "moons_boundary.png", out_dir / "moons_boundary.svg"]
    for path, options in zip(paths, [{"dpi": 120}, {"metadata": {"Date": None}}]):
        image = io.BytesIO()  # render in memory, then write atomically: no half-written file
        fig.savefig(image, format=path.suffix[1:], **options)
        atomic_write(path, image.getvalue(), "train_moons")
    plt.close(fig)
    return paths


def main(argv: list[str] | None = None) -> Training:
    """Parse options, train, plot, save the weights; return the run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out"),
                        help="directory for the plot and the weights (default: out/)")
    parser.add_argument("--epochs", type=int, default=100, help="training epochs (100)")
    parser.add_argument("--samples", type=int, default=100, help="data points (100)")
    parser.add_argument("--noise", type=float, default=0.1, help="data noise (0.1)")
    parser.add_argument("--seed", type=int, default=0, help="seed for data and weights (0)")
    parser.add_argument("--lr", type=float, default=1.0, help="initial learning rate (1.0)")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 strength (1e-4)")
    parser.add_argument("--no-plot", action="store_true", help="skip the matplotlib plot")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be ≥ 1, got {args.epochs}")

    if not args.no_plot:
        try:
            pyplot()  # before training: a missing matplotlib should not cost a run
        except ImportError as error:
            parser.error(str(error))

    X, y = nn.make_moons(args.samples, noise=args.noise, seed=args.seed)
    labels = [2 * t - 1 for t in y]  # 0/1 → ±1 for the hinge loss
    model = nn.MLP(2, [16, 16, 1], seed=args.seed)
    print(f"{model}, {len(model.parameters())} parameters; {len(X)} points of two moons")
    result = train(model, X, labels, epochs=args.epochs, lr=args.lr, alpha=args.alpha,
                   quiet=args.quiet)
    print(f"trained {args.epochs} epochs in {result.seconds:.1f} s "
          f"({result.cpu_seconds:.1f} s CPU): "
          f"training accuracy {result.accuracy:.1%}")

    args.out.mkdir(parents=True, exist_ok=True)
    if not args.no_plot:
        result.paths += plot(result, args.out)
    weights = args.out / "moons_mlp.json"
    model.save(weights)
    result.paths.append(weights)
    print("wrote " + ", ".join(str(p) for p in result.paths))
    return result


if __name__ == "__main__":
    sys.exit(0 if main().accuracy == 1.0 else 1)
