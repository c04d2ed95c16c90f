"""The `seedgrad` command: the seed network's teaching materials and graph drawings from an
installed seedgrad (no checkout needed).

    seedgrad seed --out DIR [--lang en] [--seed N]    numbers, drawings, walkthroughs, exercise
    seedgrad draw "tanh(x*w + b)" x=0.5 w=-2 b=1      the draw command (python -m autograd.draw)

As the draw command: whatever the input, the outcome is one `error:` line on stderr and a
status, never a traceback: 0 done; 1 could not write or draw; 2 a bad command line;
70 a bug in seedgrad (please report it); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import autograd

__all__ = ["main"]

PROG = "seedgrad"


class _Parser(argparse.ArgumentParser):
    """argparse with its error kept to one line of reasonable length."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        super().error(text if len(text) <= 300 else text[:300] + "…")


def _parser() -> argparse.ArgumentParser:
    from nn.seed import LANGUAGES

    parser = _Parser(prog=PROG, description=__doc__.split("\n\n")[0].replace("\n", " "),
                     epilog="run 'seedgrad COMMAND --help' for a command's options")
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {autograd.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    seed = commands.add_parser(
        "seed", help="write the seed network's numbers, drawings, walkthroughs and exercise",
        description="Write the seed network's teaching materials (2→3→2→2 sigmoid network, "
                    "one sample): its numbers computed twice, its drawings, the node-by-node "
                    "and neuron-by-neuron walkthrough pages and the exercise page.")
    seed.add_argument("--out", type=Path, required=True, metavar="DIR",
                      help="folder to write into (made if missing; files there are replaced)")
    seed.add_argument("--lang", choices=LANGUAGES, default="en",
                      help="language of the pages (default: en)")
    seed.add_argument("--seed", type=int, default=0, help="weight seed (default: 0)")
    seed.set_defaults(command_parser=seed)  # its errors say "seedgrad seed: error: ..."
    commands.add_parser("draw", add_help=False,
                        help="draw an expression's graph with its gradients "
                             "(seedgrad draw --help)")
    return parser


def _seed(args: argparse.Namespace) -> int:
    from autograd.viz.render import RenderError
    from nn.seed import write_materials

    out: Path = args.out
    if out.exists() and not out.is_dir():
        args.command_parser.error(f"--out {str(out)!r} exists and is not a folder")
    try:
        written = write_materials(out, lang=args.lang, seed=args.seed)
    except (OSError, RenderError) as error:  # a folder we cannot write, no Graphviz
        print(f"{PROG} seed: error: could not write the materials to {str(out)!r}: "
              f"{' '.join(str(error).split())}", file=sys.stderr)
        return 1
    print(f"Wrote {len(written)} files to {out}:")
    for path in written:
        print(f"  {path.name}")
    print(f"Open {out / 'seed_network_neurons_walkthrough.html'} in a browser: the backward "
          "pass, neuron by neuron; seed_network_exercise.html asks you for each δ.")
    print("Then write δ, ∇W and ∇b yourself on lists and grade them with "
          "autograd.testing.check_backprop (demos/e_write_your_own_backprop.ipynb).")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `seedgrad` command; returns the exit status (0 on success)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] == ["draw"]:
            from autograd import draw

            return draw.main(args_list[1:], prog=f"{PROG} draw")
        parser = _parser()
        args = parser.parse_args(args_list)
        if args.command is None:
            parser.error("choose a command: seed or draw")
        return _seed(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug, not a bad input: say so in one line, no traceback
        where = traceback.extract_tb(error.__traceback__)[-1]
        message = " ".join(str(error).split())[:200]
        print(f"{PROG}: internal error: {type(error).__name__}: {message} "
              f"(at {Path(where.filename).name}:{where.lineno}; please report it)",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
