"""The writing system: facts, display tables and the Markdown templates of the brief."""

import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from csto_brief import data, facts, paths, pipeline, render, tables


# -- the templates the brief is written in ---------------------------------------------------------
def test_a_typed_number_is_refused_with_file_and_line():
    """A section number is typed too: the renderer numbers the sections."""
    text = "## 3. Title\n\n1. First judgment\n\nNATO has 32 members.\n\nNatural Earth 1:10m, {{ f.x }} to 1.\n"
    problems = render.typed_digits(text, "report/text/x.md")
    assert problems == [f"report/text/x.md, line {n}: the number {x!r} is typed; take it from a fact "
                        "({{ f.name }}), so it follows the data" for n, x in ((1, "3."), (5, "32"))]


def test_numbers_inside_placeholders_and_comments_are_not_typed():
    assert render.typed_digits('{# edited 2026 #}{{ f.a | num(2) }} and {% call table("t", widths={"A": "9%"}) %}') == []


def test_committed_templates_type_no_numbers():
    render.check_templates()  # raises, listing file and line, if a writer typed a number


def _write(tmp_path, name, text):
    d = tmp_path / "text"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def test_an_unknown_fact_stops_the_render_naming_file_line_and_near_ids(tmp_path):
    d = _write(tmp_path, "01-a.md", "## A\n\nText.\n\nThe border is {{ f.tjk_oficial_km }} km.\n")
    with pytest.raises(render.RenderError, match=r"text/01-a.md, line 5: no fact 'tjk_oficial_km'.*did you mean 'tjk_official_km'"):
        render.render(d)


def test_an_undefined_name_stops_the_render_naming_file_and_line(tmp_path):
    d = _write(tmp_path, "01-a.md", "## A\n\n{{ nonsense }}\n")
    with pytest.raises(render.RenderError, match=r"text/01-a.md, line 3: undefined name: 'nonsense' is undefined"):
        render.render(d)


def test_a_reference_to_a_figure_not_placed_is_an_error(tmp_path):
    d = _write(tmp_path, "01-a.md", "## A\n\nSee {{ ref('fig-richardson') }}.\n")
    with pytest.raises(render.RenderError, match=r"line 3: 'fig-richardson' is neither a figure nor a table"):
        render.render(d)


def test_figures_and_tables_are_numbered_in_order_and_references_can_point_ahead(tmp_path):
    d = _write(tmp_path, "01-a.md", (
        "## A\n\nAs {{ ref('fig-richardson') }} and {{ ref('candidates') }} show.\n\n"
        "{% call figure('fig-bloc-shares') %}First. Source: us.{% endcall %}\n\n"
        "{% call figure('fig-richardson') %}Second. Source: us.{% endcall %}\n\n"
        "{% call table('candidates') %}A table. Source: us.{% endcall %}\n"))
    out = render.render(d)
    md = out.sections[0].blocks[1].content
    assert '<a href="#figure-2">Figure 2</a>' in md and '<a href="#table-1">Table 1</a>' in md
    assert out.figures == ["fig-bloc-shares", "fig-richardson"] and out.tables == ["candidates"]
    assert 'id="figure-2"' in out.sections[0].blocks[3].content


def test_citations_are_numbered_in_order_of_first_use_and_listed(tmp_path):
    d = _write(tmp_path, "01-a.md", "## A\n\nOne {{ cite(f.tjk_official_km) }}, two {{ cite('cia-world', 'ministry-of-2013') }}.\n\n{{ sources_list() }}\n")
    out = render.render(d)
    md = out.sections[0].blocks[1].content
    assert 'One [<a class="cite" href="#src-1">1</a>]' in md
    assert 'two [<a class="cite" href="#src-1">1</a>, <a class="cite" href="#src-2">2</a>]' in md
    assert out.cited == ["ministry-of-2013", "cia-world"]
    assert '<li id="src-2" value="2">' in out.sections[0].blocks[2].content


def test_a_printed_citation_names_at_most_three_sources_the_best_first_and_the_html_all(tmp_path):
    """A claim cited to five sources prints the primary ones, then standard before weak; the rest are in the HTML
    edition only, numbered after every printed source, so the printed list has no gap. Each fact cited keeps its
    best source even past the cap."""
    five = "'armenianclub-2026', '24-kg-2021', 'antibellum-blog-2021', 'csto-1992', '1lurer-am-2021'"
    d = _write(tmp_path, "01-a.md", "## A\n\nFive {{ cite(" + five + ") }}; one {{ cite('24-kg-2022') }}.\n\n"
                                    "{{ sources_list() }}\n\n{{ n_cited() }} printed, {{ n_cited('online') }} more.\n")
    out = render.render(d)
    html = out.body_html()
    assert render.PRINT_CITES == 3
    # printed: csto-1992 (primary), then the two standard ones in the writer's order; then 24-kg-2022
    assert ('Five [<a class="cite" href="#src-1">1</a>, <a class="cite" href="#src-2">2</a>, '
            '<a class="cite" href="#src-3">3</a><span class="online-only">, <a class="cite" href="#src-5">5</a>, '
            '<a class="cite" href="#src-6">6</a></span>]') in html
    assert 'one [<a class="cite" href="#src-4">4</a>]' in html
    listed = re.findall(r'<li id="src-(\d)" value="\d"( class="online-only")?>([^,]+)', html)
    assert [(n, bool(hidden)) for n, hidden, _ in listed] == [("1", False), ("2", False), ("3", False), ("4", False),
                                                             ("5", True), ("6", True)]
    assert "4 printed, 2 more." in html
    # four facts with a source each: every one keeps its source in print, past the cap
    (tmp_path / "b").mkdir()
    d2 = _write(tmp_path / "b", "01-a.md", "## A\n\n{{ cite(f.tjk_official_km, f.treaty_signed, f.charter_signed, "
                                          "f.dev_kz_deployment) }}\n")
    cited = render.render(d2).body_html().split("<p>", 1)[1]
    printed = cited.split('<span class="online-only">')[0]
    assert printed.count('class="cite"') >= 4


def test_a_fact_carries_its_id_value_sources_and_notebook(tmp_path):
    d = _write(tmp_path, "01-a.md", "## A\n\n{{ f.tjk_official_km }}\n")
    heading, body = render.render(d).sections[0].blocks[:2]
    assert heading.content == '<h2 id="a">1. A</h2>'  # numbered by the renderer
    md = body.content
    assert md.startswith('<span class="fact" data-fact="tjk_official_km" tabindex="0">1,344.15<span class="fact-card"')
    assert "Made by notebook 02-map-and-measure-borders" in md and "Ministry" in md and 'href="http' in md


def test_words_and_plurals_follow_the_count(tmp_path):
    d = _write(tmp_path, "01-a.md", ("## A\n\n{{ f.n_candidates | words | cap }} states; "
                                     "{{ f.n_candidates | plural('state') }}; {{ f.n_documents | words }} "
                                     "{{ f.n_documents | pl('document') }}.\n"))
    md = render.render(d).sections[0].blocks[1].content
    text = pd.Series([md]).str.replace(r'<span class="fact-card".*?Made by notebook [\w-]+</span>', "", regex=True)[0]
    text = pd.Series([text]).str.replace(r"<[^>]+>", "", regex=True)[0]
    n = int(facts.load_all().loc["n_candidates", "value"])
    assert text == (f"{render.WORDS[n].capitalize()} states; {n} state{'s' if n != 1 else ''}; "
                    f"three documents.\n")


def test_a_filter_refuses_what_is_not_a_fact(tmp_path):
    d = _write(tmp_path, "01-a.md", "## A\n\n{{ 5 | words }}\n")
    with pytest.raises(render.RenderError, match=r"line 3: this filter formats a fact"):
        render.render(d)


# -- the facts and display tables ------------------------------------------------------------------
def test_every_fact_is_sourced_or_derived_and_every_source_exists():
    allf = facts.load_all()  # validates each notebook's file against the schema (sources exist)
    assert len(allf) > 100
    unsourced = allf[(allf["sources"] == "") & (allf["derived_from"] == "")]
    assert unsourced.empty, list(unsourced.index)
    for f in allf["derived_from"].str.split(";").explode().dropna():
        if f and "*" not in f:
            assert (paths.PROJ_ROOT / f).exists(), f


def test_every_fact_the_prose_uses_is_in_the_published_list():
    used = render.render().facts_used()
    published = pd.read_csv(paths.REPORT_DIR / "facts.csv", dtype=str, keep_default_na=False)
    assert list(published["fact_id"]) == list(used["fact_id"])
    assert (published["sources"] + published["derived_from"] != "").all()
    with_sources = published[published["sources"] != ""]
    assert with_sources["source_urls"].str.startswith("http").all()


def test_a_fact_without_sources_is_refused():
    data.load("claims.csv")  # a fact's inputs are files the process has read (csto_brief.reads)
    rec = facts.Recorder("99-test")
    with pytest.raises(facts.FactError, match="needs sources or the inputs it was derived from"):
        rec.add("x", 1)
    with pytest.raises(facts.FactError, match="recorded twice"):
        rec.add("y", 1, derived_from="data/raw/claims.csv")
        rec.add("y", 2, derived_from="data/raw/claims.csv")


def test_a_fact_derived_from_a_file_not_read_is_refused():
    """derived_from is checked against what the notebook read, so it cannot drift from the code."""
    rec = facts.Recorder("99-test")
    with pytest.raises(facts.FactError, match="derived_from data/raw/never_read.csv, which 99-test has not read"):
        rec.add("z", 1, derived_from="data/raw/never_read.csv")
    data.load("documents.csv")
    assert rec.add("z", 1, derived_from="data/raw/documents.csv") == "1"


def test_float_facts_are_written_at_twelve_significant_digits():
    assert facts.format_value("float", 871.4166139386039) == ("871.416613939", "871.4")
    assert facts.format_value("float", 871.416613938604, digits=2) == ("871.416613939", "871.42")
    assert facts.format_value("float", -2.0, digits=0) == ("-2", "\u22122")


def test_a_display_table_must_match_its_declaration():
    with pytest.raises(ValueError, match="differ from the declared"):
        tables.save(pd.DataFrame({"State": ["X"]}), "candidates")
    with pytest.raises(KeyError, match="did you mean 'candidates'"):
        tables.save(pd.DataFrame(), "candidate")


# -- a new candidate, as a user would add it -------------------------------------------------------
def test_adding_a_candidate_changes_every_count_that_depends_on_it(tmp_path):
    """In a copy of the repository: add a sixth candidate's evidence and scores, re-run only the model
    notebook, render the text, and check that every count and number word follows, and that the sentence naming
    the candidates by hand must name the new one."""
    root = pipeline.copy_repo(tmp_path / "repo")
    ev = pd.read_csv(root / "data/raw/status/evidence.csv", dtype=str, keep_default_na=False)
    sc = pd.read_csv(root / "data/raw/status/scores.csv", dtype=str, keep_default_na=False)
    ind_ev = ev[ev["candidate"] == "IND"].copy()
    new_ids = {old: f"E{900 + i}" for i, old in enumerate(ind_ev["evidence_id"])}
    ind_ev = ind_ev.assign(candidate="MNG", evidence_id=ind_ev["evidence_id"].map(new_ids))
    def renumber(ids):
        return ";".join(new_ids.get(e, e) for e in ids.split(";")) if ids else ids

    mng = sc[sc["candidate_iso3"] == "IND"].assign(candidate_iso3="MNG")
    for col in ("evidence", "see_also"):
        if col in mng:
            mng[col] = mng[col].map(renumber)
    pd.concat([ev, ind_ev]).to_csv(root / "data/raw/status/evidence.csv", index=False, lineterminator="\n")
    pd.concat([sc, mng]).to_csv(root / "data/raw/status/scores.csv", index=False, lineterminator="\n")
    # the counts move since the last edition: the change log says why (the changes annex refuses a silent move)
    last = pd.read_csv(root / "data/editions/editions.csv", dtype=str)["edition"].iloc[-1]
    with open(root / "data/raw/changes.csv", "a", encoding="utf-8") as fh:
        fh.write(f"fact,n_*,Counts of candidates and evidence,{last},new-data,Mongolia assessed as a candidate\n")
    env = {**os.environ, "CSTO_BRIEF_ROOT": str(root)}
    py = sys.executable
    subprocess.run([py, "-m", "csto_brief.provenance", "update", "data/raw/status/evidence.csv",
                    "data/raw/status/scores.csv", "data/raw/changes.csv"], cwd=root, env=env, check=True,
                   capture_output=True)
    code = ("from csto_brief import config, pipeline, render; "
            "s = next(s for s in config.load().notebooks if s.path.startswith('notebooks/04'));"
            "pipeline.execute_notebook(s); b = render.render(); import re, html;"
            "t = ' '.join(bl.content for sec in b.sections for bl in sec.blocks);"
            "t = re.sub(r'<span class=\"fact-card\".*?Made by notebook [\\w-]+</span>', '', t);"
            "print(html.unescape(re.sub(r'<[^>]+>', '', t)))")
    out = subprocess.run([py, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    # the sentence that names the other candidates by hand is now behind the data: the build says so ...
    assert out.returncode == 1 and "leaves out Mongolia, which the data holds" in out.stderr, out.stderr[-2000:]
    t = root / "report/text/05-india.md"
    text_before = t.read_text(encoding="utf-8")
    assert text_before.count("; Azerbaijan,") == 1
    t.write_text(text_before.replace("; Azerbaijan,", "; Mongolia keeps its neutrality; Azerbaijan,"))
    code = code.replace("pipeline.execute_notebook(s); ", "")  # ... and, once it names Mongolia, renders
    out = subprocess.run([py, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    text = " ".join(out.stdout.replace("*", "").split())  # Markdown emphasis is not rendered here
    assert "The five other candidates with a documented link" in text, text[:3000]
    assert "partner status, six states: central value" in text  # a figure caption
    assert "The four other candidates" not in text and "five states" not in text


def test_sections_are_numbered_and_annexes_lettered_by_the_renderer(tmp_path):
    """Headings carry no typed number: body sections are numbered, annexes lettered, in file order; a heading
    marked {.unnumbered} is neither, and references to sections follow the numbering."""
    _write(tmp_path, "00-front.md", "## Front {.unnumbered}\n\nSee {{ sec('03-b', '02-a') }} and {{ sec('B-y') }}.\n")
    _write(tmp_path, "01-summary.md", "## Summary {.unnumbered .new-page}\n\nText.\n")
    _write(tmp_path, "02-a.md", "## Alpha\n\nText.\n")
    _write(tmp_path, "03-b.md", "## Beta\n\nText.\n")
    _write(tmp_path, "A-x.md", "## Ex\n\nText.\n")
    d = _write(tmp_path, "B-y.md", "## Why\n\nText.\n")
    out = render.render(d)
    headings = [s.blocks[0].content for s in out.sections]
    assert headings == ['<h2 id="front">Front</h2>', '<h2 id="summary" class="new-page">Summary</h2>',
                        '<h2 id="a">1. Alpha</h2>', '<h2 id="b">2. Beta</h2>',
                        '<h2 id="x">Annex A. Ex</h2>', '<h2 id="y">Annex B. Why</h2>']
    assert ('Sections <a href="#b">2</a> and <a href="#a">1</a>' in out.sections[0].blocks[1].content
            and 'Annex <a href="#y">B</a>' in out.sections[0].blocks[1].content)


def test_a_notebooks_answer_takes_its_numbers_from_its_facts():
    """F.say: a notebook's answer in a sentence, filled from the facts it recorded; a typed number or a fact not
    yet recorded stops it, naming the notebook."""
    F = facts.Recorder("01-load-and-check-facts")
    F.rows["n_x"] = {"display": "53"}
    assert F.say("Of the {{ f.n_x }} claims, most hold.").data == "Of the 53 claims, most hold."
    with pytest.raises(render.RenderError, match=r"01-load-and-check-facts, answer, line 1: the number '38' is typed"):
        F.say("{{ f.n_x }} claims, 38 hold.")
    with pytest.raises(facts.FactError, match=r"01-load-and-check-facts, answer: .*n_y.*record the fact first"):
        F.say("{{ f.n_y }} claims.")


def test_a_new_fact_not_yet_recorded_says_which_notebook_to_run(tmp_path, monkeypatch):
    """A writer places a fact a notebook has just been given: the error names the notebook and the next step."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    (nbdir / "02-map-and-measure-borders.ipynb").write_text('{"cells": [{"source": ["F.add(\\"tkm_afg_km\\", km)"]}]}')
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", nbdir)
    d = _write(tmp_path, "01-a.md", "## A\n\nThe Turkmen border is {{ f.tkm_afg_km }} km.\n")
    with pytest.raises(render.RenderError, match=r"line 3: no fact 'tkm_afg_km' in data/processed/facts yet: notebook "
                                                 r"02-map-and-measure-borders records it; run `make brief`"):
        render.render(d)


def test_a_section_marked_online_is_in_the_html_edition_only_and_print_says_where(tmp_path):
    """Its exhibits follow the printed ones in number, a printed reference to them says where they are, and the
    sources it alone cites are listed last, hidden in print, so the printed list has no gap."""
    d = _write(tmp_path, "01-a.md", "## A\n\nOne {{ cite('cia-world') }}; see {{ ref('candidates') }}.\n")
    _write(tmp_path, "E-online.md", "## Full tables {.online}\n\nTwo {{ cite('ministry-of-2013') }}.\n\n"
                                    "{% call table('candidates') %}A table. Source: us.{% endcall %}\n")
    _write(tmp_path, "Z-sources.md", "## Sources {.unnumbered}\n\n{{ sources_list() }}\n\n"
                                     "{{ n_cited() }} printed, {{ n_cited('online') }} more.\n")
    out = render.render(d)
    html = out.body_html()
    assert 'Table 1</a><span class="print-only"> in the HTML edition</span>' in html
    online = html[html.index('<section class="online-only">'):html.index("</section>")]
    assert 'id="table-1"' in online and "Full tables" in online
    assert '<li id="src-1" value="1">' in html and '<li id="src-2" value="2" class="online-only">' in html
    assert "1 printed, 1 more." in html
    # an online section before a printed one: the printed sources are still numbered first, with no gap
    (d / "E-online.md").rename(d / "00-online.md")
    html = render.render(d).body_html()
    assert '<li id="src-1" value="1">' in html and '<li id="src-2" value="2" class="online-only">' in html
    assert 'Two [<a class="cite" href="#src-2">2</a>]' in html and 'One [<a class="cite" href="#src-1">1</a>]' in html


def test_a_title_in_a_script_the_italic_face_lacks_is_set_upright():
    """The italic serif face has no Cyrillic: a browser took those letters from a system font (Liberation Serif)
    while the rest of the title came from the brief's own face. Such a title is set upright; a Latin one stays in
    italics; a title we supplied keeps its brackets."""
    from csto_brief.render import _title

    assert _title({"title": "ОДКБ укрепляет границу", "title_kind": "own"}) == (
        '<i class="upright">ОДКБ укрепляет границу</i>')
    assert _title({"title": "Tajik troops suffer losses.", "title_kind": "own"}) == "<i>Tajik troops suffer losses</i>"
    assert _title({"title": "report on the summit", "title_kind": "descriptive"}) == "[Report on the summit]"


def test_a_fact_card_says_recorded_for_the_edition_day_and_as_of_for_a_date_of_its_own():
    """Cards read 'As of 3 December 2026' on facts whose evidence runs to July: a fact dated by the edition day
    was recorded then, and says so; a fact with a date of its own is 'as of' that date."""
    from types import SimpleNamespace

    from csto_brief import config

    edition = str(config.load().as_of)
    row = {"display": "6", "unit": "states", "fact_id": "csto_members", "as_of": edition, "sources": "",
           "derived_from": "data/raw/alliance_events.csv", "notebook": "01-load-and-check-facts"}
    me = SimpleNamespace(sources=None)
    assert "<br>Recorded " in render.Renderer.card(me, row) and "As of" not in render.Renderer.card(me, row)
    dated = render.Renderer.card(me, {**row, "as_of": "2025-12-31"})
    assert "<br>As of 31 December 2025" in dated and "Recorded" not in dated


def test_a_range_that_crosses_a_band_edge_is_told_from_one_inside_a_band():
    """The changes annex counts an earlier edition's ranges that broke the scale (2–8% spans 'almost no chance' and
    'very unlikely'); a range inside one band, the edges included, or no range at all, is not counted."""
    assert render._crosses_band("2–8%") and render._crosses_band("90–97%") and render._crosses_band("10–25%")
    assert not render._crosses_band("1–5%") and not render._crosses_band("20–45%") and not render._crosses_band("")
    assert not render._crosses_band("low")
