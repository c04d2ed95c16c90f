"""Build the API reference (HTML, from the docstrings) for `autograd` and `nn` with pdoc.

    python tools/build_docs.py [--out build/docs]

Every public module is documented (names without a leading underscore, found by walking
the packages, so new modules are picked up). Any warning pdoc or an import raises while
building (an annotation it cannot resolve, a broken cross-reference, a deprecation) is an
error: the build stops with exit status 1 and nothing half-built is left in `--out`.
The front page holds the README's introduction (its first screen) and links to every
module and to the guides, README.md and docs/*.md, rendered beside the reference; a
package's page lists every public submodule. Every public attribute must have text: a
docstring under it, or an entry in its class's `Attributes:` section; one without fails
the build.
Needs pdoc: pip install -e '.[docs]'.
"""

from __future__ import annotations

import argparse
import html
import importlib
import pkgutil
import re
import shutil
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")
TEMPLATES = Path(__file__).resolve().parent / "pdoc_templates"
# The guides rendered beside the reference: (source, page written, title).
GUIDES = (("README.md", "readme.html", "README: seedgrad"),
          ("docs/backprop.md", "backprop.html", "Backpropagation, as this project teaches it"))
_SECTION = re.compile(r"^(\s*)(Attributes|Fields|Args):\s*$")
_ITEM = re.compile(r"\s*([A-Za-z_]\w*)(?:\s*\([^)]*\))?:\s*(.*)$")


def attribute_docs(docstring: str) -> dict[str, str]:
    """{name: text} from the Google-style `Attributes:` section of a class's docstring (or
    `Args:`, which documents a dataclass's fields)."""
    found: dict[str, str] = {}
    inside, indent, current = False, -1, ""
    for line in docstring.splitlines():
        if _SECTION.match(line):
            inside, indent, current = True, -1, ""
            continue
        if not inside or not line.strip():
            current = "" if inside else current
            continue
        lead = len(line) - len(line.lstrip())
        item = _ITEM.match(line)
        if indent < 0 and item:
            indent = lead
        if item and lead == indent:
            current = item.group(1)
            found[current] = item.group(2).strip()
        elif current and lead > indent:
            found[current] += " " + line.strip()
        else:
            inside = False
    return found


def _document_attributes(modules: dict[str, Any]) -> list[str]:
    """Give each undocumented public attribute the text it has elsewhere: its class's
    `Attributes:` entry, or (a constant a package re-exports) the docstring it has in the
    module that defines it. Return the fully qualified names still without any text."""
    import pdoc.doc

    constants: dict[tuple[str, int], str] = {}  # (name, id of value) -> docstring
    lazy: dict[str, str] = {}  # names a module's __getattr__ makes: "`OPS`: text" in its doc
    for loaded in list(sys.modules.values()):
        if getattr(loaded, "__name__", "").split(".")[0] in PACKAGES:
            text = getattr(getattr(loaded, "__getattr__", None), "__doc__", None) or ""
            for found in re.finditer(r"`(\w+)`: ([^\n]+(?:\n(?!\s*\n)[^\n]+)*)", text):
                lazy.setdefault(found.group(1), " ".join(found.group(2).split()))
    defining = [pdoc.doc.Module.from_name(n) for n, m in list(sys.modules.items())
                if n.split(".")[0] in PACKAGES and getattr(m, "__file__", None)]
    for module in [*modules.values(), *defining]:  # private modules define some constants
        for member in module.members.values():
            if isinstance(member, pdoc.doc.Variable) and member.docstring.strip():
                constants[(member.name, id(member.default_value))] = member.docstring
    lacking: list[str] = []
    for name, module in modules.items():
        stack: list[tuple[Any, dict[str, str]]] = [(m, {}) for m in module.members.values()]
        while stack:
            member, owner = stack.pop()
            if member.name.startswith("_") or member.modulename != name:
                continue
            if isinstance(member, pdoc.doc.Class):
                texts = attribute_docs(member.docstring)
                stack.extend((m, texts) for m in member.own_members)
            elif isinstance(member, pdoc.doc.Variable) and not member.docstring.strip():
                text = owner.get(member.name) or constants.get(
                    (member.name, id(member.default_value)), "") or lazy.get(member.name, "")
                if text:
                    member.__dict__["docstring"] = text  # pdoc's cached value
                else:
                    lacking.append(member.fullname)
    return sorted(lacking)


def _markdown_page(source: str) -> tuple[str, str]:
    """A Markdown guide as HTML (body, table of contents), links to other guides rewritten."""
    from pdoc.render_helpers import to_html

    text = (ROOT / source).read_text(encoding="utf-8")
    for other, page, _ in GUIDES:
        text = text.replace(f"]({other})", f"]({page})").replace(f"]({other}#", f"]({page}#")
    text = re.sub(r"\]\(#", "](readme.html#", text) if source != "README.md" else text
    pages = {page for _, page, _ in GUIDES}
    text = re.sub(r"\[([^\]]+)\]\(([^)#:\s]+)\)",  # a repository file: named, not linked
                  lambda m: m.group(0) if m.group(2) in pages else f"{m.group(1)} (`{m.group(2)}`)",
                  text)
    body = to_html(text)
    return str(body), str(getattr(body, "toc_html", "") or "")


def introduction() -> str:
    """The README's first screen (up to its Contents) as HTML, linking into readme.html."""
    from pdoc.render_helpers import to_html

    text = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Contents\n", 1)[0]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    for other, page, _ in GUIDES:
        text = text.replace(f"]({other})", f"]({page})")
    text = re.sub(r"\]\(#", "](readme.html#", text)
    return str(to_html(text)) + (
        '<p>The whole README: <a href="readme.html">readme.html</a>; the derivation: '
        '<a href="backprop.html">backprop.html</a>; the modules are listed below.</p>')


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
    import pdoc.doc
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
    pdoc.render.configure(docformat="google", footer_text="seedgrad API reference",
                          template_directory=TEMPLATES)
    env = pdoc.render.env
    env.globals["public_submodules"] = {
        name: [m for m in modules if m.rsplit(".", 1)[0] == name and m != name]
        for name in modules}
    env.globals["introduction"] = introduction()
    env.globals["guides"] = [(page, title) for _, page, title in GUIDES]
    documented = {name: pdoc.doc.Module.from_name(name)  # pdoc.pdoc reuses these (cached)
                  for name in pdoc.extract.walk_specs(specs)}
    lacking = _document_attributes(documented)
    if lacking:
        raise Warning(f"public attributes without documentation (a docstring under the "
                      f"attribute or an `Attributes:` entry in its class): {', '.join(lacking)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as tmp:
        pdoc.pdoc(*specs, output_directory=Path(tmp))
        for source, page, title in GUIDES:
            body, toc = _markdown_page(source)
            (Path(tmp) / page).write_text(env.get_template("page.html.jinja2").render(
                title=html.escape(title), body=body, toc=toc), encoding="utf-8")
        _check_site(Path(tmp), modules)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(tmp, out)
    return modules


def _check_site(site: Path, modules: list[str]) -> None:
    """What the front page and the package pages promise: raise Warning if one is broken.

    The index holds the README's introduction and links to every module and guide; every
    link of the index and the guides leads to a page (and anchor) that exists; each package
    page links every public submodule.
    """
    index = (site / "index.html").read_text(encoding="utf-8")
    first = (ROOT / "README.md").read_text(encoding="utf-8").split("\n\n")[1]
    words = re.sub(r"[*`\[\]]", "", first).split()[:6]
    if " ".join(words) not in re.sub(r"<[^>]+>", "", index).replace("\n", " "):
        raise Warning("the index page does not hold the README's introduction")
    for _, page, _ in GUIDES:
        for name in (["index.html"] if page == GUIDES[0][1] else []) + [page]:
            text = re.sub(r"<script.*?</script>", "", (site / name).read_text(encoding="utf-8"),
                          flags=re.DOTALL)
            for href in re.findall(r'href="([^"#:]*)(#[^"]*)?"', text):
                target = site / (href[0] or name)
                if href[0] and not target.is_file():
                    raise Warning(f"{name} links to {href[0]}, which was not built")
                anchor = href[1][1:] if href[1] else ""
                if anchor and f'id="{anchor}"' not in target.read_text(encoding="utf-8"):
                    raise Warning(f"{name} links to {href[0] or name}#{anchor}: no such anchor")
    for name in modules:
        if f'href="{name.replace(".", "/")}.html"' not in index:
            raise Warning(f"the index page does not link {name}")
        page = (site / f"{name.replace('.', '/')}.html").read_text(encoding="utf-8")
        for sub in modules:
            if sub.rsplit(".", 1)[0] == name and sub != name and \
                    f"{sub.rsplit('.', 1)[1]}.html" not in page:
                raise Warning(f"the page of {name} does not list its submodule {sub}")


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
