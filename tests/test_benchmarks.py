"""Smoke tests of benchmarks/run.py at tiny sizes: structure of the results, no timings."""

import importlib
import json
import math
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def bench(monkeypatch):
    """benchmarks/run.py imported as a module (it imports its sibling `handwritten`)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("run")


@pytest.fixture
def tiny(bench):
    """A configuration small enough for a unit test."""
    config = bench.Config.tiny()
    config.problem = bench.Problem(sizes=[2, 4, 3, 1], points=12)
    config.node_products, config.depth_ops, config.scaling_nodes = 300, 3_000, [200, 400]
    config.memory_train_peers, config.memory_node_peers = ["seedgrad"], ["seedgrad"]
    return config.with_rounds(1)


def test_hand_written_backprop_matches_numpy(bench):
    pytest.importorskip("numpy")
    problem = bench.Problem(sizes=[2, 5, 4, 1], points=30)
    lists, arrays = bench.ListBackprop(problem), bench.NumpyBackprop(problem)
    for _ in range(3):
        assert math.isclose(lists.step(), arrays.step(), rel_tol=1e-12)
        for a, b in zip(lists.gradients(), arrays.gradients()):
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_every_section_runs_and_reports_its_structure(bench, tiny):
    results = bench.run(tiny)
    peers = results["train"]["peers"]
    assert set(peers) == set(bench.TRAIN_PEERS)
    assert peers["seedgrad"]["status"] == "ok" and peers["seedgrad"]["ratio"] == 1.0
    for row in peers.values():
        assert row["status"] == "ok" or row["status"].startswith("not installed")
        if row["status"] == "ok":
            assert len(row["samples_s"]) == 1 and row["median_s"] > 0
    seed = results["nodes"]["engines"]["seedgrad"]
    assert seed["total_ns"] > 0 and seed["bytes_per_node"] > 0
    assert results["depth"]["engines"]["seedgrad"]["status"] == "ok"
    micro = results["depth"]["engines"]["micrograd"]
    assert micro["status"] in ("cannot", "not installed (micrograd)")
    assert [row["nodes"] for row in results["scaling"]["rows"]] == [200, 400]
    assert peers["seedgrad-compiled"]["status"] == "ok"
    compiled = results["compile"]
    assert compiled["setup"]["total"] > 0
    assert [row["nodes"] for row in compiled["rows"]] == tiny.compile_nodes
    assert all(row["status"] == "ok" and row["call_ns"] > 0 for row in compiled["rows"])
    build = results["meta"]["interpreter"]
    assert build["version"] and isinstance(build["shared"], bool)
    memory = results["memory"]["train"]["seedgrad"]
    assert memory["status"] == "ok" and memory["peak_mib"] > 0
    assert {row["result"] for row in results["targets"]} <= {"PASS", "FAIL", "n/a"}
    json.dumps(results)  # the results file is plain JSON
    text = bench.render(results)
    assert "| seedgrad |" in text and "| target |" in text


@pytest.mark.oracle("torch", "micrograd")
def test_torch_and_micrograd_peers_agree_with_the_hand_written_backprop(bench, tiny):
    peers, status = bench.make_peers(tiny.problem, ["micrograd", "torch", "handwritten"])
    assert status == {} and set(peers) == {"micrograd", "torch", "handwritten"}
    bench.verify(peers, tiny.problem)  # raises MismatchError naming the peer on any difference


def test_peers_that_disagree_stop_the_run(bench, tiny):
    class Wrong(bench.ListBackprop):
        def gradients(self):
            grads = super().gradients()
            grads[3] *= 1 + 1e-6  # one wrong partial derivative
            return grads

    with pytest.raises(bench.MismatchError, match="gradient 3"):
        bench.verify({"wrong": Wrong(tiny.problem)}, tiny.problem)


def test_main_writes_json_and_markdown(bench, tmp_path, capsys):
    assert bench.main(["--quick", "--only", "depth", "--rounds", "1", "--out",
                       str(tmp_path)]) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["meta"]["quick"] is True and "depth" in results
    assert "Depth" in (tmp_path / "latest.md").read_text()


def test_update_readme_replaces_only_the_marked_block(bench, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Performance\n<!-- bench-table -->\nold\n"
                      "<!-- /bench-table -->\nafter\n")
    bench.update_readme(readme, "| new |")
    assert readme.read_text() == ("# x\n\n## Performance\n<!-- bench-table -->\n| new |\n"
                                  "<!-- /bench-table -->\nafter\n")
    (tmp_path / "bare.md").write_text("no markers\n")
    with pytest.raises(ValueError, match="markers"):
        bench.update_readme(tmp_path / "bare.md", "| new |")


def test_update_readme_refuses_quick_runs(bench):
    with pytest.raises(SystemExit):
        bench.parse(["--quick", "--update-readme"])
