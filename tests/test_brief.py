"""The committed brief is fresh (made from the committed notebooks and text) and says what the analysis found."""

import hashlib
import html
import re

import nbformat
import pandas as pd
import pypdf
import pytest

from csto_brief import config, facts, paths, render
from csto_brief.export import SOURCE_HASH_KEY

PDF = paths.REPORT_DIR / "brief.pdf"
HTML = paths.REPORT_DIR / "brief.html"
CARD = re.compile(r'<span class="fact-card".*?Made by notebook [\w-]+</span>', re.S)


@pytest.fixture(scope="module")
def fresh_html(tmp_path_factory) -> str:
    """The brief exported anew from its text, the nbconvert way as documented (`jupyter nbconvert --to
    brief_html`, an entry point of the package), from the brief notebook with its outputs cleared, as the
    exporter never reads them (they are the brief as Jupyter shows it)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path_factory.mktemp("nbconvert")
    nb = nbformat.read(paths.PROJ_ROOT / config.load().notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell["outputs"] = []
    src = out / Path(config.load().notebook).name
    nbformat.write(nb, src)
    jupyter = Path(sys.executable).with_name("jupyter")
    subprocess.run([str(jupyter), "nbconvert", "--to", "brief_html", "--output-dir", str(out), str(src)],
                   check=True, capture_output=True, env={**os.environ, "CSTO_BRIEF_ROOT": str(paths.PROJ_ROOT)})
    return (out / f"{src.stem}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_pages() -> list[str]:
    """The text of each page of the committed PDF, extracted once for the module (pypdf takes seconds)."""
    return [p.extract_text() for p in pypdf.PdfReader(PDF).pages]


@pytest.fixture(scope="module")
def pdf_text(pdf_pages):
    text = "\n".join(pdf_pages)
    text = re.sub("\u2010\\s*", "", text)  # hyphenation inserted by the layout
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)  # the layout's hyphen ('-', in the brief's fonts) at a line end
    text = re.sub(r"(?<=\d)–\n(?=\d)", "–", text)  # a range broken after its dash at a line end ("2–" / "32%")
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def used_facts():
    return pd.read_csv(paths.REPORT_DIR / "facts.csv", dtype=str, keep_default_na=False)


def test_committed_html_is_the_export_of_the_committed_notebook(fresh_html):
    assert HTML.read_text(encoding="utf-8") == fresh_html, "report/brief.html is stale: run `make brief`"


def test_committed_pdf_was_made_from_the_committed_html():
    meta = pypdf.PdfReader(PDF).metadata
    assert meta[f"/{SOURCE_HASH_KEY}"] == hashlib.sha256(HTML.read_bytes()).hexdigest()


def test_every_fact_in_the_text_appears_in_the_pdf_as_the_data_gives_it(pdf_text, used_facts, fresh_html):
    """Each fact the templates place is in the PDF in the form the facts table gives (its display form, or
    the form a filter made of it), and that display form is the one data/processed holds. A fact placed only in
    a section of the HTML edition alone is looked for there."""
    processed = facts.load_all()
    assert len(used_facts) >= 100
    online = {p.name for p in render.TEXT_DIR.glob("*.md") if render.Renderer.is_online(p)}
    assert online, "no section is marked {.online}: the full tables would be in print"
    html_text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fresh_html)).split())
    missing = []
    for r in used_facts.itertuples():
        assert r.display == processed.loc[r.fact_id, "display"], r.fact_id
        sections = set(r.used_in.split(";"))
        for shown in r.shown_as.split(" | "):
            shown = " ".join(shown.split())
            # a form shown in print is in the PDF; one shown only in an online section is in the HTML
            in_print = shown in pdf_text and not sections <= online
            if not in_print and not (sections & online and shown in html_text):
                missing.append((r.fact_id, shown))
    assert missing == []


def test_headline_numbers_read_as_the_data_say(pdf_text, used_facts):
    f = facts.load_all()["display"]
    shown = used_facts.set_index("fact_id")["shown_as"].str.split(" | ", regex=False)
    assert f"({f['n_claims']} in all)" in pdf_text and f" {f['n_claims_holds']} still hold;" in pdf_text
    assert f"Russia's 201st base in Tajikistan: up to {shown['dev_base_201_n'][0]} troops" in pdf_text
    assert f"Russia accounts for {f['rus_share_milex_usd']} of what the CSTO's members spend" in pdf_text
    assert f"NATO's members spend about {shown['ratio_milex_usd'][0]} times as much" in pdf_text
    # the body rounds the ministry's 1,344.15 km to whole kilometres (no false precision); Annex B keeps it
    assert shown["tjk_official_km"][0] == f"{float(facts.load_all().loc['tjk_official_km', 'value']):,.0f}"
    assert f"Tajik–Afghan border: {shown['tjk_official_km'][0]} km (Tajik foreign ministry)" in pdf_text
    assert (f"India obtains CSTO observer or partner status by the end of {f['kj_india_status_by']}: "
            f"{f['kj_india_status']} ({f['kj_india_status_range']})") in pdf_text


def _summary_items(html_text):
    box = html_text[html_text.index("<strong>Key judgments"):]
    return re.findall(r"<li>(.*?)</li>", box[:box.index("</ol>")], flags=re.S)


def test_summary_has_key_judgments_each_with_horizon_likelihood_confidence_and_pointer(fresh_html):
    items = _summary_items(fresh_html)
    assert 4 <= len(items) <= 7
    words = {w for _, w in config.load().likelihood}
    for item in items:
        text = re.sub(r"<[^>]+>", "", CARD.sub("", item))
        assert re.search(r"Sections? \d", text), text[:160]  # a pointer to its evidence
        assert re.search(r"\b20\d\d\b", text), text[:160]  # a horizon
        assert re.search(r"\(\d+–\d+%\)", text), text[:160]  # a probability range
        assert any(w in text for w in words), text[:160]  # a likelihood word of the scale
        assert re.search(r"Confidence:\s+(high|moderate|low)", text), text[:160]  # a separate confidence
        # one confidence per key judgment, in its own sentence: a second one folded into the likelihood reads as
        # if it qualified the headline call
        assert len(re.findall(r"\bconfidence\b", text, flags=re.I)) == 1, text[:160]


def test_each_likelihood_word_in_the_summary_is_the_one_its_data_gives(fresh_html):
    """Recomputed here from the probability ranges and the scale printed in the brief, independently of the
    notebook that records them."""
    judgments = pd.read_csv(paths.RAW_DIR / "judgments.csv")
    scale = pd.read_csv(paths.PROCESSED_DIR / "tables/likelihood_scale.csv")
    bounds = [(float(lo), float(hi), w) for w, (lo, hi) in
              zip(scale["Words"], scale["Probability"].str.rstrip("%").str.split("–"))]
    summary = "".join(_summary_items(fresh_html))
    placed = dict(re.findall(r'data-fact="(kj_[a-z_]+?)" tabindex="0">([^<]+)<', summary))
    checked = 0
    for r in judgments.itertuples():
        k = "kj_" + r.judgment_id.replace("-", "_")
        if k not in placed:
            continue
        mid = (r.p_low + r.p_high) / 2
        expected = next(w for lo, hi, w in bounds if lo <= mid <= hi)
        assert placed[k] == expected, (r.judgment_id, placed[k], expected)
        assert placed[f"{k}_range"] == f"{r.p_low}–{r.p_high}%"
        checked += 1
    assert checked >= 5
    assert "very unlikely" in set(scale["Words"]) and len(scale) == 7  # the scale is printed once, whole


def test_pdf_has_title_cut_off_sections_and_captions(pdf_text, pdf_pages):
    cfg = config.load()
    assert cfg.title in pdf_text
    cutoff = facts.load_all().loc["evidence_cutoff", "display"]
    assert f"Evidence cut-off: {cutoff}" in pdf_text  # the cover and every footer
    assert pdf_text.count(f"Evidence cut-off: {cutoff}") >= len(pypdf.PdfReader(PDF).pages) - 1
    files = sorted(render.TEXT_DIR.glob("*.md"))
    printed = [p for p in files if not render.Renderer.is_online(p)]
    headings = [render.Renderer().heading(p.stem) for p in files]
    assert len(headings) >= 9
    after_contents = " ".join(" ".join(pdf_pages[1:]).split())
    contents_page = " ".join(re.sub("\u2010\\s*|-\n", "", pdf_pages[0]).split())
    for p, (num, title, _) in zip(files, headings):  # a section of the HTML edition alone is not in print,
        label = f"{num}. {title}" if num else title  # but the contents page names it as the HTML edition's
        if p.stem == "00-contents":
            assert label in contents_page
            continue
        assert (label in after_contents) == (p in printed), title
        if p not in printed:
            assert label in contents_page.split("In the HTML edition only:")[-1], title
    text = "\n".join(p.read_text(encoding="utf-8") for p in printed)
    n_fig, n_tab = len(re.findall(r"call figure\(", text)), len(re.findall(r"call table\(", text))
    n_tab += 2  # the changes annex's two tables (changes_since)
    assert n_fig >= 4 and n_tab >= 7  # the four figures and seven tables of the body and printed annexes
    # the printed exhibits come first, numbered without a gap; the HTML edition's own follow
    for n in range(1, n_fig + 1):
        assert f"Figure {n}. " in pdf_text, n
    for n in range(1, n_tab + 1):
        assert f"Table {n}. " in pdf_text, n
    assert f"Figure {n_fig + 1}. " not in pdf_text and f"Table {n_tab + 1}. " not in pdf_text
    assert pdf_text.count("Source: ") >= n_fig + n_tab  # every figure and table has a source line
    pages = len(pypdf.PdfReader(PDF).pages)
    assert f"Page 1 of {pages}" in pdf_text


def test_the_summary_fits_on_its_page(pdf_pages):
    """The summary is one page: its bottom line, its key judgments and what it does not cover are read together.
    The box's last words, as the HTML has them, must be on that page too: a box that spills its last lines over
    the page still has its headings on the first."""
    page = next(t for t in pdf_pages if "Bottom line" in t)
    assert "Not covered." in page and "Key judgments" in page
    box = re.search(r'<div class="summary-box".*?</div>', HTML.read_text(encoding="utf-8"), flags=re.S).group(0)
    box = re.sub(r'<span class="fact-card".*?</span></span>', "", box, flags=re.S)
    words = html.unescape(re.sub(r"<[^>]+>", " ", box)).split()
    flat = re.sub(r"-\s*\n\s*", "", page)  # words hyphenated at a line's end, joined
    flat = " ".join(flat.split())
    assert " ".join(words[-4:]) in flat, words[-4:]


def test_the_body_fits_in_nine_pages(pdf_pages):
    """From the summary to the last section before the annexes: at most nine pages, as a policy brief."""
    pages = pdf_pages
    first = next(i for i, t in enumerate(pages) if "\nSummary\n" in f"\n{t}\n" and "Bottom line" in t)
    annex = next(i for i, t in enumerate(pages) if i > first and re.search(r"^Annex A\. ", t, flags=re.M))
    assert annex - first <= 9, (first + 1, annex + 1)


def test_pdf_has_no_code_or_debris(pdf_text):
    """Debris of code, not words: 'None has applied' is prose, 'UserWarning:' or 'dtype: int64' is not."""
    for bad in ("Traceback (most recent call last)", "In [", "<Figure size", "DataFrame", "dtype:"):
        assert bad not in pdf_text, bad
    assert not re.search(r"(?<!\.)\.\.(?!\.)", pdf_text)  # 'n.d..': two full stops (an ellipsis is three)
    assert not re.search(r"\b[A-Z]\w*Warning: ", pdf_text)
    assert not re.search(r"\bNaN\b|\bNaT\b|\bNone\s*(?:[|,;)]|$)", pdf_text)
    assert not re.search(r"\bnan\b", pdf_text)
    # a unit typed after a fact that already carries it: '10%%', '1,344 km km', 'US$US$'
    doubled = re.findall(r"%\s*%|\b(km|million|billion|trillion|thousand)\s+\1\b|US\$\s*US\$", pdf_text)
    assert not doubled, doubled


def test_pdf_bookmarks_follow_the_sections_and_annexes():
    titles = [o.title for o in pypdf.PdfReader(PDF).outline if not isinstance(o, list)]
    expected = [f"{n}. {t}" if n else t for n, t, _ in
                (render.Renderer().heading(p.stem) for p in sorted(render.TEXT_DIR.glob("*.md"))
                 if not render.Renderer.is_online(p))]
    assert titles == expected


def test_the_body_is_written_for_a_policy_reader():
    """No file paths, notebook numbers or repository words in the text before the annexes."""
    body = " ".join(p.read_text(encoding="utf-8") for p in sorted(render.TEXT_DIR.glob("0*.md")))
    body = re.sub(r"\{[{%#].*?[}%#]\}", " ", body, flags=re.S)
    for word in ("data/raw", "data/processed", ".csv", "notebook", "repository", "csto_brief", "Python"):
        assert word not in body, word


def test_every_claim_is_in_the_changes_table(fresh_html, pdf_text):
    """Every claim of the source documents is a row of a table in the HTML edition; the PDF, which keeps long
    reference tables online, gives the number of claims and says which table of the HTML edition lists them."""
    ids = re.findall(r"^([A-C]\d\d),", (paths.RAW_DIR / "claims.csv").read_text(), flags=re.M)
    assert len(ids) >= 30
    missing = [i for i in ids if f"<tr><td>{i}</td>" not in fresh_html]
    assert missing == []
    n = re.search(r'<figure class="table[^"]*" id="table-(\d+)"><figcaption><span class="label">Table \d+\.</span> '
                  r"Every claim of the source documents", fresh_html).group(1)
    assert f"({len(ids)} in all)" in pdf_text
    assert f"is listed in Table {n} in the HTML edition" in " ".join(pdf_text.split())
    assert "Every claim of the source documents, its verdict" not in pdf_text  # the table itself is not in print


def test_the_exporters_are_nbconvert_entry_points():
    """`jupyter nbconvert --to brief_html` / `brief_pdf` (the HTML route runs in fresh_html above and is compared
    byte for byte; the PDF's determinism is checked by the clean offline rebuild in test_reliability.py)."""
    names = {e.name for e in __import__("importlib.metadata").metadata.entry_points(group="nbconvert.exporters")}
    assert {"brief_html", "brief_pdf"} <= names


def test_the_exporters_refuse_a_brief_notebook_whose_run_failed():
    from csto_brief.export import BriefContentError, BriefPDFExporter

    exporter = BriefPDFExporter()
    assert (exporter.output_mimetype, exporter.file_extension) == ("application/pdf", ".pdf")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("render.render()", outputs=[
        nbformat.v4.new_output("error", ename="RenderError", evalue="no fact 'x'", traceback=[])])])
    with pytest.raises(BriefContentError, match="cell 1: error output RenderError: no fact 'x'"):
        exporter.from_notebook_node(nb)


def test_notebook_05_shows_the_brief_small_with_figures_by_reference():
    """The brief's face in Jupyter and on GitHub: under 200 KB, every figure a link to figures/ (no embedded copy),
    every number without its hover card (a tooltip names the fact), every section shown (the HTML edition's own
    section of full tables and charts by its heading and where it is)."""
    path = paths.PROJ_ROOT / config.load().notebook
    assert path.stat().st_size < 200_000
    nb = nbformat.read(path, as_version=4)
    shown = "".join(o["data"].get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "data:image" not in shown and "fact-card" not in shown
    figures = re.findall(r'<img src="\.\./figures/([\w-]+)\.svg\?v=\w+"', shown)
    page = HTML.read_text(encoding="utf-8")
    online = re.findall(r'<section class="online-only">.*?</section>', page, flags=re.S)
    n_online = sum(render.Renderer.is_online(p) for p in render.TEXT_DIR.glob("*.md"))
    assert len(online) == n_online >= 1
    assert shown.count("In the HTML edition only: see report/brief.html.") == n_online
    for section in online:
        page = page.replace(section, "")
    assert len(figures) == page.count('<figure class="figure') >= 4
    assert all((paths.FIGURES_DIR / f"{f}.svg").exists() for f in figures)
    assert len(re.findall(r'<span class="fact" title="', shown)) == len(re.findall(r'<span class="fact" data-fact=', page))


def test_confidence_is_stated_only_for_judgments():
    """One judgment, one confidence: only the tables made from judgments.csv have a 'Confidence' column (the status
    model's robustness is named otherwise), and the summary's confidence of each judgment is its row's."""
    from csto_brief import tables

    with_confidence = {t.name for t in tables.DISPLAY_TABLES if "Confidence" in t.names}
    assert with_confidence == {"scenarios"}
    j = pd.read_csv(paths.RAW_DIR / "judgments.csv")
    for topic, g in j[j["kind"] == "scenario"].groupby("topic"):
        assert g["confidence"].nunique() == 1, topic


ICD_203 = [("almost no chance", "1–5%"), ("very unlikely", "5–20%"), ("unlikely", "20–45%"),
           ("a roughly even chance", "45–55%"), ("likely", "55–80%"), ("very likely", "80–95%"),
           ("almost certain", "95–99%")]


def test_the_likelihood_scale_is_icd_203_as_the_standard_gives_it():
    """ICD 203 (2015) bands run from 1 % to 99 %: no 0 % and no 100 %. The printed table is the standard's."""
    scale = pd.read_csv(paths.PROCESSED_DIR / "tables/likelihood_scale.csv")
    assert list(zip(scale["Words"], scale["Probability"])) == ICD_203


def test_no_likelihood_word_in_the_summary_stands_without_its_judgment(fresh_html):
    """A word of the scale in the summary box is always a judgment's own (a fact from judgments.csv, with its range
    beside it), never typed: a bottom line once said "likely (on the scale below)" with no range, no confidence and no
    row in Table 6 behind it."""
    box = fresh_html[fresh_html.index('class="summary-box"'):]
    box = box[:box.index("</div>")]
    judged = re.compile(r'<span class="fact" data-fact="kj_[a-z_]+" tabindex="0">[^<]*(?:<span class="fact-card".*?'
                        r'Made by notebook [\w-]+</span>)?</span>', re.S)
    assert judged.search(box)
    rest = re.sub(r"<[^>]+>", "", CARD.sub("", judged.sub("", box)))
    words = sorted({w for _, w in config.load().likelihood}, key=len, reverse=True)
    typed = [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", rest)]
    assert typed == [], typed


def test_a_range_is_given_the_words_of_the_one_band_that_holds_it():
    assert config.likelihood_words(5, 10) == "very unlikely"  # bands share their edges
    assert config.likelihood_words(1, 5) == "almost no chance"
    with pytest.raises(ValueError, match="crosses the edge of a likelihood band"):
        config.likelihood_words(2, 8)


def test_source_counts_agree_with_the_data_and_the_list(fresh_html, pdf_text):
    """The methods annex gives the number of sources listed, relied on and cited; each equals what it counts."""
    f = facts.load_all()["display"]
    listed = len(pd.read_csv(paths.RAW_DIR / "sources.csv"))
    assert f["n_sources"] == f"{listed:,}"
    items = re.findall(r'<li id="src-(\d+)" value="\d+"( class="online-only")?>', fresh_html)
    assert [int(i) for i, _ in items] == list(range(1, len(items) + 1))
    printed = [i for i, online in items if not online]
    # the sources cited only in the HTML edition (its own tables, or past a printed citation's cap) come last, so the
    # printed list has no gap
    assert printed == [str(n) for n in range(1, len(printed) + 1)] and len(printed) < len(items)
    assert f"this text cites {len(printed):,}, listed at the end" in pdf_text
    assert f"the HTML edition cites {len(items) - len(printed):,} more" in " ".join(pdf_text.split())
    entries = re.findall(r'<li id="src-\d+" value="\d+"(?: class="online-only")?>(.*?) <a ', fresh_html, flags=re.S)
    shown = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", e)).split()) in pdf_text for e in entries]
    assert shown[len(printed) - 1] and not any(shown[len(printed):]), "the printed list is the printed text's sources"


def test_a_source_without_a_date_of_its_own_is_listed_as_undated(fresh_html):
    """A page dated only by the copy that was read prints as n.d. with the day it was read, never as published then."""
    src = pd.read_csv(paths.RAW_DIR / "sources.csv", dtype=str, keep_default_na=False).set_index("source_id")
    listed = re.findall(r'<li id="src-\d+" value="\d+"(?: class="online-only")?>(.*?)</li>', fresh_html, flags=re.S)
    undated = [s for s in src.index if src.loc[s, "date_basis"] == "stored-copy"]
    seen = 0
    for item in listed:
        for sid in undated:
            if f'href="{html.escape(src.loc[sid, "url"], quote=True)}"' in item:
                seen += 1
                assert ", n.d." in item and "(accessed " in item, item[:200]
    assert seen > 0  # the brief cites some such pages; the rule is exercised


def test_the_printed_list_gives_an_access_date_only_to_an_undated_page(pdf_pages):
    """In print a dated page is cited by its own date (its access date is in the HTML edition and the data); an
    undated one keeps the day it was read, its only date. Each printed access date follows an 'n.d.'."""
    start = next(i for i, t in enumerate(pdf_pages) if re.search(r"^Sources$", t, flags=re.M) and "Page" in t)
    text = " ".join(" ".join(pdf_pages[start:]).split())
    items = re.split(r" (?=\d{1,3}\. )", text)
    accessed = [i for i in items if "(accessed " in i]
    assert accessed, "the printed list cites undated pages, each with its access date"
    assert all(", n.d." in i for i in accessed), [i[:120] for i in accessed if ", n.d." not in i][:3]


def test_every_link_in_the_brief_has_its_target(fresh_html):
    """Contents entries, section, figure, table and source references all point at an id that exists (a heading
    with an en dash once lost its page number in the contents)."""
    ids = set(re.findall(r'\bid="([^"]+)"', fresh_html))
    targets = set(re.findall(r'href="#([^"]+)"', fresh_html))
    assert targets and targets - ids == set()


def test_the_pdf_is_at_most_twenty_pages():
    """A brief, not a report: long reference tables are complete in the HTML edition, summarised in print."""
    assert len(pypdf.PdfReader(PDF).pages) <= 20


def test_no_internal_words_in_the_brief(pdf_text):
    """Words of the workshop, not of the brief, anywhere in print, the annexes included."""
    for words in ("stored record", "with one command", "the commission", "fact base", "notebook"):
        assert words not in pdf_text.lower(), words
    # Anywhere, annexes included: the machinery's words a policy reader would not use
    jargon = (r"\b(?:the build|stops? the build|data/processed|frozen editions?|triangular|seed|gates?|supply side|"
              r"as drawn|campaign test|map-scale datasets?)\b")
    assert re.findall(jargon, pdf_text) == []


TEXT_WIDTH_PT = (210 - 18 - 17) / 25.4 * 72  # A4 less the page's side margins (brief.css @page)


def test_every_text_in_every_figure_is_at_least_7_pt_on_the_page():
    """Measured from the drawn sizes: the smallest text of each figure (recorded by style.save in the SVG) scaled
    by the width at which the brief places the figure, against the 7 pt a printed brief needs."""
    placed = {}
    for path in sorted(render.TEXT_DIR.glob("*.md")):
        for m in re.finditer(r'figure\("([\w-]+)"(?:,\s*width="(\d+)%")?\)', path.read_text(encoding="utf-8")):
            placed[m.group(1)] = int(m.group(2) or 100)
    assert placed
    small = {}
    for name, pct in placed.items():
        svg = (paths.FIGURES_DIR / f"{name}.svg").read_text(encoding="utf-8")
        width_pt = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
        smallest = re.search(r"min-text-pt=([\d.]+|none)", svg).group(1)
        if smallest == "none":
            continue
        on_page = float(smallest) * (pct / 100 * TEXT_WIDTH_PT) / width_pt
        if on_page < 7 - 0.05:
            small[name] = round(on_page, 1)
    assert small == {}, small


def _lowest_text(page) -> float | None:
    """The height above the page's foot of its lowest line of text, the running footer left out."""
    ys = []

    def visit(text, cm, tm, font, size):
        if text.strip() and not re.search(r"Evidence cut-off|Page \d+ of \d+", text):
            ys.append(tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    return min(ys) if ys else None


def test_no_page_is_under_half_full_except_before_an_annex(pdf_pages):
    """A printed brief does not strand a paragraph on a page of its own: every page between the cover and the last
    is at least half full, unless the next one starts an annex on a new page, and even then a third full (a few
    lines of Annex B once stood alone on a page before Annex C)."""
    pages = pypdf.PdfReader(PDF).pages
    top = 814  # the first line under the running header (A4, brief.css)
    bottom = 50  # the running footer
    for n in range(1, len(pages) - 1):
        lowest = _lowest_text(pages[n])
        filled = (top - lowest) / (top - bottom) if lowest is not None else 0
        # the page's text opens with its body (the running head and footer come last): an annex heading there
        starts_annex = re.match(r"Annex [A-Z]\. ", pdf_pages[n + 1].lstrip())
        assert filled >= 0.5 or (starts_annex and filled >= 0.33), f"page {n + 1} is {filled:.0%} full"


def test_no_citation_stands_on_a_line_of_its_own(pdf_pages):
    """A citation is set with its words: a line of the printed text that holds only "[222];" (Annex B once had one,
    and Section 3 a break after "[142, 143],") reads as a layout fault."""
    stranded = [(n + 1, line) for n, text in enumerate(pdf_pages) for line in text.splitlines()
                if re.fullmatch(r"\s*\[[0-9, ]+\][;,.)]*\s*", line)]
    assert stranded == []


def test_the_last_page_is_not_a_stray_entry():
    """The sources list does not end on a page of its own with an entry or two (one reference once did): the last
    page is at least a quarter full."""
    pages = pypdf.PdfReader(PDF).pages
    top, bottom = 814, 50  # as above (brief.css)
    lowest = _lowest_text(pages[-1])
    filled = (top - lowest) / (top - bottom) if lowest is not None else 0
    assert filled >= 0.25, f"the last page (page {len(pages)}) is {filled:.0%} full"


def test_the_cut_off_counts_the_datasets_editions_too():
    """The evidence cut-off is the newest evidence relied on, the external datasets' editions included: a data
    edition newer than every news report moves it (the World Bank's edition of 13 July 2026 did)."""
    from csto_brief import provenance

    f = facts.load_all()
    newest_day = pd.Timestamp(f.loc["evidence_newest_day", "value"])
    for path in provenance.raw_files():
        rec = provenance.load_record(path)["origin"]
        edition = str(rec["date_published"])
        if rec["producer"].startswith("csto-brief project") or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", edition):
            continue
        assert pd.Timestamp(edition) <= newest_day, (paths.rel(path), edition)


def test_running_head_names_the_section_in_force_at_the_top_of_each_page(pdf_pages):
    """A page is headed by the section it opens in: the one that began on an earlier page, unless a section's
    heading is the first thing on the page. A section that begins lower down heads the next page, so the head
    never names a section over another's text (a reader once found '1.' above the end of the summary)."""
    contents = [m[1].strip() for m in re.finditer(r"^(.+?)\s*\.{5,}\s*\d+\s*$", pdf_pages[0], re.M)]
    assert len(contents) >= 8, contents
    title = config.load().title
    in_force, wrong = None, []
    for n, page in enumerate(pdf_pages[1:], start=2):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        at = max(i for i, ln in enumerate(lines) if ln.startswith(title))  # the margin box comes last in the text
        head = lines[at][len(title):].strip()
        body = lines[:at] + lines[at + 1:]
        top = body[0] if body and body[0] in contents else in_force
        if head != top:
            wrong.append(f"page {n}: headed {head!r}, expected {top!r}")
        in_force = next((ln for ln in reversed(body) if ln in contents), in_force)
    assert not wrong, wrong


def test_no_number_in_the_pdf_has_a_tail_of_decimals(pdf_text):
    """A value printed with more decimals than any source gives (a float's tail, '1,502,640.000000000') is a
    formatting fault; no figure in the brief needs more than three."""
    tails = re.findall(r"\d[\d,]*\.\d{4,}", pdf_text)
    assert not tails, tails[:5]


def test_no_hyphenated_remainder_is_stranded_on_a_line_of_its_own(pdf_pages):
    """The layout once broke 'ar-rears' and then left 'rears' alone on a line in the middle of a source's title
    (hyphenation in a narrow column); a word's remainder after a hyphenation continues the line it starts."""
    stranded = [(n, m.group(0)) for n, t in enumerate(pdf_pages, start=1)
                for m in re.finditer(r"\w+-\n[a-z]+[.,;:)]?\n(?=[a-z])", t)]
    assert not stranded, stranded[:5]


def test_no_line_is_a_lone_hyphenated_fragment(pdf_pages):
    """The layout once set 'ar-' alone on a line and 'rears can cost...' on the next (a hyphenation the line
    breaker then could not use); a line of the body never holds only the first piece of a broken word."""
    lone = [(n, m.group(1)) for n, t in enumerate(pdf_pages, start=1)
            for m in re.finditer(r"(?m)^\s*([A-Za-z]{1,8}[-\u2010])\s*$", t)]
    assert not lone, lone


def test_the_table_of_judgments_names_each_question_once_above_a_rule(fresh_html):
    """Each scenario set (a question of judgments.csv) starts below a rule, and its question is printed once, in a
    cell spanning exactly the set's rows, so a reader sees where one exclusive and exhaustive set ends and what it
    answers; the questions in the table are those of the data, in the data's order."""
    import pandas as pd
    from csto_brief import vocab
    table = re.search(r'<figure class="table[^"]*" id="table-\d+"><figcaption><span class="label">Table \d+\.</span> '
                      r'Every judgment\..*?</table>', fresh_html, flags=re.S).group(0)
    rows = re.findall(r"<tr( class=\"group-start\")?>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S)
    heads = [(i, int(m.group(1)), m.group(2)) for i, (_, cells) in enumerate(rows)
             for m in [re.search(r'<td class="group-label" rowspan="(\d+)">(.*?)</td>', cells)] if m]
    starts = [i for i, (g, _) in enumerate(rows) if g]
    assert [i for i, _, _ in heads] == [0, *starts]
    assert [i + n for i, n, _ in heads] == [*starts, len(rows)]
    judged = pd.read_csv("data/raw/judgments.csv")
    expected = [q for t, q in vocab.JUDGMENT_QUESTIONS.items() if t in set(judged["topic"])]
    assert [html.unescape(q) for _, _, q in heads] == expected
    assert len(starts) >= 3


def test_each_paragraph_cites_the_sources_of_the_events_it_names(fresh_html):
    """A development named in a paragraph of a numbered section is cited in that paragraph (one of its sources at
    least), so a reader need not hunt elsewhere for the source: a base rate once named two requests for troops
    with no source beside them (the table of judgments further down cited them, which does not count)."""
    src = pd.read_csv(paths.RAW_DIR / "sources.csv", dtype=str, keep_default_na=False)
    by_url = {html.escape(u, quote=True): s for s, u in zip(src["source_id"], src["url"])}
    number = {}
    for n, body in re.findall(r'<li id="src-(\d+)"[^>]*>(.*?)</li>', fresh_html, flags=re.S):
        href = re.search(r'href="([^"]+)"', body)
        number[n] = by_url.get(href.group(1)) if href else None
    used = pd.read_csv(paths.REPORT_DIR / "facts.csv", dtype=str, keep_default_na=False).set_index("fact_id")
    parts = re.split(r"(<h2[^>]*>.*?</h2>)", fresh_html, flags=re.S)
    uncited, sections = [], 0
    for head, body in zip(parts[1::2], parts[2::2]):
        title = re.sub(r"<[^>]+>", "", head).strip()
        if not re.match(r"\d\. ", title):
            continue  # the summary points to the sections; annexes carry their own tables
        sections += 1
        for para in re.findall(r"<p>(.*?)</p>", body, flags=re.S):
            cited = {number.get(n) for n in re.findall(r'href="#src-(\d+)"', para)}
            for f in sorted(set(re.findall(r'data-fact="(dev_[a-z0-9_]+?)(?:_n)?"', para))):
                sources = set(filter(None, used.loc[f, "sources"].split(";"))) if f in used.index else set()
                if sources and not sources & cited:
                    uncited.append((title, f))
    assert sections >= 6
    assert not uncited, uncited


def test_the_second_column_of_sources_has_room_for_its_numbers():
    """The list of sources runs in two columns; the first column's numbers sit in the list's left padding, the
    second's in the gap between the columns. A gap no wider than that padding lets the second column's numbers
    ('200.') touch the first column's lines, as they did."""
    css = (paths.TEMPLATES_DIR / "brief" / "brief.css").read_text(encoding="utf-8")
    rule = re.search(r"ol\.sources \{([^}]*)\}", css).group(1)
    em = {k: float(re.search(rf"{k}:\s*([\d.]+)em", rule).group(1)) for k in ("padding-left", "column-gap")}
    assert "columns: 2" in rule
    assert em["column-gap"] >= em["padding-left"] + 0.8, em
