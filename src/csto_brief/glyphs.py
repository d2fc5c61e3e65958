"""Every glyph of the brief comes from the fonts the project installs.

WeasyPrint (Pango) takes a character that the brief's font lacks from whatever system font has it, so
the PDF would change with the fonts of the machine (installing Chromium pulls in Liberation, for one).
Before the PDF is written, the laid-out document is walked: each piece of text must have every character
in the character maps of its font family as registered by ``export.font_css()`` (Source Sans Pro or
Source Serif Pro: regular, semibold and bold, upright and italic). A character that would fall back to a
system font stops the export, named with its code point, its Unicode name, the family and a snippet of
where it occurs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The faces registered for the PDF (export.font_css): file style name -> (CSS weight, CSS style).
FACE_STYLES = {"Regular": (400, "normal"), "It": (400, "italic"), "Semibold": (600, "normal"),
               "SemiboldIt": (600, "italic"), "Bold": (700, "normal"), "BoldIt": (700, "italic")}
# Characters that are not drawn with a glyph of the font: controls and format characters (soft hyphen,
# zero-width space and joiners), line and paragraph separators.
UNDRAWN = ("Cc", "Cf", "Zl", "Zp")


class GlyphError(ValueError):
    """A character of the brief is missing from the font that sets it."""


@dataclass(frozen=True)
class Missing:
    char: str
    family: str
    snippet: str
    page: int | None = None

    def __str__(self) -> str:
        where = f"page {self.page}: " if self.page is not None else ""
        return (f"U+{ord(self.char):04X} {unicodedata.name(self.char, '(unnamed)')} is not in {self.family}; "
                f"{where}{self.snippet!r}")


@lru_cache(maxsize=1)
def families() -> dict[str, dict[tuple[int, str], Path]]:
    """The brief's font families and their faces: {family: {(weight, style): file}} (found once per process)."""
    from .style import font_files, serif_font_files

    out: dict[str, dict[tuple[int, str], Path]] = {}
    for family, files in (("Source Sans Pro", font_files()), ("Source Serif Pro", serif_font_files())):
        faces = {}
        for f in files:
            name = f.stem.split("-", 1)[1]
            if name in FACE_STYLES:
                faces[FACE_STYLES[name]] = f
        out[family] = faces
    return out


@lru_cache(maxsize=None)
def cmap(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


@lru_cache(maxsize=None)
def family_cmap(family: str) -> frozenset[int]:
    """The code points some registered face of a family has: Pango takes a character the selected face
    lacks from another face of the same family (a synthetic oblique of the upright face for Cyrillic in
    italics, for one) before it looks at system fonts."""
    return frozenset().union(*(cmap(p) for p in families()[family].values()))


def missing(text: str, family: str = "Source Serif Pro", page: int | None = None) -> list[Missing]:
    """The characters of ``text`` that no face of ``family`` has (each once), with a snippet around each."""
    have = family_cmap(family)
    out, seen = [], set()
    for i, ch in enumerate(text):
        if ch in seen or ord(ch) in have or unicodedata.category(ch) in UNDRAWN:
            continue
        seen.add(ch)
        out.append(Missing(ch, family, text[max(0, i - 30): i + 30].strip(), page))
    return out


def _family(style) -> str | None:
    """The first of a box's font families that the brief ships (None: the box asks for none of them)."""
    ours = families()
    for name in style["font_family"]:
        if name in ours:
            return name
    return None


def document_problems(document) -> list[Missing]:
    """Characters of a laid-out WeasyPrint document that its fonts would not supply."""
    from weasyprint.formatting_structure.boxes import TextBox

    out: list[Missing] = []
    seen: set[tuple[str, str]] = set()
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if not isinstance(box, TextBox) or not box.text:
                continue
            family = _family(box.style)
            if family is None:
                if box.text.strip():
                    out.append(Missing(box.text.strip()[0], f"font-family {', '.join(box.style['font_family'])} "
                                                            "(not a font of the brief)", box.text.strip()[:60], number))
                continue
            for m in missing(box.text, family, number):
                if (m.char, m.family) not in seen:
                    seen.add((m.char, m.family))
                    out.append(m)
    return out


def check_document(document) -> None:
    """Raise GlyphError naming every character that would come from a system font."""
    problems = document_problems(document)
    if problems:
        lines = "\n  ".join(str(p) for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise GlyphError(f"{len(problems)} character(s) of the brief are not in its fonts and would come from "
                         f"a system font (the PDF would differ between machines):\n  {lines}{more}")


def check_text(text: str, family: str = "Source Serif Pro") -> None:
    """Raise GlyphError if the brief's fonts of ``family`` lack a character of ``text``."""
    problems = missing(text, family)
    if problems:
        raise GlyphError("; ".join(str(p) for p in problems))
