"""Shared test settings: hypothesis profiles, and the `oracle` marker's skips.

Tests that compare with PyTorch or micrograd carry `@pytest.mark.oracle("torch")` (or
`"micrograd"`). Without that package they are skipped, and the run ends with a line saying
how many and why; `--require-oracle` (used by CI's oracle run) makes a missing package an
error instead, so an oracle run can never pass by skipping everything.
"""

import importlib.util
import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ORACLE_PACKAGES = ("torch", "micrograd")
ORACLE_INSTALL = "pip install -e '.[oracle]'"
_oracle_skips: Counter[str] = Counter()


def pytest_addoption(parser):
    parser.addoption("--require-oracle", action="store_true",
                     help="fail (instead of skip) oracle tests whose package is missing")


def _oracle_packages(item):
    """The packages an oracle-marked test names, checked against ORACLE_PACKAGES."""
    names = [name for mark in item.iter_markers("oracle") for name in mark.args]
    if not names or any(name not in ORACLE_PACKAGES for name in names):
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.oracle needs one or more of "
                                f"{ORACLE_PACKAGES}, got {names}")
    return names


def pytest_collection_modifyitems(config, items):
    installed = {name: importlib.util.find_spec(name) is not None for name in ORACLE_PACKAGES}
    for item in items:
        if item.get_closest_marker("oracle") is None:
            continue
        missing = [name for name in _oracle_packages(item) if not installed[name]]
        if not missing:
            continue
        what = " and ".join(missing)
        if config.getoption("require_oracle"):
            raise pytest.UsageError(f"--require-oracle: {item.nodeid} needs {what}, which "
                                    f"is not installed ({ORACLE_INSTALL})")
        _oracle_skips[what] += 1
        item.add_marker(pytest.mark.skip(
            reason=f"oracle test: {what} not installed ({ORACLE_INSTALL})"))


def pytest_terminal_summary(terminalreporter):
    if _oracle_skips:
        total = sum(_oracle_skips.values())
        parts = ", ".join(f"{count} need{'s' if count == 1 else ''} {what}"
                          for what, count in sorted(_oracle_skips.items()))
        terminalreporter.write_line(
            f"oracle: {total} test{'s' if total != 1 else ''} skipped, their packages are not "
            f"installed ({parts}); run them with {ORACLE_INSTALL} && python -m pytest -m oracle")


@pytest.fixture
def custom_op():
    """Yields a maker of temporary custom ops (`autograd.op`), unregistered afterwards."""
    import autograd

    made = []

    def make(name, *args, **kwargs):
        made.append(name)
        return autograd.op(name, *args, **kwargs)

    yield make
    for name in made:
        if name in autograd.ops.names():
            autograd.ops.unregister(name)
