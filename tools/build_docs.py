"""Build the API reference (HTML, from the docstrings) for `autograd` and `nn` with pdoc.

    python tools/build_docs.py [--out build/docs]

Every public module is documented (names without a leading underscore, found by walking
the packages, so new modules are picked up). Any warning pdoc or an import raises while
building (an annotation it cannot resolve, a broken cross-reference, a deprecation) is an
error: the build stops with exit status 1 and nothing half-built is left in `--out`.
Needs pdoc: pip install -e '.[docs]'.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")


def public_modules(packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """The packages and every submodule whose dotted name has no part starting with '_'."""
    found = []
    for name in packages:
        package = importlib.import_module(name)
        found.append(name)
        for info in pkgutil.walk_packages(package.__path__, prefix=name + "."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                found.append(info.name)
    return sorted(found)


def build(out: Path) -> list[str]:
    """Render the docs into `out` (replaced whole on success); return the modules."""
    import pdoc
    import pdoc.extract
    import pdoc.render

    modules = public_modules()
    for name in modules:  # pdoc reads a module's __dict__: put lazy (PEP 562) names there,
        module = importlib.import_module(name)  # in this process only
        for attribute in getattr(module, "__all__", ()):
            if attribute not in vars(module):
                setattr(module, attribute, getattr(module, attribute))
    # pdoc adds a package's submodules named in its __all__ itself and warns about a module
    # given twice, so name only the modules no earlier spec has brought in (parents first).
    specs: list[str] = []
    covered: set[str] = set()
    for name in modules:
        if name not in covered:
            specs.append(name)
            covered.update(pdoc.extract.walk_specs([name]))
    pdoc.render.configure(docformat="google", footer_text="seedgrad API reference")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as tmp:
        pdoc.pdoc(*specs, output_directory=Path(tmp))
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(tmp, out)
    return modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "docs",
                        help="output directory (default: build/docs)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    try:
        import pdoc  # noqa: F401
    except ModuleNotFoundError:
        parser.error("needs pdoc, which is not installed: pip install -e '.[docs]'")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning while building is a failed build
        try:
            modules = build(args.out)
        except Warning as warning:
            print(f"build_docs: failed on a warning: {type(warning).__name__}: {warning}",
                  file=sys.stderr)
            return 1
    print(f"build_docs: wrote {args.out / 'index.html'} ({len(modules)} modules: "
          f"{', '.join(modules)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
