"""What each notebook reads is recorded (csto_brief.reads) and must equal what brief.toml declares; the plan
re-runs exactly the notebooks that read a changed input, down to the part of brief.toml."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from csto_brief import config, data, paths, pipeline, reads
from test_pipeline import make_mini, run_mini


def test_a_parameter_is_recorded_by_its_part_of_brief_toml():
    config.load().likelihood
    config.load().as_of
    assert {"brief.toml:likelihood", "brief.toml:brief.as_of"} <= set(reads.recorded())


def test_validation_is_not_a_read_but_loading_is():
    before = set(reads.recorded())
    data.check()
    assert set(reads.recorded()) == before  # validation reads every file, and is not recorded
    data.load("places.csv")
    assert "data/raw/places.csv" in reads.recorded()


def test_declared_parts_of_brief_toml_must_exist(tmp_path):
    toml = paths.CONFIG_FILE.read_text(encoding="utf-8").replace('"brief.toml:likelihood"', '"brief.toml:likelihod"')
    (tmp_path / "brief.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(config.ConfigError, match="'brief.toml:likelihod' names no part of brief.toml"):
        config.load(tmp_path / "brief.toml")


def test_a_read_that_brief_toml_does_not_declare_stops_the_build(tmp_path):
    """Notebook a of the mini project reads documents.csv, undeclared, and no longer reads its declared input:
    the build stops naming the notebook and both files, and puts a's outputs back."""
    root = make_mini(tmp_path / "mini")
    nb_path = root / "notebooks" / "a.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("data/raw/countries.csv", "data/raw/documents.csv")
    nbformat.write(nb, nb_path)
    res = run_mini(root)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "notebooks/a.ipynb: what it read differs from its inputs in brief.toml" in res.stderr
    assert "read, but not declared (add to its inputs): data/raw/documents.csv" in res.stderr
    assert "declared, but not read (remove from its inputs): data/raw/countries.csv" in res.stderr
    assert not (root / "data" / "processed" / "a.txt").exists()
    assert not (root / "report" / "brief.pdf").exists()


PLAN = r'''
import json, sys
from csto_brief import config, paths, pipeline

cfg = config.load()
pkg = pipeline.package_files()
state = {"digests": {}}  # as a build of the committed outputs leaves it
for s in cfg.notebooks:
    d = pipeline.notebook_digests(s, pkg)
    state[s.path], state["digests"][s.path] = pipeline.notebook_key(s, pkg, d), d
state["export"] = pipeline.stage_key("export", pipeline.export_inputs(cfg))
pipeline.save_state(state)


def plan():
    config.load.cache_clear()
    return sorted(p for p, stale, _ in pipeline.stale_stages() if stale)


out = {"": plan()}
for f in sorted(p for p in paths.RAW_DIR.rglob("*") if p.is_file()):
    saved = f.read_bytes()
    f.write_bytes(saved + b"\n")
    try:
        out[paths.rel(f)] = plan()
    finally:
        f.write_bytes(saved)
toml = paths.CONFIG_FILE.read_text(encoding="utf-8")
for name, old, new in json.loads(sys.argv[1]):
    assert toml.count(old) == 1, old
    paths.CONFIG_FILE.write_text(toml.replace(old, new), encoding="utf-8")
    try:
        out[name] = plan()
    finally:
        paths.CONFIG_FILE.write_text(toml, encoding="utf-8")
print(json.dumps(out))
'''


def _downstream(stages, direct: set[str]) -> set[str]:
    deps = pipeline.dependencies(stages)
    out = set(direct)
    changed = True
    while changed:
        changed = False
        for s in stages:
            if s.path not in out and deps[s.path] & out:
                out.add(s.path)
                changed = True
    return out


def test_plan_reruns_exactly_the_notebooks_that_read_each_input(tmp_path):
    """Each raw file and each part of brief.toml, edited in a copy of the repository: `make plan` runs the
    notebooks that declare it (the build has checked that they are the ones that read it), those that read
    their outputs, and the export; nothing else."""
    cfg = config.load()
    stages = list(cfg.notebooks)
    root = pipeline.copy_repo(tmp_path / "repo")
    raw = config.load(root / "brief.toml")
    edits = [
        ("brief.toml:brief.title", f'title = "{cfg.title}"', 'title = "Another title"'),
        ("brief.toml:brief.subtitle", f'subtitle = "{cfg.subtitle}"', 'subtitle = "Another subtitle"'),
        ("brief.toml:brief.as_of", f'as_of = "{cfg.as_of.isoformat()}"', 'as_of = "2026-12-01"'),
        ("brief.toml:likelihood", '[5, "almost no chance"]', '[5, "remote"]'),
        ("brief.toml:status_model", f"draws = {cfg.status_model['draws']}", "draws = 999"),
        ("question of 03", f'question = "{stages[2].question}"', 'question = "Another question?"'),
        ("inputs of 03", '"data/processed/membership_counts.csv",\n]', '"data/processed/membership_counts.csv",\n    "data/raw/documents.csv",\n]'),
    ]
    assert raw.notebooks[2].path.startswith("notebooks/03")
    env = {**__import__("os").environ, "CSTO_BRIEF_ROOT": str(root)}
    res = subprocess.run([sys.executable, "-c", PLAN, json.dumps(edits)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    plans = json.loads(res.stdout)
    assert plans.pop("") == [], "the copy's state should make every stage up to date"
    export_reads = set(pipeline.export_inputs(cfg))

    def expected(direct: set[str], export: bool) -> list[str]:
        runs = _downstream(stages, direct)
        return sorted(runs | ({"export"} if runs or export else set()))

    wrong = {}
    for name, got in plans.items():
        if name.startswith("brief.toml:"):
            direct = {s.path for s in stages if any(reads.covers(i, name) for i in s.inputs)}
            want = expected(direct, export=True)  # the export reads all of brief.toml (title, version, ...)
        elif name == "question of 03":
            want = expected(set(), export=True)  # the question is documentation; brief.toml changed for the export
        elif name == "inputs of 03":
            want = expected({stages[2].path}, export=True)
        else:
            direct = {s.path for s in stages if name in s.inputs}
            want = expected(direct, export=name in export_reads)
        if got != want:
            wrong[name] = {"plan": got, "expected": want}
    assert wrong == {}
    assert "notebooks/01-load-and-check-facts.ipynb" in plans["brief.toml:likelihood"]  # the judgments' words
    assert plans["brief.toml:brief.title"] == ["export"]
    assert len([k for k in plans if k.startswith("data/raw/")]) == len(list(paths.RAW_DIR.rglob("*.*")))
