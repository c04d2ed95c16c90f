"""Train an MLP on scikit-learn's 8×8 handwritten digits, in compiled mode.

`nn.MLP(64, [32, 10])` (ReLU hidden layer, linear outputs) with softmax cross-entropy and
Adam on mini-batches, on 1,797 bundled images (`sklearn.datasets.load_digits`, no download)
split 80/20 into train and test sets. The per-sample loss is compiled once with
`autograd.compile` (one trace per class label, since the label is a plain int), and each
mini-batch runs in one generated loop: the same gradients as eager mode, several times
faster. Prints a progress bar, then the time and the test accuracy, and writes to
`demos/out/` (see --out) the loss curves, the confusion matrix and the misclassified test
digits as PNG.

    python demos/train_digits.py [--out DIR] [--epochs N] [--hidden N] [--seed N] [--no-plot]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import autograd
import nn
from autograd.compile import Compiled

HERE = Path(__file__).resolve().parent
CLASSES = 10


@dataclass
class Digits:
    """Images as lists of 64 numbers in [0, 1], labels as ints, and the 8×8 originals."""

    train_x: list[list[float]]
    train_y: list[int]
    test_x: list[list[float]]
    test_y: list[int]


@dataclass
class Result:
    """What a run produced."""

    hidden: int = 32
    history: list[tuple[int, float, float, float]] = field(default_factory=list)
    # (epoch, train loss, test loss, test accuracy)
    predictions: list[int] = field(default_factory=list)
    accuracy: float = 0.0
    seconds: float = 0.0
    compile_seconds: float = 0.0  # the first trace; the other labels trace when first seen
    traces: int = 0
    paths: list[Path] = field(default_factory=list)


def load(seed: int, test_fraction: float = 0.2) -> Digits:
    """scikit-learn's digits, pixels scaled to [0, 1], split per class (stratified)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.data / 16.0).tolist()
    labels = [int(t) for t in digits.target]
    rng = random.Random(seed)
    train, test = [], []
    for c in range(CLASSES):
        members = [i for i, t in enumerate(labels) if t == c]
        rng.shuffle(members)
        cut = round(len(members) * test_fraction)
        test += members[:cut]
        train += members[cut:]
    rng.shuffle(train)
    return Digits([images[i] for i in train], [labels[i] for i in train],
                  [images[i] for i in test], [labels[i] for i in test])


def progress(epoch: int, epochs: int, done: int, total: int, loss: float,
             width: int = 30) -> None:
    """One line of progress, redrawn in place: a bar of `#` and the running loss.

    When the output is not a terminal (a log, a pipe, CI) only the epoch's end is written,
    so the log holds one line per epoch instead of every redraw.
    """
    if done < total and not sys.stdout.isatty():
        return
    filled = round(width * done / total)
    bar = "#" * filled + "." * (width - filled)
    sys.stdout.write(f"\repoch {epoch:>2}/{epochs} [{bar}] {done:>4}/{total}  loss {loss:.4f}")
    sys.stdout.flush()


def evaluate(logits: Compiled, cost: Compiled, xs: list[list[float]],
             ys: list[int]) -> tuple[float, float, list[int]]:
    """(mean loss, accuracy, predicted classes), forward only."""
    predictions = []
    for x in xs:
        scores = logits.forward(x)
        predictions.append(max(range(CLASSES), key=scores.__getitem__))
    with autograd.no_grad():
        loss = cost.batch(xs, ys, reduction="mean")
    right = sum(p == y for p, y in zip(predictions, ys))
    return loss, right / len(ys), predictions


def train(data: Digits, *, epochs: int, hidden: int, batch_size: int, lr: float, seed: int,
          quiet: bool = False) -> Result:
    """Adam on mini-batches of the compiled per-sample cross-entropy; returns the history."""
    result = Result(hidden=hidden)
    model = nn.MLP(64, [hidden, CLASSES], activation="relu", init="he", seed=seed)
    optimizer = nn.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    # the whole "compiled mode": one line per compiled function
    cost = autograd.compile(lambda x, label: nn.softmax_cross_entropy(model(x), label),
                            data.train_x[0], data.train_y[0])
    logits = autograd.compile(lambda x: model(x), data.train_x[0])
    result.compile_seconds = time.perf_counter() - start
    order = list(range(len(data.train_x)))
    rng = random.Random(seed)
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        optimizer.lr = lr * (0.5 if epoch > 0.6 * epochs else 1.0)
        total, seen = 0.0, 0
        for at in range(0, len(order), batch_size):
            rows = order[at:at + batch_size]
            optimizer.zero_grad()
            loss = cost.batch([data.train_x[i] for i in rows], [data.train_y[i] for i in rows],
                              reduction="mean")
            optimizer.step()
            total += loss * len(rows)
            seen += len(rows)
            if not quiet:
                progress(epoch, epochs, seen, len(order), total / seen)
        test_loss, accuracy, _ = evaluate(logits, cost, data.test_x, data.test_y)
        result.history.append((epoch, total / seen, test_loss, accuracy))
        if not quiet:
            sys.stdout.write(f"  test loss {test_loss:.4f}  test accuracy {accuracy:6.2%}\n")
    result.seconds = time.perf_counter() - start
    result.traces = cost.traces
    _, result.accuracy, result.predictions = evaluate(logits, cost, data.test_x, data.test_y)
    return result


def plot(result: Result, data: Digits, out_dir: Path) -> list[Path]:
    """Write loss curves, confusion matrix and misclassified digits as PNG; their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []

    epochs = [h[0] for h in result.history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, [h[1] for h in result.history], "o-", label="train")
    left.plot(epochs, [h[2] for h in result.history], "s-", label="test")
    left.set(xlabel="epoch", ylabel="mean cross-entropy", title="Loss", yscale="log")
    left.grid(alpha=0.3)
    left.legend()
    right.plot(epochs, [100 * h[3] for h in result.history], "o-", color="tab:green")
    right.set(xlabel="epoch", ylabel="test accuracy (%)",
              title=f"Test accuracy (final {result.accuracy:.1%})")
    right.grid(alpha=0.3)
    fig.suptitle(f"nn.MLP(64, [{result.hidden}, 10]) on 8×8 digits, autograd.compile, "
                 f"{result.seconds:.1f} s")
    fig.tight_layout()
    paths.append(_save(fig, out_dir / "digits_loss.png"))

    matrix = [[0] * CLASSES for _ in range(CLASSES)]
    for truth, guess in zip(data.test_y, result.predictions):
        matrix[truth][guess] += 1
    fig, ax = plt.subplots(figsize=(6, 5.4))
    image = ax.imshow(matrix, cmap="Blues")
    peak = max(max(row) for row in matrix)
    for i in range(CLASSES):
        for j in range(CLASSES):
            if matrix[i][j]:
                ax.text(j, i, str(matrix[i][j]), ha="center", va="center", fontsize=9,
                        color="white" if matrix[i][j] > peak / 2 else "black")
    ax.set(xticks=range(CLASSES), yticks=range(CLASSES), xlabel="predicted digit",
           ylabel="true digit",
           title=f"Confusion matrix, {len(data.test_y)} test images "
                 f"({result.accuracy:.1%} right)")
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    paths.append(_save(fig, out_dir / "digits_confusion.png"))

    wrong = [(x, y, p) for x, y, p in zip(data.test_x, data.test_y, result.predictions)
             if y != p]
    shown = wrong[:24]
    columns = max(1, min(8, len(shown)))
    rows = max(1, (len(shown) + columns - 1) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(max(4.0, 1.3 * columns), 1.55 * rows + 0.5),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(shown):
            x, y, p = shown[k]
            ax.imshow([x[r * 8:(r + 1) * 8] for r in range(8)], cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(f"true {y}, said {p}", fontsize=8)
    if not shown:
        axes[0][0].text(0.0, 0.5, "no misclassified test digits", fontsize=10)
    fig.suptitle(f"Misclassified test digits ({len(wrong)} of {len(data.test_y)}"
                 f"{', first 24 shown' if len(wrong) > 24 else ''})")
    fig.tight_layout()
    paths.append(_save(fig, out_dir / "digits_misclassified.png"))
    return paths


def _save(fig: object, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """Train, report time and accuracy, write the plots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "out", help="output directory")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--hidden", type=int, default=32, help="hidden layer width")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG files")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.hidden < 1 or args.batch_size < 1 or not args.lr > 0:
        parser.error("--epochs, --hidden, --batch-size and --lr must be positive")
    data = load(args.seed)
    print(f"digits: {len(data.train_x)} training and {len(data.test_x)} test images, "
          f"MLP(64, [{args.hidden}, 10]), compiled mode")
    result = train(data, epochs=args.epochs, hidden=args.hidden, batch_size=args.batch_size,
                   lr=args.lr, seed=args.seed, quiet=args.quiet)
    print(f"trained in {result.seconds:.1f} s (first trace and code generation "
          f"{result.compile_seconds:.2f} s; {result.traces} traces of the loss in all, one per "
          f"class label); test accuracy {result.accuracy:.2%}")
    if not args.no_plot:
        for path in plot(result, data, args.out):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
