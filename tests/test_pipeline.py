import json

import nbformat
import pytest

from csto_brief import config, paths, pipeline
from csto_brief.config import NotebookStage


def test_order_follows_declared_inputs_and_outputs():
    a = NotebookStage("a.ipynb", ("data/raw/x.csv",), ("data/processed/a.csv",))
    b = NotebookStage("b.ipynb", ("data/processed/a.csv",), ("figures/b.svg",))
    c = NotebookStage("c.ipynb", ("figures/b.svg", "data/processed/a.csv"), ())
    assert [s.path for s in pipeline.topo_order([c, b, a])] == ["a.ipynb", "b.ipynb", "c.ipynb"]


def test_cycle_is_an_error():
    a = NotebookStage("a.ipynb", ("b.out",), ("a.out",))
    b = NotebookStage("b.ipynb", ("a.out",), ("b.out",))
    with pytest.raises(pipeline.BuildError, match="cycle"):
        pipeline.topo_order([a, b])


def test_declared_pipeline_is_runnable():
    cfg = config.load()
    order = [s.path for s in pipeline.topo_order(cfg.notebooks)]
    assert order[-1] == cfg.notebook
    for s in cfg.notebooks:
        assert (paths.PROJ_ROOT / s.path).exists()
        for f in s.inputs:
            assert (paths.PROJ_ROOT / f).exists(), f"{s.path} declares a missing input {f}"


def test_source_digest_ignores_outputs_but_not_code(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    f = tmp_path / "n.ipynb"
    nbformat.write(nb, f)
    before = pipeline.notebook_source_digest(f)
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    nbformat.write(nb, f)
    assert pipeline.notebook_source_digest(f) == before
    nb.cells[0].source = "1 + 2"
    nbformat.write(nb, f)
    assert pipeline.notebook_source_digest(f) != before


def test_failing_cell_is_named_and_notebook_left_intact(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROJ_ROOT", tmp_path)
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path / "build")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("raise KeyError('no such column')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    f = tmp_path / "bad.ipynb"
    nbformat.write(nb, f)
    original = f.read_bytes()
    with pytest.raises(pipeline.BuildError, match=r"bad.ipynb, cell 2: KeyError: 'no such column'"):
        pipeline.execute_notebook(NotebookStage("bad.ipynb", (), ()))
    assert f.read_bytes() == original


def test_state_file_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path)
    pipeline.save_state({"validate": "abc"})
    assert pipeline.load_state() == {"validate": "abc"}
    (tmp_path / "state.json").write_text("{broken")
    assert pipeline.load_state() == {}
    json.dumps(pipeline.load_state())


def test_reads_and_writes_are_declared_once():
    """Each notebook's Reads/Writes and the README's notebook table are generated from brief.toml."""
    from csto_brief import docs

    assert docs.sync(check=True) == []


def test_the_evidence_cut_off_reads_every_table_that_cites_sources():
    """Notebook 01 dates the brief by the newest source any table relies on, so it declares them all."""
    from csto_brief import schemas

    citing = {f"data/raw/{t.file}" for t in schemas.TABLES if any(c.refs == "sources.csv:source_id" for c in t.columns)}
    first = next(s for s in config.load().notebooks if s.path.startswith("notebooks/01"))
    assert citing - set(first.inputs) == set()
