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
    dropped = lines[-1].split(",", 1)[0]
    found = [p for p in data.validate_all(raw_copy, layers=()) if p.rule != "checksum"]
    assert [(p.rule, p.column) for p in found] == [("coverage", "claim_id")]
    assert found[0].file.endswith("claim_checks.csv")
    assert found[0].message == f"claim_id {dropped!r} of claims.csv has no row here"
    with pytest.raises(DataValidationError, match=r"1 data problem:\n  .*claim_checks.csv, column 'claim_id': "
                                                  rf"claim_id '{dropped}' of claims.csv has no row here \[rule: coverage\]"):
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


# --- one-line text, byte-order marks, line endings, suggestions, rows that must agree ----------

def test_a_line_break_inside_a_quoted_value_is_refused(tmp_path):
    found = problems(tmp_path, 'A1,5,2020-01-02,,"a\nb",x\n')
    assert [(p.rule, p.column, p.row) for p in found] == [("one-line", "s", 1)]
    assert "must be one line, but has a line break or control character U+000A LINE FEED after 'a'" in str(found[0])
    tab = problems(tmp_path, "A1,5,2020-01-02,,a\tb,x\n")
    assert [p.rule for p in tab] == ["one-line"] and "U+0009" in str(tab[0])


def test_the_one_line_rule_refuses_exactly_the_control_and_separator_characters():
    """The rule's character class is Unicode's categories Cc, Zl and Zp, code point by code point."""
    import sys
    import unicodedata

    from csto_brief.schema import _NOT_ONE_LINE

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert bool(_NOT_ONE_LINE.fullmatch(ch)) == (unicodedata.category(ch) in ("Cc", "Zl", "Zp")), hex(code)


def test_a_column_may_be_declared_multi_line(tmp_path):
    table = Table("t.csv", (Column("id"), Column("text", one_line=False)), key=("id",))
    (tmp_path / "t.csv").write_text('id,text\nA,"two\nlines"\n', encoding="utf-8")
    assert validate_table(table, tmp_path, AS_OF, {}) == []


def test_every_declared_column_is_one_line():
    """The codebook: no raw column holds text over several lines (the brief sets them in one line)."""
    assert [f"{t.file}:{c.name}" for t in schemas.TABLES for c in t.columns if not c.one_line] == []


def test_a_byte_order_mark_is_named_by_the_validator_and_the_loader(raw_copy):
    from csto_brief import provenance

    f = raw_copy / "countries.csv"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    provenance.update(f)
    found = [p for p in data.validate_all(raw_copy, layers=()) if p.file.endswith("countries.csv")]
    assert [p.rule for p in found] == ["encoding"]
    assert "file starts with a UTF-8 byte-order mark" in str(found[0])
    with pytest.raises(DataValidationError, match="countries.csv: file starts with a UTF-8 byte-order mark"):
        data.load("countries.csv", raw_copy)


def test_crlf_line_endings_validate_and_load_the_same(raw_copy):
    import pandas as pd
    from csto_brief import provenance

    f = raw_copy / "status" / "scores.csv"
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    provenance.update(f)
    assert data.validate_all(raw_copy, layers=()) == []
    crlf, lf = data.load("status/scores.csv", raw_copy), data.load("status/scores.csv")
    pd.testing.assert_frame_equal(crlf, lf)
    assert not crlf["rationale"].str.contains("\r").any()


@pytest.mark.parametrize("value, hint", [
    ("x", None), ("X", "did you mean 'x'?"), ("yy", "did you mean 'y'?"), ("qqqqq", None),
])
def test_reference_suggests_the_likely_value(tmp_path, value, hint):
    found = problems(tmp_path, f"A1,5,2020-01-02,,a,{value}\n")
    if hint is None:
        assert all("did you mean" not in str(p) for p in found)
    else:
        assert [p.rule for p in found] == ["reference"] and str(found[0]).endswith(f"{hint} [rule: reference]")


def test_lower_case_country_code_gets_the_upper_case_suggestion(raw_copy):
    ev = raw_copy / "alliance_events.csv"
    ev.write_text(ev.read_text(encoding="utf-8").replace(",SWE,", ",swe,"), encoding="utf-8")
    found = [p for p in data.validate_all(raw_copy, layers=()) if p.rule == "reference"]
    assert len(found) == 1 and found[0].column == "country_iso3"
    assert "value 'swe' is not a iso3 in countries.csv; did you mean 'SWE'?" in found[0].message


def test_pattern_and_choices_suggest_too(tmp_path):
    assert "did you mean 'A1'?" in str(problems(tmp_path, "a1,5,2020-01-02,,a,x\n")[0])
    assert "did you mean 'a'?" in str(problems(tmp_path, "A1,5,2020-01-02,,A,x\n")[0])


def test_referenced_rows_must_agree(tmp_path):
    ev = Table("ev.csv", (Column("eid"), Column("cand"), Column("crit")), key=("eid",))
    sc = Table("sc.csv", (Column("cand"), Column("crit"),
                          Column("ev", kind="ids", refs="ev.csv:eid",
                                 refs_match=(("crit", "crit", ()), ("cand", "cand", ("ALL",))))), key=("cand", "crit"))
    (tmp_path / "ev.csv").write_text("eid,cand,crit\nE1,AAA,C1\nE2,ALL,C1\nE3,BBB,C1\nE4,AAA,C2\n", encoding="utf-8")
    (tmp_path / "sc.csv").write_text("cand,crit,ev\nAAA,C1,E1;E2\nAAA,C2,E4;E1\nBBB,C1,E2;E3\nCCC,C1,E3\n",
                                     encoding="utf-8")
    from csto_brief.schema import key_values

    found = validate_table(sc, tmp_path, AS_OF, key_values(ev, tmp_path))
    assert [(p.row, p.column, p.rule) for p in found] == [(2, "ev", "reference-match"), (4, "ev", "reference-match")]
    assert "eid 'E1' has crit 'C1' in ev.csv; this row's crit needs 'C2'" in str(found[0])
    assert "eid 'E3' has cand 'BBB' in ev.csv; this row's cand needs 'CCC' or 'ALL'" in str(found[1])


def test_scores_cite_evidence_on_their_own_criterion_and_candidate(raw_copy):
    from csto_brief import provenance

    f = raw_copy / "status" / "scores.csv"
    text = f.read_text(encoding="utf-8")
    assert "\nIND,C1,1,0,2,E027;E001,E028," in text and "\nIND,C2," in text
    # E030 is India's evidence on C2, E055 Iran's on C1: neither may back India's C1 score
    for bad, expected in (("E030", "evidence_id 'E030' has criterion_id 'C2' in status/evidence.csv; this row's "
                                   "criterion_id needs 'C1'"),
                          ("E055", "evidence_id 'E055' has candidate 'IRN' in status/evidence.csv; this row's "
                                   "candidate_iso3 needs 'IND' or 'ALL'")):
        f.write_text(text.replace("\nIND,C1,1,0,2,E027;E001,E028,", f"\nIND,C1,1,0,2,E027;E001;{bad},E028,"), encoding="utf-8")
        provenance.update(f)
        found = data.validate_all(raw_copy, layers=())
        assert [(p.rule, p.row, p.column) for p in found] == [("reference-match", 1, "evidence")]
        assert str(found[0]).endswith(f"scores.csv, row 1 (line 2), column 'evidence': {expected} [rule: reference-match]")


def test_a_place_with_longitude_and_latitude_swapped_is_refused(raw_copy):
    from csto_brief import provenance

    f = raw_copy / "places.csv"
    text = f.read_text(encoding="utf-8")
    assert ",TJK,38.53575,68.77905," in text
    f.write_text(text.replace(",TJK,38.53575,68.77905,", ",TJK,68.77905,38.53575,"), encoding="utf-8")
    provenance.update(f)
    found = data.validate_all(raw_copy, layers=())
    assert [(p.rule, p.row, p.column) for p in found] == [("location", 1, "lon/lat")]
    assert str(found[0]).endswith("places.csv, row 1 (line 2), column 'lon/lat': point lon 38.5358, lat 68.779 lies "
                                  "outside the box of TJK (lon 67..76, lat 36..42) (are longitude and latitude "
                                  "swapped?) [rule: location]")
    # a wrong country code for a right point is refused too (no 'swapped' hint)
    f.write_text(text.replace(",TJK,38.53575,68.77905,", ",KAZ,38.53575,68.77905,"), encoding="utf-8")
    provenance.update(f)
    found = data.validate_all(raw_copy, layers=())
    assert [p.rule for p in found] == ["location"] and "swapped" not in found[0].message
