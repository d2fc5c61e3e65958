"""The README's recipes for extending the analysis, run as a user runs them, in a copy of the repository.

(Another candidate is in tests/test_render.py; the change log a moved number needs, in tests/test_editions.py.)"""

import json
import os
import subprocess
import sys

from csto_brief import paths, pipeline


def _status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=paths.PROJ_ROOT, capture_output=True,
                          text=True).stdout


def test_another_border_from_loading_the_layer_to_a_number_in_the_brief(tmp_path):
    """Measure Turkmenistan-Afghanistan on the DCW layer in notebook 02, record it as a fact, place it in the text:
    the brief says it, at a plausible length (the layer's own tolerance), and the checkout is untouched."""
    before = _status()
    root = pipeline.copy_repo(tmp_path / "repo")
    nb_path = root / "notebooks/02-map-and-measure-borders.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and "F.save()" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("F.save()", (
        'F.add("tkm_afg_km", geo.border_length_km(geo.load("dcw_countries"), "TKM", "AFG"), unit="km", digits=0,\n'
        '      derived_from="data/raw/geo/dcw_countries.geojson")\nF.save()'), 1)
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = root / "report/text/03-southern-flank.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nTurkmenistan's border with Afghanistan measures "
                    "{{ f.tkm_afg_km }} km on the same map.\n", encoding="utf-8")
    code = ("from csto_brief import config, pipeline, render; import re, html;"
            "s = next(s for s in config.load().notebooks if s.path.startswith('notebooks/02'));"
            "pipeline.execute_notebook(s); b = render.render(notebook=True);"
            "print(html.unescape(re.sub(r'<[^>]+>', '', ' '.join(b.section_html(x) for x in b.sections))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env={**os.environ, "CSTO_BRIEF_ROOT": str(root)},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    said = " ".join(out.stdout.split())
    km = int(said.split("Turkmenistan's border with Afghanistan measures ")[1].split(" km")[0].replace(",", ""))
    assert 700 < km < 810  # published figures: 744-804 km; the default tolerance once gave 93 km
    assert _status() == before


def _readme_block(after: str) -> str:
    """The first ```sh block of the README after the sentence that starts with ``after``."""
    text = (paths.PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    rest = text[text.index(after):]
    return rest.split("```sh\n", 1)[1].split("```", 1)[0]


def test_a_notebook_run_by_hand_as_the_readme_says_twice_leaves_the_checkout_as_it_was(tmp_path):
    """The README's two commands (a scratch copy, then nbconvert --execute into it), run as written but for the
    scratch directory, twice: the notebook runs, writes only in the copy, and the checkout is untouched."""
    import shlex

    before = _status()
    block = _readme_block("To run one notebook by hand").replace("/tmp/csto", str(tmp_path / "csto"))
    commands = [shlex.split(c) for c in block.replace("\\\n", " ").strip().splitlines()]
    assert len(commands) == 2 and commands[1][0].startswith("CSTO_BRIEF_ROOT="), block
    notebook = commands[1][-1]
    for run in (1, 2):
        first = subprocess.run(commands[0], cwd=paths.PROJ_ROOT, capture_output=True, text=True)
        assert first.returncode == 0, f"run {run}: {first.stderr[-2000:]}"
        if run == 1:
            continue  # the copy is made twice (the second refreshes it); the notebook runs once, on the refresh
        env_var, *cmd = commands[1]
        env = {**os.environ, env_var.split("=")[0]: env_var.split("=", 1)[1]}
        second = subprocess.run(cmd, cwd=paths.PROJ_ROOT, env=env, capture_output=True, text=True)
        assert second.returncode == 0, second.stderr[-2000:]
    executed = tmp_path / "csto" / "executed" / os.path.basename(notebook)
    assert executed.exists()
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    assert not [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert _status() == before


def _wdi_bulk_file(rows, code: str, extra: dict[str, str] | None = None) -> str:
    """A World Bank bulk CSV of one indicator as the provider publishes it (preamble, one column per year)."""
    import csv
    import io

    by = {}
    for r in rows:
        if r["indicator"] == code:
            by.setdefault(r["iso3"], {})[r["year"]] = r["value"]
    for iso3, value in (extra or {}).items():
        by[iso3]["2026"] = value
    years = sorted({y for v in by.values() for y in v})
    out = io.StringIO()
    out.write('\ufeff"Data Source","World Development Indicators",\n\n"Last Updated Date","2026-07-13",\n\n')
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=",\n")
    w.writerow(["Country Name", "Country Code", "Indicator Name", "Indicator Code", *years])
    for iso3, values in sorted(by.items()):
        w.writerow([iso3, iso3, code, code, *(values.get(y, "") for y in years)])
    return out.getvalue()


def test_a_newer_data_year_from_recorded_provider_files_offline(tmp_path):
    """The WDI's bulk files saved in a directory (here written from the snapshot, with a population year 2026
    added): `refresh_indicators.py --from DIR --only wdi` rewrites only the population rows, reproduces every
    other row byte for byte, runs without a network; validation then names the cross-check notes the new year
    makes stale (the next step of the recipe)."""
    import csv
    import shutil

    before = _status()
    root = pipeline.copy_repo(tmp_path / "repo")
    snap = root / "data/raw/indicators/wdi.csv"
    old_text = snap.read_text(encoding="utf-8")
    rows = list(csv.DictReader(old_text.splitlines()))
    ppp = list(csv.DictReader((root / "data/raw/indicators/wdi_ppp.csv").read_text(encoding="utf-8").splitlines()))
    saved = tmp_path / "provider-files"
    saved.mkdir()
    pop_2026 = {r["iso3"]: str(round(float(r["value"]) * 1.003)) for r in rows
                if r["indicator"] == "SP.POP.TOTL" and r["year"] == "2025"}
    for code in ("SP.POP.TOTL", "NY.GDP.MKTP.CD", "AG.SRF.TOTL.K2", "MS.MIL.TOTL.P1"):
        extra = pop_2026 if code == "SP.POP.TOTL" else None
        (saved / f"API_{code}_DS2_en_csv_v2_recorded.csv").write_text(_wdi_bulk_file(rows, code, extra), encoding="utf-8")
    for code in ("PA.NUS.PPP", "PA.NUS.FCRF"):
        (saved / f"API_{code}_DS2_en_csv_v2_recorded.csv").write_text(_wdi_bulk_file(ppp, code), encoding="utf-8")

    env = {**os.environ, "CSTO_BRIEF_ROOT": str(root)}
    offline = ["unshare", "-rn"] if shutil.which("unshare") and subprocess.run(
        ["unshare", "-rn", "true"], capture_output=True).returncode == 0 else []
    res = subprocess.run([*offline, sys.executable, str(paths.PROJ_ROOT / "scripts/refresh_indicators.py"),
                          "--from", str(saved), "--only", "wdi"], cwd=root, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "data/raw/indicators/wdi.csv: " in res.stdout and "CHANGED" in res.stdout.split("wdi.csv: ", 1)[1].split("\n")[0]
    assert "wdi_ppp.csv" in res.stdout and "unchanged" in res.stdout.split("wdi_ppp.csv", 1)[1].split("\n", 1)[0]
    new = list(csv.DictReader(snap.read_text(encoding="utf-8").splitlines()))
    assert {r["year"] for r in new if r["indicator"] == "SP.POP.TOTL"} == {"2025", "2026"}
    assert [r for r in new if r["indicator"] != "SP.POP.TOTL"] == [r for r in rows if r["indicator"] != "SP.POP.TOTL"]
    assert [r for r in new if r["indicator"] == "SP.POP.TOTL" and r["year"] == "2025"] == \
        [r for r in rows if r["indicator"] == "SP.POP.TOTL" and r["year"] == "2025"]

    # As the README goes on: the provenance record, then the build, whose validation holds the new year against
    # the cross-check notes: each note on a population figure that moved is named, as is any new gap over 5 %.
    assert subprocess.run([sys.executable, "-m", "csto_brief.provenance", "update", "data/raw/indicators/wdi.csv"],
                          cwd=root, env=env, capture_output=True).returncode == 0
    check = subprocess.run([sys.executable, "-c", "from csto_brief import data; data.check()"], cwd=root, env=env,
                           capture_output=True, text=True)
    assert check.returncode == 1
    problems = [ln.strip() for ln in check.stderr.splitlines() if "[rule: cross-check]" in ln]
    assert problems and all("population" in p for p in problems), check.stderr[-2000:]
    assert any("crosscheck_notes.csv" in p and "is not the primary value" in p for p in problems), problems
    # A provider file that is not there is named, with what it stands for
    (saved / "API_MS.MIL.TOTL.P1_DS2_en_csv_v2_recorded.csv").unlink()
    res = subprocess.run([sys.executable, str(paths.PROJ_ROOT / "scripts/refresh_indicators.py"), "--from", str(saved),
                          "--only", "wdi"], cwd=root, env=env, capture_output=True, text=True)
    assert res.returncode == 1 and "no API_MS.MIL.TOTL.P1_*.csv or .zip" in res.stderr, res.stderr
    assert _status() == before
