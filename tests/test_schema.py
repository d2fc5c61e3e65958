"""The validator: each rule fires on a broken file and names file, row, column and rule."""

import datetime as dt

import pytest

from csto_brief import data, schemas
from csto_brief.schema import Column, DataValidationError, Table, validate_table

AS_OF = dt.date(2026, 11, 23)
T = Table("t.csv", (Column("id", pattern=r"[A-Z]\d"), Column("n", kind="int", min=0, max=100),
                    Column("d", kind="date"), Column("p", kind="partial_date", required=False),
                    Column("s", choices=("a", "b")), Column("r", kind="ids", refs="ref.csv:key")), key=("id",))
KNOWN = {"ref.csv:key": {"x", "y"}}
HEADER = "id,n,d,p,s,r\n"


def problems(tmp_path, body, header=HEADER):
    (tmp_path / "t.csv").write_text(header + body, encoding="utf-8")
    return validate_table(T, tmp_path, AS_OF, KNOWN)


def test_good_file_passes(tmp_path):
    assert problems(tmp_path, "A1,5,2020-01-02,2025-11,a,x;y\nA2,0,2026-11-23,,b,y\n") == []


@pytest.mark.parametrize("body, rule, column, row", [
    ("A1,-1,2020-01-02,,a,x\n", "range", "n", 1),
    ("A1,101,2020-01-02,,a,x\n", "range", "n", 1),
    ("A1,five,2020-01-02,,a,x\n", "type", "n", 1),
    ("A1,5,2020-13-02,,a,x\n", "type", "d", 1),
    ("A1,5,2027-01-01,,a,x\n", "not-after-cut-off", "d", 1),
    ("A1,5,2020-01-02,2026-12,a,x\n", "not-after-cut-off", "p", 1),
    ("A1,5,2020-01-02,20-1,a,x\n", "type", "p", 1),
    ("A1,5,2020-01-02,,c,x\n", "choices", "s", 1),
    ("A1,5,2020-01-02,,a,z\n", "reference", "r", 1),
    ("A1,5,2020-01-02,,a,x;\n", "type", "r", 1),
    ("a1,5,2020-01-02,,a,x\n", "pattern", "id", 1),
    ("A1,5,,,a,x\n", "required", "d", 1),
    ("A1,5,2020-01-02,,a ,x\n", "whitespace", "s", 1),
    ("A1,5,2020-01-02,,a,x\nA1,6,2020-01-02,,a,x\n", "unique-key", "id", 2),
])
def test_each_rule_names_row_column_and_rule(tmp_path, body, rule, column, row):
    found = problems(tmp_path, body)
    assert [(p.rule, p.column, p.row) for p in found] == [(rule, column, row)]
    assert f"row {row} (line {row + 1})" in str(found[0]) and "t.csv" in str(found[0])


def test_header_problems(tmp_path):
    found = problems(tmp_path, "A1,5,2020-01-02,,a,x,1\n", header="id,n,d,p,s,r,extra\n")
    assert [(p.rule, p.column) for p in found] == [("header", "extra")]
    found = problems(tmp_path, "A1,5,2020-01-02,,a\n", header="id,n,d,p,s\n")
    assert [(p.rule, p.column) for p in found] == [("header", "r")]


def test_ragged_and_blank_rows(tmp_path):
    found = problems(tmp_path, "A1,5,2020-01-02,,a\n\nA2,5,2020-01-02,,a,x\n")
    assert [(p.rule, p.row) for p in found] == [("fields", 1), ("blank-row", 2)]


def test_missing_and_empty_files(tmp_path):
    assert [p.rule for p in validate_table(T, tmp_path, AS_OF, KNOWN)] == ["file-exists"]
    (tmp_path / "t.csv").write_text("", encoding="utf-8")
    assert [p.rule for p in validate_table(T, tmp_path, AS_OF, KNOWN)] == ["header"]


def test_committed_raw_data_is_valid():
    assert data.validate_all() == []


def test_claim_without_verdict_is_caught(raw_copy):
    checks = raw_copy / "claim_checks.csv"
    lines = checks.read_text(encoding="utf-8").splitlines(keepends=True)
    checks.write_text("".join(lines[:-1]), encoding="utf-8")
    found = data.validate_all(raw_copy)
    assert any(p.rule == "coverage" and "C20" in p.message for p in found)
    with pytest.raises(DataValidationError, match="claim_checks.csv.*coverage"):
        raise DataValidationError(found)


def test_unknown_country_code_is_caught(raw_copy):
    ev = raw_copy / "alliance_events.csv"
    ev.write_text(ev.read_text(encoding="utf-8").replace(",SWE,", ",SWX,"), encoding="utf-8")
    found = [p for p in data.validate_all(raw_copy) if p.rule == "reference"]
    assert len(found) == 1 and found[0].column == "country_iso3" and "'SWX'" in found[0].message


def test_every_raw_file_has_a_declared_schema_and_every_schema_a_file():
    from csto_brief import geo, provenance

    declared = {t.file for t in schemas.TABLES} | {layer.file for layer in geo.LAYERS}
    present = {p.relative_to(data.paths.RAW_DIR).as_posix() for p in provenance.raw_files()}
    assert declared == present
