"""The brief's nbconvert exporters: ``--to brief_html`` and ``--to brief_pdf``.

HTML comes from the project's own template (no code, title page, numbered captions); the PDF
is that HTML laid out by WeasyPrint on A4 with a running header, "Page X of Y" and bookmarks
from the headings. The PDF carries the SHA-256 of the HTML it was made from, so a test can
tell a stale PDF from a fresh one; with the same input it is byte-identical.
"""

from __future__ import annotations

import hashlib
import re

from nbconvert.exporters import HTMLExporter
from traitlets import default

from . import config, glyphs, paths, webfonts

SOURCE_HASH_KEY = "cstobriefsourcesha256"


class BriefContentError(ValueError):
    pass


def check_notebook(nb, name: str = "brief notebook") -> None:
    """The brief shows outputs only: an error, a warning or stray text would reach the reader."""
    for i, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                raise BriefContentError(f"{name}, cell {i}: error output {out.get('ename')}: {out.get('evalue')}")
            if kind == "stream":
                text = "".join(out.get("text", ""))[:120]
                raise BriefContentError(f"{name}, cell {i}: printed text would appear in the brief: {text!r}")
            if kind in ("display_data", "execute_result"):
                d = out.get("data", {})
                if set(d) <= {"text/plain"}:
                    raise BriefContentError(
                        f"{name}, cell {i}: a bare value {str(d.get('text/plain'))[:80]!r} would appear in the brief "
                        "(end the line with ';' or display HTML/Markdown)")


class BriefHTMLExporter(HTMLExporter):
    """The brief as one self-contained HTML file (images embedded, no code)."""

    export_from_notebook = "Brief (HTML)"

    @default("template_name")
    def _template_name_default(self):
        return "brief"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(paths.TEMPLATES_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    def from_notebook_node(self, nb, resources=None, **kw):
        check_notebook(nb)
        cfg = config.load()
        resources = dict(resources or {})
        resources["brief"] = {
            "title": cfg.title, "subtitle": cfg.subtitle, "author": cfg.author, "version": cfg.version,
            "edition_date": f"{cfg.as_of.day} {cfg.as_of:%B %Y}", "edition_iso": cfg.as_of.isoformat(),
            "month": f"{cfg.as_of:%B %Y}", "evidence_cutoff": evidence_cutoff(),
        }
        resources["brief_css"] = (paths.TEMPLATES_DIR / "brief" / "brief.css").read_text(encoding="utf-8")
        out, resources = super().from_notebook_node(nb, resources, **kw)
        return webfonts.embed_fonts(tidy_html(out)), resources  # a browser shows the brief's own fonts


def evidence_cutoff() -> str:
    """The date of the newest source the brief relies on, as notebook 01 recorded it ('' for a project that
    records no such fact, whose cover then shows its edition date only)."""
    from .facts import FACTS_DIR, load_all

    if not any(FACTS_DIR.glob("*.csv")):
        return ""
    facts = load_all()
    return facts.loc["evidence_cutoff", "display"] if "evidence_cutoff" in facts.index else ""


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
    """The brief as an A4 PDF, laid out by WeasyPrint from the brief HTML."""

    export_from_notebook = "Brief (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_file")
    def _template_file_default(self):
        return "index.html.j2"  # the PDF is laid out from the brief's HTML

    def from_notebook_node(self, nb, resources=None, **kw):
        html_text, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(html_text), resources
