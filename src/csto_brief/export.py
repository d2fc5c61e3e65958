"""The brief as HTML and PDF, made from one render of its text (``render.render()``).

``html_document`` wraps the rendered sections in the title page and the house stylesheet and embeds the
fonts; ``html_to_pdf`` lays that HTML out with WeasyPrint on A4 with a running header, "Page X of Y" and
bookmarks from the headings. The PDF carries the SHA-256 of the HTML it was made from, so a test can tell a
stale PDF from a fresh one; with the same input it is byte-identical.

The build (``pipeline.export_brief``), ``make preview`` and the nbconvert exporters (``jupyter nbconvert --to
brief_pdf notebooks/05-write-brief.ipynb``) all call ``html_document``; the exporters take the brief from its
text, not from the notebook's outputs (those are the brief as Jupyter shows it), and refuse a notebook whose
run left an error.
"""

from __future__ import annotations

import hashlib
import re

from nbconvert.exporters import Exporter
from traitlets import default

from . import config, glyphs, paths, webfonts

SOURCE_HASH_KEY = "cstobriefsourcesha256"
TEMPLATE = paths.TEMPLATES_DIR / "brief" / "brief.html.j2"
CSS = paths.TEMPLATES_DIR / "brief" / "brief.css"


class BriefContentError(ValueError):
    pass


def check_notebook(nb, name: str = "brief notebook") -> None:
    """The brief notebook ran cleanly: an error, a warning or stray text in its outputs means it did not."""
    for i, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                raise BriefContentError(f"{name}, cell {i}: error output {out.get('ename')}: {out.get('evalue')}")
            if kind == "stream":
                text = "".join(out.get("text", ""))[:120]
                raise BriefContentError(f"{name}, cell {i}: printed text: {text!r}")
            if kind in ("display_data", "execute_result"):
                d = out.get("data", {})
                if set(d) <= {"text/plain"}:
                    raise BriefContentError(
                        f"{name}, cell {i}: a bare value {str(d.get('text/plain'))[:80]!r} "
                        "(end the line with ';' or display HTML)")


def cover() -> dict:
    """The title page's facts: title, edition, dates (from brief.toml) and the evidence cut-off (from the data)."""
    cfg = config.load()
    return {"title": cfg.title, "subtitle": cfg.subtitle, "author": cfg.author, "version": cfg.version,
            "edition_date": f"{cfg.as_of.day} {cfg.as_of:%B %Y}", "edition_iso": cfg.as_of.isoformat(),
            "month": f"{cfg.as_of:%B %Y}", "evidence_cutoff": evidence_cutoff(),
            "newest_report": evidence_cutoff("evidence_newest_report"),
            "newest_dataset": evidence_cutoff("evidence_newest_dataset")}


def html_document(rendered=None) -> str:
    """The brief as one self-contained HTML file, from a render of its text (rendered now if not given)."""
    import jinja2

    from .render import render

    rendered = rendered or render()
    template = jinja2.Template(TEMPLATE.read_text(encoding="utf-8"), autoescape=False, undefined=jinja2.StrictUndefined)
    out = template.render(brief=cover(), css=CSS.read_text(encoding="utf-8"), body=rendered.body_html())
    return webfonts.embed_fonts(tidy_html(out))  # a browser shows the brief's own fonts


class BriefHTMLExporter(Exporter):
    """``--to brief_html``: the brief as one self-contained HTML file."""

    export_from_notebook = "Brief (HTML)"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self):
        return ".html"

    def from_notebook_node(self, nb, resources=None, **kw):
        check_notebook(nb)
        _, resources = super().from_notebook_node(nb, resources, **kw)
        return html_document(), resources


def evidence_cutoff(fact: str = "evidence_cutoff") -> str:
    """The date of the newest source the brief relies on, as notebook 01 recorded it ('' for a project that
    records no such fact, whose cover then shows its edition date only); with ``fact``, another of its dates
    (the newest report, the newest dataset edition)."""
    from .facts import FACTS_DIR, load_all

    if not any(FACTS_DIR.glob("*.csv")):
        return ""
    facts = load_all()
    return facts.loc[fact, "display"] if fact in facts.index else ""


def tidy_html(text: str) -> str:
    """Drop blank lines the template leaves, so the file diffs cleanly."""
    return re.sub(r"\n\s*\n+", "\n", text).strip() + "\n"


def font_css() -> str:
    """@font-face rules for the PDF, pointing at the font files installed with the environment."""
    from .style import font_files, serif_font_files

    weights = {"Regular": (400, "normal"), "It": (400, "italic"), "Semibold": (600, "normal"),
               "SemiboldIt": (600, "italic"), "Bold": (700, "normal"), "BoldIt": (700, "italic")}
    rules = []
    for family, files in (("Source Sans Pro", font_files()), ("Source Serif Pro", serif_font_files())):
        for f in files:
            style_name = f.stem.split("-", 1)[1]
            if style_name in weights:
                w, s = weights[style_name]
                rules.append(f"@font-face {{ font-family: '{family}'; src: url('{f.as_uri()}'); "
                             f"font-weight: {w}; font-style: {s}; }}")
    return "\n".join(rules)


def html_to_pdf(html_text: str) -> bytes:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    digest = hashlib.sha256(html_text.encode("utf-8")).hexdigest()
    tagged = html_text.replace(
        "</head>", f'<meta name="{SOURCE_HASH_KEY}" content="{digest}">\n</head>', 1)
    doc = weasyprint.HTML(string=tagged, base_url=str(paths.REPORT_DIR) + "/")
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=font_css(), font_config=fonts)
    options = {**weasyprint.DEFAULT_OPTIONS, "stylesheets": [css], "custom_metadata": True}
    document = doc.render(font_config=fonts, **options)
    glyphs.check_document(document)  # every character from the brief's own fonts, never a system font
    return document.write_pdf(**options)


class BriefPDFExporter(BriefHTMLExporter):
    """``--to brief_pdf``: the brief as an A4 PDF, laid out by WeasyPrint from the brief's HTML."""

    export_from_notebook = "Brief (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        html_text, resources = super().from_notebook_node(nb, resources, **kw)
        return html_to_pdf(html_text), resources
