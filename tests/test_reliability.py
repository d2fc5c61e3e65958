"""Bad input is caught before any notebook runs; builds are offline, deterministic and incremental.

The mutation cases are generated from the declared schemas, so every raw file (and any file added
later) is broken in every way that applies to it: a missing file, a changed checksum, a missing or an
extra column, a wrong type, an out-of-range value or a date after the cut-off, a duplicate key, an
unknown code, an empty required value, and for geodata an invalid or empty geometry.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from csto_brief import config, data, geo, paths, pipeline, provenance, schemas

CASES: list[tuple[str, str, str, str]] = []  # (file, mutation, expected rule, expected text)
ACCEPTED = "accepted"  # a harmless variant: the file validates and loads exactly as the original
# Referenced columns whose values have letters in upper case (a lower-case value must get a suggestion).
LOWERCASE_REFS = ("countries.csv:iso3", "documents.csv:doc_id", "claims.csv:claim_id",
                  "status/criteria.csv:criterion_id", "status/evidence.csv:evidence_id")


def _numeric_bounds(col):
    if col.kind in ("int", "float", "year") and (col.min is not None or col.max is not None):
        return True
    return False


for table in schemas.TABLES:
    f = table.file
    CASES.append((f, "missing-file", "file-exists", "file is missing"))
    CASES.append((f, "checksum", "checksum", "SHA-256"))
    CASES.append((f, "drop-column", "header", "column is missing"))
    CASES.append((f, "extra-column", "header", "unexpected column"))
    CASES.append((f, "duplicate-key", "unique-key", "duplicate key"))
    for col in table.columns:
        if col.kind in ("int", "float", "year", "date", "partial_date", "url"):
            CASES.append((f, f"wrong-type:{col.name}", "type", col.name))
        if _numeric_bounds(col):
            CASES.append((f, f"out-of-range:{col.name}", "range", col.name))
        if col.kind in ("date", "partial_date") and col.not_after_as_of:
            CASES.append((f, f"future-date:{col.name}", "not-after-cut-off", col.name))
        if col.refs:
            CASES.append((f, f"unknown-reference:{col.name}", "reference", col.name))
        if col.required and col.kind == "str" and not col.choices and not col.pattern and not col.refs:
            CASES.append((f, f"empty-required:{col.name}", "required", col.name))
        if col.one_line:  # a quoted line break inside a value ("75th a\nniversary")
            CASES.append((f, f"line-break:{col.name}", "one-line", "must be one line"))
        if col.refs in LOWERCASE_REFS:
            CASES.append((f, f"lower-case-reference:{col.name}", "reference", "did you mean"))
        if col.refs:
            CASES.append((f, f"near-miss-reference:{col.name}", "reference", "did you mean"))
        for mine, theirs, _ in col.refs_match:  # e.g. a score's evidence about another criterion or candidate
            CASES.append((f, f"mismatched-reference:{col.name}:{mine}", "reference-match", f"has {theirs}"))
    if table.located:  # a row with longitude and latitude swapped
        CASES.append((f, "swapped-coordinates", "location", "are longitude and latitude swapped?"))
    CASES.append((f, "byte-order-mark", "encoding", "file starts with a UTF-8 byte-order mark"))
    CASES.append((f, "crlf", ACCEPTED, ""))  # Windows line endings: read the same as LF
for layer in geo.LAYERS:
    f = layer.file
    CASES += [(f, "missing-file", "file-exists", "file is missing"), (f, "checksum", "checksum", "SHA-256"),
              (f, "invalid-geometry", "geometry", "invalid"), (f, "empty-geometry", "geometry", "empty"),
              (f, "drop-property", "header", "missing columns"),
              (f, "swapped-axes", "extent", "are longitude and latitude swapped?")]
    if layer.countries:
        CASES.append((f, "swapped-feature", "extent", "outside the box declared for"))


def _read(path: Path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _bad_value(col):
    if col.min is not None:
        return str(col.min - 1)
    return str(col.max + 1)


# A value that fits each referenced column's pattern but exists nowhere.
UNKNOWN = {"countries.csv:iso3": "QQQ", "sources.csv:source_id": "no-such-source", "documents.csv:doc_id": "Z",
           "claims.csv:claim_id": "Z99", "status/criteria.csv:criterion_id": "C99",
           "status/evidence.csv:evidence_id": "E999", "places.csv:place_id": "no_such_place"}


# A valid row for each table that may have none yet (outcomes.csv, until the first horizon passes).
SAMPLE_ROWS = {"outcomes.csv": {"judgment_id": "india-status", "edition": "2.0", "resolved_on": "2026-06-30",
                                "outcome": "0", "sources": "tass-2025-5", "note": "a sample row"}}


def test_every_table_without_rows_has_a_sample_row_to_break():
    """Otherwise its broken-input cases would test nothing; the sample itself must validate."""
    import shutil
    import tempfile

    for t in schemas.TABLES:
        header, rows = _read(paths.RAW_DIR / t.file)
        if rows:
            continue
        assert t.file in SAMPLE_ROWS and set(SAMPLE_ROWS[t.file]) == set(header), t.file
        with tempfile.TemporaryDirectory() as d:
            raw = Path(d) / "raw"
            shutil.copytree(paths.RAW_DIR, raw)
            _write(raw / t.file, header, [[SAMPLE_ROWS[t.file][h] for h in header]])
            from csto_brief import provenance
            provenance.update(raw / t.file)
            assert data.validate_all(raw, layers=(), tables=_tables_touching(t.file)) == []


def mutate(raw: Path, file: str, mutation: str) -> None:
    """Break one file of a copy of data/raw; unless the mutation is about the checksum itself, the
    provenance record is refreshed, as after a deliberate (but wrong) edit."""
    path = raw / file
    kind, _, colname = mutation.partition(":")
    if kind == "missing-file":
        path.unlink()
        return
    if kind == "checksum":
        with open(path, "ab") as fh:
            fh.write(b"\n" if path.suffix == ".csv" else b" ")
        return
    if kind == "byte-order-mark":
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif kind == "crlf":
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    elif path.suffix == ".geojson":
        doc = json.loads(path.read_text(encoding="utf-8"))
        feat = doc["features"][0]
        if kind == "swapped-axes":
            for ft in doc["features"]:
                ft["geometry"]["coordinates"] = _swap(ft["geometry"]["coordinates"])
        elif kind == "swapped-feature":
            feat["geometry"]["coordinates"] = _swap(feat["geometry"]["coordinates"])
        elif kind == "invalid-geometry":
            if feat["geometry"]["type"] in ("Polygon", "MultiPolygon"):
                feat["geometry"] = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
            else:
                feat["geometry"] = {"type": "LineString", "coordinates": [[0, 0], [0, 0]]}
        elif kind == "empty-geometry":
            feat["geometry"] = {"type": feat["geometry"]["type"].replace("Multi", ""), "coordinates": []}
        elif kind == "drop-property":
            for ft in doc["features"]:
                ft["properties"].pop("clipped", None)
        path.write_text(json.dumps(doc), encoding="utf-8")
    else:
        header, rows = _read(path)
        if not rows and kind not in ("drop-column", "extra-column"):  # a table with no rows yet: break a valid one
            rows = [[SAMPLE_ROWS[file][h] for h in header]]
        table = schemas.BY_FILE[file]
        colname, _, detail = colname.partition(":")
        col = next((c for c in table.columns if c.name == colname), None)
        i = header.index(colname) if colname else None
        # the first row with a value in the column (an optional column may be empty in the first rows)
        j = next((n for n, r in enumerate(rows) if r[i]), 0) if colname else 0
        if kind == "drop-column":
            j = header.index(table.columns[-1].name)
            header, rows = header[:j] + header[j + 1:], [r[:j] + r[j + 1:] for r in rows]
        elif kind == "extra-column":
            header, rows = header + ["extra"], [r + ["x"] for r in rows]
        elif kind == "duplicate-key":
            rows = rows + [rows[0]]
        elif kind == "wrong-type":
            rows[0][i] = "not a value"
        elif kind == "out-of-range":
            rows[0][i] = _bad_value(col)
        elif kind == "future-date":
            rows[0][i] = "2099-01-01"
        elif kind == "unknown-reference":
            rows[0][i] = UNKNOWN[col.refs]
        elif kind == "empty-required":
            rows[0][i] = ""
        elif kind == "line-break":
            v = rows[0][i] or "a value"
            rows[0][i] = v[: len(v) // 2] + "\n" + v[len(v) // 2:]
        elif kind == "lower-case-reference":
            rows[j][i] = rows[j][i].split(";")[0].lower()
        elif kind == "near-miss-reference":
            rows[j][i] = _near_miss(raw, col.refs, rows[j][i].split(";")[0])
        elif kind == "swapped-coordinates":
            lon, lat = (header.index(c) for c in table.located[:2])
            rows[0][lon], rows[0][lat] = rows[0][lat], rows[0][lon]
        elif kind == "mismatched-reference":
            rows[j][i] = _mismatched(raw, table, col, detail, dict(zip(header, rows[j])))
        _write(path, header, rows)
    provenance.update(path)


def _swap(coords):
    """Longitude and latitude swapped, at any depth of a GeoJSON coordinate array."""
    if coords and isinstance(coords[0], (int, float)):
        return [coords[1], coords[0], *coords[2:]]
    return [_swap(c) for c in coords]


def _near_miss(raw: Path, refs: str, value: str) -> str:
    """A typing slip on the value (its last character doubled, or replaced) that is no valid value."""
    ref_file, ref_col = refs.split(":")
    _, ref_rows = _read_dicts(raw / ref_file)
    valid = {r[ref_col] for r in ref_rows}
    slips = [value + value[-1], value + "x", value[:-1] + ("Q" if value[-1] != "Q" else "X")]
    return next(v for v in slips if v not in valid)


def _mismatched(raw: Path, table, col, mine: str, row: dict[str, str]) -> str:
    """An id of the referenced table whose row disagrees with this row on ``mine`` (and agrees on the
    other matched columns), e.g. evidence on another criterion for the same candidate."""
    ref_file, ref_key = col.refs.split(":")
    _, ref_rows = _read_dicts(raw / ref_file)
    pairs = {m: (t, w) for m, t, w in col.refs_match}
    theirs, wildcard = pairs[mine]
    for r in ref_rows:
        if r[theirs] != row[mine] and r[theirs] not in wildcard and all(
                r[t] == row[m] or r[t] in w for m, (t, w) in pairs.items() if m != mine):
            return r[ref_key]
    raise AssertionError(f"no row of {ref_file} to mismatch {table.file} on {mine}")


def _read_dicts(path: Path):
    header, rows = _read(path)
    return header, [dict(zip(header, r)) for r in rows]


def _tables_touching(file: str) -> tuple:
    """The tables whose validation can see a change to ``file``: itself, those that refer to it or that it covers,
    and every table these refer to (their keys are what references are checked against); in dependency order."""
    def linked(t):
        return {c.refs.split(":")[0] for c in t.columns if c.refs} | ({t.covers.split(":")[0]} if t.covers else set())

    names = {file} | {t.file for t in schemas.TABLES if file in linked(t)}
    names |= {f for t in schemas.TABLES if t.file in names for f in linked(t)}
    return tuple(t for t in schemas.TABLES if t.file in names)


@pytest.fixture(scope="module")
def _pristine_raw(tmp_path_factory) -> tuple[Path, dict]:
    """One copy of data/raw per worker, and the size and modification time of each of its files (copied with
    their times, so any later write shows)."""
    raw = tmp_path_factory.mktemp("mutations") / "raw"
    shutil.copytree(paths.RAW_DIR, raw)
    return raw, _stats(raw)


def _stats(raw: Path) -> dict:
    out = {}
    for folder, _, files in os.walk(raw):
        for name in files:
            st = os.stat(os.path.join(folder, name))
            out[os.path.join(folder, name)] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def raw_scratch(_pristine_raw) -> Path:
    """The worker's copy of data/raw, as data/raw is, for one broken-input case; afterwards every file the case
    wrote, added or removed is put back (cheaper than a copy per case, and no case sees another's change)."""
    raw, pristine = _pristine_raw
    yield raw
    _restore(raw, pristine)


def _restore(raw: Path, pristine: dict) -> None:
    now = _stats(raw)
    for p in set(now) - set(pristine):
        os.unlink(p)
    for p, stat in pristine.items():
        if now.get(p) != stat:
            shutil.copy2(paths.RAW_DIR / Path(p).relative_to(raw), p)
    assert _stats(raw) == pristine, "the scratch copy of data/raw could not be restored"


def test_the_scratch_copy_is_restored_after_a_case(_pristine_raw):
    raw, pristine = _pristine_raw
    mutate(raw, "countries.csv", "missing-file")
    mutate(raw, "sources.csv", "wrong-type:date_published")
    (raw / "extra.csv").write_text("x\n")
    assert data.validate_all(raw, layers=()) != []
    _restore(raw, pristine)
    assert _stats(raw) == pristine and data.validate_all(raw, layers=()) == []


@pytest.mark.parametrize("file, mutation, rule, text", CASES, ids=[f"{c[0]}|{c[1]}" for c in CASES])
def test_mutation_is_caught_with_file_row_column_and_rule(raw_scratch, file, mutation, rule, text):
    raw_copy = raw_scratch
    mutate(raw_copy, file, mutation)
    # Validated: the provenance of every file and what can see the change, the tables that refer to the file or
    # that it refers to, or the one layer (other tables and layers are unchanged, so they cannot add or hide a
    # problem); the end-to-end cases below run the full validation, rules across files included.
    is_geo = file.endswith(".geojson")
    layer = geo.BY_NAME[Path(file).stem] if is_geo else None
    problems = data.validate_all(raw_copy, layers=(layer,) if is_geo else (),
                                 tables=() if is_geo else _tables_touching(file))
    if rule == ACCEPTED:
        assert problems == [], [str(p) for p in problems]
        if not is_geo:  # the loader reads it exactly as the original (the rules across files, which read
            with data.without_check():  # tables through the loader, so see the same frame, are not run again)
                changed = data.load(file, raw_copy)
            pd.testing.assert_frame_equal(changed, data.load(file))
        return
    hits = [p for p in problems if p.rule == rule and Path(p.file).name == Path(file).name]
    assert hits, f"{file} {mutation}: expected a '{rule}' problem, got {[str(p) for p in problems][:5]}"
    message = str(hits[0])
    assert Path(file).name in message and f"[rule: {rule}]" in message
    assert text in message, message
    if ":" in mutation and mutation.split(":")[0] not in ("mismatched-reference",):
        assert hits[0].column == mutation.split(":")[1]
    if mutation.split(":")[0] in ("wrong-type", "out-of-range", "future-date", "unknown-reference", "empty-required",
                                  "duplicate-key", "invalid-geometry", "empty-geometry", "line-break",
                                  "lower-case-reference", "near-miss-reference", "mismatched-reference",
                                  "swapped-axes", "swapped-feature", "swapped-coordinates"):
        assert hits[0].row is not None and "row " in message  # the row is named
    if mutation.startswith("lower-case-reference"):  # the suggestion is the value as it was
        original = _read_dicts(paths.RAW_DIR / file)[1][hits[0].row - 1][mutation.split(":")[1]].split(";")[0]
        assert f"did you mean {original!r}?" in message, message
    if mutation in ("swapped-axes", "swapped-feature"):  # the feature is named by its key or its countries
        assert "feature" in message and (geo.BY_NAME[Path(file).stem].countries == () or "'" in message), message
    if mutation.startswith("mismatched-reference"):
        assert hits[0].column == mutation.split(":")[1]


# brief.toml [status_model]: (case, replacement of its lines, key, rule, text)
CONFIG_CASES = [
    ("draws-zero", {"draws": "draws = 0"}, "draws", "range", "value 0 is below the minimum 1"),
    ("draws-negative", {"draws": "draws = -100"}, "draws", "range", "value -100 is below the minimum 1"),
    ("draws-fraction", {"draws": "draws = 2000.5"}, "draws", "type", "value 2000.5 is not a whole number"),
    ("draws-text", {"draws": 'draws = "many"'}, "draws", "type", "value 'many' is not a whole number"),
    ("draws-boolean", {"draws": "draws = true"}, "draws", "type", "value True is not a whole number"),
    ("draws-huge", {"draws": "draws = 100_000_000"}, "draws", "range", "is above the maximum 1000000"),
    ("draws-missing", {"draws": ""}, "draws", "required", "is missing"),
    ("seed-negative", {"seed": "seed = -1"}, "seed", "range", "value -1 is below the minimum 0"),
    ("seed-fraction", {"seed": "seed = 1.5"}, "seed", "type", "value 1.5 is not a whole number"),
    ("seed-missing", {"seed": ""}, "seed", "required", "is missing"),
    ("bands-empty", {"bands": "bands = []"}, "bands", "type", "non-empty list"),
    ("bands-not-a-list", {"bands": 'bands = "even"'}, "bands", "type", "non-empty list"),
    ("bands-unordered", {"bands": 'bands = [[40, "unlikely"], [20, "very unlikely"], [101, "likely"]]'}, "bands",
     "order", "must rise strictly"),
    ("bands-repeated-bound", {"bands": 'bands = [[40, "unlikely"], [40, "even"], [101, "likely"]]'}, "bands",
     "order", "must rise strictly"),
    ("bands-no-words", {"bands": 'bands = [[50, ""], [101, "likely"]]'}, "bands", "type", "band 1 is"),
    ("bands-not-pairs", {"bands": "bands = [[50], [101]]"}, "bands", "type", "band 1 is [50]"),
    ("bands-negative", {"bands": 'bands = [[-5, "never"], [101, "likely"]]'}, "bands", "range", "band 1 has the upper bound -5"),
    ("bands-short-of-100", {"bands": 'bands = [[50, "unlikely"], [90, "likely"]]'}, "bands", "range",
     "the last band ends at 90"),
    ("unknown-key", {"seed": "seed = 1\nsample = 5"}, "sample", "unknown-key", "unexpected key"),
]


def _config_with(tmp_path: Path, replace: dict[str, str]) -> Path:
    """brief.toml with lines of [status_model] replaced (its keys appear nowhere else in the file)."""
    lines = []
    for line in paths.CONFIG_FILE.read_text(encoding="utf-8").splitlines():
        key = line.split("=")[0].strip()
        lines.append(replace.get(key, line))
    out = tmp_path / "brief.toml"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize("case, replace, key, rule, text", CONFIG_CASES,
                         ids=[f"brief.toml|status_model:{c[0]}" for c in CONFIG_CASES])
def test_mutation_is_caught_in_config(tmp_path, case, replace, key, rule, text):
    """A bad [status_model] in brief.toml is refused naming the file, the key and the rule (not an error
    deep inside pandas or numpy)."""
    with pytest.raises(config.ConfigError) as err:
        config.load(_config_with(tmp_path, replace))
    message = str(err.value)
    assert "brief.toml, [status_model], key '" + key + "': " in message, message
    assert f"[rule: {rule}]" in message and text in message, message


def test_config_without_the_status_model_is_refused(tmp_path):
    text = paths.CONFIG_FILE.read_text(encoding="utf-8")
    start, end = text.index("[status_model]"), text.index("[[notebooks]]")
    (tmp_path / "brief.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(config.ConfigError, match=r"brief.toml: the table \[status_model\].*missing \[rule: required\]"):
        config.load(tmp_path / "brief.toml")


def test_committed_config_passes_and_keeps_its_types():
    sm = config.load().status_model
    assert type(sm["draws"]) is int and sm["draws"] >= 1 and type(sm["seed"]) is int
    assert [b[0] for b in sm["bands"]] == sorted(b[0] for b in sm["bands"]) and sm["bands"][-1][0] >= 100


def test_every_raw_file_has_mutation_cases():
    files = {c[0] for c in CASES}
    assert files == {p.relative_to(paths.RAW_DIR).as_posix() for p in provenance.raw_files()}
    print(f"\n{len(CASES)} mutation cases over {len(files)} raw files")


# --- the whole build, in a copy of the repository -----------------------------------------------

def _git(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(paths.PROJ_ROOT), *args], capture_output=True, **kw)


def committed_copy(dest: Path) -> tuple[Path, str]:
    """What a build needs, as committed in git's HEAD (not the working tree, so a `make brief` whose outputs
    were not committed cannot hide drift); outside a git checkout, the working tree. Returns the copy and
    what it was made from."""
    head = _git("rev-parse", "--verify", "HEAD", text=True) if shutil.which("git") else None
    if head is None or head.returncode != 0:
        return pipeline.copy_repo(dest), "the working tree (not a git checkout)"
    dest.mkdir(parents=True, exist_ok=True)
    archive = _git("archive", "--format=tar", "HEAD", "--", *pipeline.REPO_ITEMS, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest, f"git HEAD {head.stdout.strip()[:12]}"


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    root, origin = committed_copy(tmp_path_factory.mktemp("repo"))
    print(f"\nbuilding a copy of {origin}")
    return root


def _digest(root: Path, sub: str) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / sub).rglob("*")) if p.is_file()}


def _offline_prefix() -> list[str]:
    """Run without a network: a new network namespace where the system allows it, else with
    Python's sockets disabled in the build process."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True) if shutil.which("unshare") else None
    if probe is not None and probe.returncode == 0:
        return ["unshare", "-rn", sys.executable]
    return [sys.executable, str(Path(__file__).with_name("offline.py"))]


def run_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CSTO_BRIEF_ROOT": str(root)}
    return subprocess.run(_offline_prefix() + ["-m", "csto_brief.pipeline", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)


def test_clean_offline_build_is_byte_identical_to_the_committed_one(repo_copy):
    """Two clean builds (the outputs committed in git's HEAD and this one, from HEAD's inputs) agree byte for
    byte, without a network. Outputs rebuilt but not committed, or committed stale, fail here."""
    before = {sub: _digest(repo_copy, sub) for sub in ("data/processed", "figures", "report", "notebooks")}
    if _git("rev-parse", "--verify", "HEAD").returncode == 0:  # the copy holds exactly what HEAD holds
        committed = _git("ls-tree", "-r", "--name-only", "HEAD", "--", *before, text=True, check=True).stdout.split()
        assert sorted(k for sub in before for k in before[sub]) == sorted(committed)
    res = run_build(repo_copy, "--force")
    assert res.returncode == 0, res.stdout + res.stderr
    after = {sub: _digest(repo_copy, sub) for sub in before}
    for sub in before:
        changed = sorted(k for k in before[sub] if before[sub][k] != after[sub].get(k))
        assert changed == [], f"{sub}: files differ after a clean rebuild of the committed inputs: {changed}"
        extra = sorted(set(after[sub]) - set(before[sub]))
        assert extra == [], f"{sub}: the build writes files that are not committed: {extra}"


def test_noop_rebuild_executes_nothing(repo_copy):
    res = run_build(repo_copy)
    assert res.returncode == 0, res.stderr
    stages = [line for line in res.stdout.splitlines() if line.startswith("[")]
    n = len(config.load().notebooks) + 3  # check environment, validate data, each notebook, export
    assert len(stages) == n, res.stdout
    assert all(line.endswith(" up to date") and line.startswith(f"[{i}/{n}] ") for i, line in enumerate(stages, 1)), \
        res.stdout  # every stage skipped
    assert "..." not in res.stdout


def test_one_data_file_reruns_only_what_depends_on_it(repo_copy):
    """After a clean build, editing the scores of the status model (and so their provenance record) makes stale
    notebook 04 (which reads the scores), notebook 01 (which reads every provenance record for its table of
    datasets), the notebooks that read 01's outputs, and the brief; each with its reason. The build itself
    is timed by `make bench`; here the pipeline's plan is checked (tests/test_reads.py checks every raw file)."""
    scores = repo_copy / "data/raw/status/scores.csv"
    saved, record = scores.read_bytes(), provenance.record_path(scores).read_bytes()
    env = {**os.environ, "CSTO_BRIEF_ROOT": str(repo_copy)}
    plan = [sys.executable, "-m", "csto_brief.pipeline", "--plan"]
    try:
        header, rows = _read(scores)
        i = header.index("rationale")
        rows[0][i] = rows[0][i] + " (restated)"
        _write(scores, header, rows)
        subprocess.run([sys.executable, "-m", "csto_brief.provenance", "update", str(scores)], env=env, check=True,
                       capture_output=True)
        res = subprocess.run(plan, env=env, capture_output=True, text=True, check=True)
        runs = {line.split()[1]: line.split("(", 1)[1] for line in res.stdout.splitlines() if line.startswith("run")}
        assert set(runs) == {"notebooks/01-load-and-check-facts.ipynb", "notebooks/02-map-and-measure-borders.ipynb",
                             "notebooks/03-compare-csto-and-nato.ipynb", "notebooks/04-assess-india-prospects.ipynb",
                             "notebooks/05-write-brief.ipynb", "export"}, res.stdout
        assert runs["notebooks/04-assess-india-prospects.ipynb"] == "data/raw/status/scores.csv changed)"
        assert runs["notebooks/01-load-and-check-facts.ipynb"] == "data/raw/status/scores.csv.meta.yml changed)"
    finally:
        scores.write_bytes(saved)
        provenance.record_path(scores).write_bytes(record)
    res = subprocess.run(plan, env=env, capture_output=True, text=True, check=True)
    assert not any(line.startswith("run") for line in res.stdout.splitlines()), res.stdout


@pytest.mark.parametrize("file, mutation, expected", [
    ("indicators/wdi.csv", "out-of-range:value", "column 'value': value -1 is below the minimum 0"),
    ("geo/dcw_countries.geojson", "invalid-geometry", "geometry is invalid"),
    ("status/scores.csv", "checksum", "SHA-256"),
])
def test_broken_input_stops_the_build_and_leaves_the_report(repo_copy, file, mutation, expected):
    report = _digest(repo_copy, "report")
    saved = (repo_copy / "data/raw" / file).read_bytes()
    record = provenance.record_path(repo_copy / "data/raw" / file)
    saved_record = record.read_bytes()
    try:
        mutate(repo_copy / "data" / "raw", file, mutation)
        res = run_build(repo_copy)
        assert res.returncode != 0
        assert expected in res.stderr and Path(file).name in res.stderr, res.stderr
        assert "The last good report/ is unchanged." in res.stderr
        assert "execute" not in res.stdout  # validation stopped the build before any notebook
        assert _digest(repo_copy, "report") == report
    finally:
        (repo_copy / "data/raw" / file).write_bytes(saved)
        record.write_bytes(saved_record)


def test_a_bad_status_model_config_stops_the_build_naming_the_key(repo_copy):
    """draws = 0 once ended in an internal pandas error in notebook 04; now the build stops before it."""
    toml = repo_copy / "brief.toml"
    saved, report = toml.read_bytes(), _digest(repo_copy, "report")
    try:
        toml.write_text(saved.decode("utf-8").replace("draws = 20000", "draws = 0"), encoding="utf-8")
        res = run_build(repo_copy)
        assert res.returncode != 0
        assert ("brief.toml, [status_model], key 'draws': value 0 is below the minimum 1 [rule: range]"
                in res.stderr), res.stderr
        assert "The last good report/ is unchanged." in res.stderr and "Traceback" not in res.stderr
        assert "execute" not in res.stdout and _digest(repo_copy, "report") == report
    finally:
        toml.write_bytes(saved)


@pytest.mark.parametrize("path", ["data/raw/countries.csv", "data/raw/geo/dcw_countries.geojson", "report/brief.pdf",
                                  "notebooks/05-write-brief.ipynb"])
def test_git_keeps_the_bytes_of_every_file(path):
    """No line-ending conversion (core.autocrlf on another machine would break checksums and byte-identity)."""
    res = subprocess.run(["git", "check-attr", "text", "--", path], cwd=paths.PROJ_ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"not a git checkout: {res.stderr.strip()}")
    assert res.stdout.strip() == f"{path}: text: unset"


# --- Jupyter leftovers ----------------------------------------------------------------------------

LEFTOVERS = ("notebooks/05-write-brief.nbconvert.ipynb", "notebooks/.ipynb_checkpoints/05-write-brief-checkpoint.ipynb",
             "report/brief.nbconvert.html", "tests/.ipynb_checkpoints/scratch-checkpoint.ipynb")


@pytest.mark.parametrize("leftover", LEFTOVERS)
def test_jupyter_leftovers_are_ignored_by_git(leftover):
    res = subprocess.run(["git", "check-ignore", "--no-index", "-v", leftover], cwd=paths.PROJ_ROOT,
                         capture_output=True, text=True)
    if res.returncode == 128:
        pytest.skip(f"not a git checkout: {res.stderr.strip()}")
    assert res.returncode == 0, f"{leftover} is not ignored by .gitignore"
    for kept in ("notebooks/05-write-brief.ipynb", "report/brief.html"):
        assert subprocess.run(["git", "check-ignore", "--no-index", "-q", kept], cwd=paths.PROJ_ROOT).returncode == 1


def test_jupyter_leftovers_are_not_collected(tmp_path):
    """With the project's pytest configuration, a notebook's nbconvert copy or checkpoint is not run by
    nbval (a stale copy would fail, or pass for the wrong reason); the notebook itself is."""
    import nbformat

    for name in ("pyproject.toml", "conftest.py", "tests/nbval_sanitize.cfg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(paths.PROJ_ROOT / name, tmp_path / name)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    for name in ("notebooks/a.ipynb", "notebooks/a.nbconvert.ipynb", "notebooks/.ipynb_checkpoints/a-checkpoint.ipynb",
                 "notebooks/b-checkpoint.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, tmp_path / name)
    res = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    collected = sorted({line.split("::")[0] for line in res.stdout.splitlines() if "::" in line})
    assert collected == ["notebooks/a.ipynb"], res.stdout + res.stderr


# Rules across files (csto_brief.rules): values that each table's schema accepts but that the analysis cannot use.
# Each stops at validation, before any notebook, naming file, row, column and rule.
def _edit_rows(raw: Path, file: str, edit) -> list[int]:
    """Apply ``edit(header, rows)`` (it returns the 1-based rows it changed) and update the provenance record."""
    path = raw / file
    header, rows = _read(path)
    changed = edit(header, rows)
    _write(path, header, rows)
    provenance.update(path)
    return changed


def _weights_off(header, rows):
    w, hi = header.index("w_observer"), header.index("w_observer_high")
    n = next(i for i, r in enumerate(rows) if float(r[w]) > 0)
    rows[n][w] = f"{float(rows[n][w]) + 0.25:g}"
    rows[n][hi] = f"{max(float(rows[n][hi]), float(rows[n][w])):g}"
    return []  # the sum is a column's fault, not a row's


def _score_above_high(header, rows):
    s, lo, hi = header.index("score"), header.index("low"), header.index("high")
    rows[0][s], rows[0][lo], rows[0][hi] = "1", "-1", "0"
    return [1]


def _joins_twice(header, rows):
    first = dict(zip(header, rows[0]))
    again = dict(first, event_id=first["event_id"].split("-")[0] + "-900", date="1999-06-01")
    rows.append([again[h] for h in header])
    return [len(rows)]


def _population_doubled(header, rows):
    iso, ind, val = header.index("iso3"), header.index("indicator"), header.index("value")
    hit = [i for i, r in enumerate(rows) if r[iso] == "ARM" and r[ind] == "SP.POP.TOTL"]
    for i in hit:
        rows[i][val] = f"{float(rows[i][val]) * 2:.0f}"
    return [i + 1 for i in hit]


def _range_reversed(header, rows):
    lo, hi = header.index("p_low"), header.index("p_high")
    rows[0][lo], rows[0][hi] = rows[0][hi], rows[0][lo]
    return [1]


def _range_across_a_band_edge(header, rows):
    lo, hi, mid = header.index("p_low"), header.index("p_high"), header.index("p_central")
    rows[0][lo], rows[0][mid], rows[0][hi] = "15", "20", "30"  # 'very unlikely' up to 20, 'unlikely' above
    return [1]


def _central_on_a_band_edge(header, rows):
    lo, hi, mid = header.index("p_low"), header.index("p_high"), header.index("p_central")
    rows[0][lo], rows[0][mid], rows[0][hi] = "1", "5", "5"  # 5 ends 'almost no chance' and starts 'very unlikely'
    return [1]


def _low_confidence_range_narrower_than_its_band(header, rows):
    conf, hi = header.index("confidence"), header.index("p_high")
    n = next(i for i, r in enumerate(rows) if r[conf] == "low" and r[hi] == "45")  # 'unlikely' runs 20-45
    rows[n][hi] = "40"
    return [n + 1]


def _scenarios_summing_short(header, rows):
    kind, mid = header.index("kind"), header.index("p_central")
    n = next(i for i, r in enumerate(rows) if r[kind] == "scenario")
    rows[n][mid] = str(int(rows[n][mid]) - 1)
    return []  # the set's fault, reported on its first row


def _chain_out_of_range(header, rows):
    """Troops on the border come only through a request and an answer (brief.toml [[likelihood.chains]]): a range
    for them that cannot hold that product is incoherent."""
    jid, lo, mid, hi = (header.index(c) for c in ("judgment_id", "p_low", "p_central", "p_high"))
    n = next(i for i, r in enumerate(rows) if r[jid] == "border-escalation")
    rows[n][lo], rows[n][mid], rows[n][hi] = "25", "30", "40"
    return [n + 1]


def _chain_central_off_the_product(header, rows):
    """A central value for troops on the border well above what a request and its answer give tells a reader another
    story than the request judgment, even inside its range."""
    jid, lo, mid, hi = (header.index(c) for c in ("judgment_id", "p_low", "p_central", "p_high"))
    n = next(i for i, r in enumerate(rows) if r[jid] == "border-escalation")
    rows[n][lo], rows[n][mid], rows[n][hi] = "5", "10", "10"
    return [n + 1]


def _chain_more_confident_than_its_inputs(header, rows):
    """A chance worked out from low-confidence judgments cannot be held with more confidence than they are."""
    jid, conf = header.index("judgment_id"), header.index("confidence")
    n = next(i for i, r in enumerate(rows) if r[jid] == "csto-deployment")
    rows[n][conf] = "moderate"
    return [n + 1]


def _subset_more_confident_than_the_whole(header, rows):
    """India's status is one way of a first grant to anyone: it cannot be held with more confidence than that."""
    jid, conf = header.index("judgment_id"), header.index("confidence")
    n = next(i for i, r in enumerate(rows) if r[jid] == "india-status")
    rows[n][conf] = "high"
    return [n + 1]


def _subset_likelier_than_the_whole(header, rows):
    jid, lo, mid, hi = (header.index(c) for c in ("judgment_id", "p_low", "p_central", "p_high"))
    n = next(i for i, r in enumerate(rows) if r[jid] == "india-status")
    rows[n][lo], rows[n][mid], rows[n][hi] = "20", "30", "40"
    return [n + 1]


def _weak_source_printed_first(header, rows):
    """A judgment's row prints its first sources: a repost graded weak there is what a reader checks first."""
    jid, src = header.index("judgment_id"), header.index("sources")
    n = next(i for i, r in enumerate(rows) if r[jid] == "tj-taliban-distance")
    rows[n][src] = "centralasia-media-2025-khorog;" + rows[n][src].replace("centralasia-media-2025-khorog;", "")
    return [n + 1]


def _chance_quoted_in_basis(header, rows):
    """A judgment's reasoning that types another judgment's chance goes stale when that one moves."""
    jid, basis = header.index("judgment_id"), header.index("basis")
    n = next(i for i, r in enumerate(rows) if r[jid] == "border-escalation")
    rows[n][basis] += "; a request is very unlikely (5–15%)"
    return [n + 1]


def _scenario_confidences_differ(header, rows):
    kind, conf, topic = header.index("kind"), header.index("confidence"), header.index("topic")
    first = next(r for r in rows if r[kind] == "scenario")
    other = next(r for r in rows if r[kind] == "scenario" and r[topic] == first[topic] and r is not first)
    other[conf] = "high" if first[conf] != "high" else "low"
    return []


def _horizon_passed_without_outcome(header, rows):
    jid, kind, hz = header.index("judgment_id"), header.index("kind"), header.index("horizon")
    n = next(i for i, r in enumerate(rows) if r[kind] == "key")
    rows[n][hz] = "2026-06-30"  # before the edition date, and outcomes.csv has no row for it
    return [n + 1]


def _note_value_wrong(header, rows):
    v = header.index("value_used")
    rows[0][v] = f"{float(rows[0][v]) * 3:g}"
    return [1]


def _ppp_in_dollars(header, rows):
    ind, cur = header.index("indicator"), header.index("currency")
    n = next(i for i, r in enumerate(rows) if r[ind] == "PA.NUS.PPP" and r[cur] not in ("USD", "EUR"))
    rows[n][cur] = "USD"
    return [n + 1]


RULE_CASES = [
    ("indicators/wdi_ppp.csv", _ppp_in_dollars, "currency", "currency", "no conversion is known"),
    ("status/criteria.csv", _weights_off, "status-model", "w_observer", "observer weights sum to 1.25"),
    ("status/scores.csv", _score_above_high, "status-model", None, "needs low <= score <= high"),
    ("alliance_events.csv", _joins_twice, "transition", "event", "so it cannot join"),
    ("indicators/wdi.csv", _population_doubled, "cross-check", "value", "Armenia (ARM), population"),
    ("judgments.csv", _range_reversed, "probability-order", "p_central", "needs p_low <= p_central <= p_high"),
    ("judgments.csv", _range_across_a_band_edge, "probability-band", "p_low", "crosses the edge of a likelihood band"),
    ("judgments.csv", _central_on_a_band_edge, "probability-central-edge", "p_central", "the edge two likelihood bands share"),
    ("judgments.csv", _low_confidence_range_narrower_than_its_band, "probability-width", "p_high",
     "its band's whole range, 20–45% (unlikely), not"),
    ("judgments.csv", _scenarios_summing_short, "scenario-sum", "p_central", "central values sum to 100, not 99"),
    ("judgments.csv", _chain_out_of_range, "probability-chain", "p_low", "times that of response-russia or"),
    ("judgments.csv", _chain_central_off_the_product, "probability-chain", "p_central", "points brief.toml allows"),
    ("judgments.csv", _subset_more_confident_than_the_whole, "probability-subset", "confidence", "cannot exceed that one's"),
    ("judgments.csv", _subset_likelier_than_the_whole, "probability-subset", "p_high", "its p_high (40%) cannot exceed"),
    ("judgments.csv", _chain_more_confident_than_its_inputs, "probability-chain", "confidence",
     "higher than that of the judgments its chance is derived from"),
    ("judgments.csv", _weak_source_printed_first, "judgment-sources", "sources", "graded weak in sources.csv"),
    ("judgments.csv", _chance_quoted_in_basis, "judgment-quotes", "basis", "its basis quotes '5–15%'"),
    ("judgments.csv", _scenario_confidences_differ, "scenario-confidence", "confidence", "take one confidence"),
    ("judgments.csv", _horizon_passed_without_outcome, "outcome-due", "horizon", "has passed; record what happened"),
    ("indicators/crosscheck_notes.csv", _note_value_wrong, "cross-check", "value_used", "the note's value_used"),
]


@pytest.mark.parametrize("file, edit, rule, column, text", RULE_CASES, ids=[c[1].__name__ for c in RULE_CASES])
def test_a_value_the_analysis_cannot_use_stops_at_validation(raw_copy, file, edit, rule, column, text):
    rows = _edit_rows(raw_copy, file, edit)
    problems = [p for p in data.validate_all(raw_copy, layers=()) if p.rule == rule]
    assert problems, f"{file}: no '{rule}' problem"
    p = problems[0]
    assert p.file.endswith("data/raw/" + file) or p.file.endswith("raw/" + file), str(p)
    assert text in p.message, str(p)
    assert p.column == column, str(p)
    if rows:
        assert p.row in rows, str(p)
    assert f"[rule: {rule}]" in str(p)


def test_a_share_of_something_is_not_a_quoted_chance():
    from csto_brief import rules

    row = {"judgment_id": "x", "statement": "NATO's allies spend 2% of GDP or more", "basis": "two in ten years",
           "resolution": "Yes if spending reaches 3.5 per cent of GDP"}
    assert rules._quoted_probability_problems("judgments.csv", [row]) == []
    row["basis"] = "about 40 per cent likely"
    assert [p.column for p in rules._quoted_probability_problems("judgments.csv", [row])] == ["basis"]
