"""The committed brief is fresh (made from the committed notebooks) and says what the analysis found."""

import hashlib
import json
import re

import nbformat
import pypdf
import pytest

from csto_brief import config, paths
from csto_brief.export import SOURCE_HASH_KEY, BriefHTMLExporter, html_to_pdf

PDF = paths.REPORT_DIR / "brief.pdf"
HTML = paths.REPORT_DIR / "brief.html"


@pytest.fixture(scope="module")
def fresh_html():
    nb = nbformat.read(paths.PROJ_ROOT / config.load().notebook, as_version=4)
    return BriefHTMLExporter().from_notebook_node(nb)[0]


@pytest.fixture(scope="module")
def pdf_text():
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(PDF).pages)
    return re.sub(r"\s+", " ", text)


def test_committed_html_is_the_export_of_the_committed_notebook(fresh_html):
    assert HTML.read_text(encoding="utf-8") == fresh_html, "report/brief.html is stale: run `make brief`"


def test_committed_pdf_was_made_from_the_committed_html():
    meta = pypdf.PdfReader(PDF).metadata
    assert meta[f"/{SOURCE_HASH_KEY}"] == hashlib.sha256(HTML.read_bytes()).hexdigest()


def test_pdf_rendering_is_byte_identical():
    assert html_to_pdf(HTML.read_text(encoding="utf-8")) == PDF.read_bytes()


def test_pdf_holds_each_notebook_headline(pdf_text):
    head = json.loads((paths.PROCESSED_DIR / "headline_01.json").read_text())
    assert head["headline"] in pdf_text
    assert f"{head['csto_members']} member states by law" in pdf_text


def test_pdf_has_title_cut_off_sections_and_captions(pdf_text):
    cfg = config.load()
    assert cfg.title in pdf_text
    assert f"Data cut-off: {cfg.as_of.day} {cfg.as_of:%B %Y}" in pdf_text
    for heading in ("Summary", "What the CSTO is and who is in it today",
                    "What has changed since the source documents", "Methods and data", "Sources"):
        assert heading in pdf_text
    for label in ("Figure 1.", "Figure 2.", "Figure 3.", "Table 1.", "Table 2."):
        assert label in pdf_text
    assert re.search(r"Page 1 of \d+", pdf_text)


def test_pdf_has_no_code_or_debris(pdf_text):
    for bad in ("Traceback", "In [", "<Figure", "Warning", "NaN", " nan ", "None", "DataFrame"):
        assert bad not in pdf_text, bad


def test_pdf_bookmarks_follow_the_sections():
    titles = [o.title for o in pypdf.PdfReader(PDF).outline if not isinstance(o, list)]
    assert titles[:2] == ["Summary", "What the CSTO is and who is in it today"]
    assert "Sources" in titles


def test_every_claim_is_in_the_changes_table(pdf_text):
    ids = re.findall(r"^([A-C]\d\d),", (paths.RAW_DIR / "claims.csv").read_text(), flags=re.M)
    assert len(ids) >= 30
    missing = [i for i in ids if f"{i} " not in pdf_text]
    assert missing == []
