"""The HTML brief carries its own fonts, so a browser shows it in the brief's faces on any machine.

The PDF takes Source Sans Pro and Source Serif Pro from the installed font files (``export.font_css``).
A browser has no such files, so the HTML embeds the faces the brief uses as WOFF2 data: URIs,
subset to the characters the brief uses (about 20 kB a face instead of 250 kB). The rules sit in
``@media screen``: WeasyPrint lays the PDF out for print and skips them, so the PDF is the same with or
without them. Subsetting and compression are deterministic (no timestamps), so the HTML stays
byte-identical between builds.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import io
import os
import re
from functools import lru_cache
from pathlib import Path

from . import paths
from .glyphs import families

MARK = "csto-brief-fonts"  # the id of the <style> element that holds the embedded fonts


def text_of(html_text: str) -> str:
    """The characters a reader can see: the text between tags (entities decoded, data: URIs and scripts
    left out), the strings of CSS ``content`` and printable ASCII (for page furniture and hyphens)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html_text, flags=re.S | re.I)
    body = re.sub(r"<[^>]*>", " ", body)
    strings = re.findall(r'content:\s*"([^"]*)"', html_text)
    return html_lib.unescape(body) + "".join(strings) + "".join(chr(c) for c in range(0x20, 0x7F))


CACHE_ENV = "CSTO_BRIEF_FONT_CACHE"


def cache_dir() -> Path:
    """Where subset fonts are kept: build/webfonts/, or the directory ``CSTO_BRIEF_FONT_CACHE`` names (the tests
    point every copy of the repository at the checkout's, since a subset depends only on its key)."""
    return Path(os.environ.get(CACHE_ENV) or paths.BUILD_DIR / "webfonts")


@lru_cache(maxsize=64)
def woff2_subset(path: Path, chars: str) -> bytes:
    """``path`` subset to ``chars`` (with the layout features the brief can use), as WOFF2, deterministically. Subsetting
    takes about a quarter of a second a face, so results are kept (cache_dir()), keyed by their inputs."""
    import fontTools

    how = f"{fontTools.version} features={','.join(SCREEN_FEATURES)} hinting=no"  # what _subset does, in the key
    key = hashlib.sha256(path.read_bytes() + chars.encode("utf-8") + how.encode()).hexdigest()
    cached = cache_dir() / f"{key}.woff2"
    if cached.exists():
        return cached.read_bytes()
    data = _subset(path, chars)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, cached)
    return data


SCREEN_FEATURES = ("smcp", "c2sc", "onum", "lnum", "tnum", "pnum", "case", "sups", "subs", "ordn")


def _subset(path: Path, chars: str) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    # fontTools' default features (kerning, ligatures, marks, ...) and the small capitals and figure styles the
    # CSS may ask for; keeping every feature ("*") made each face a fifth larger and slower to subset.
    options.layout_features = [*options.layout_features, *SCREEN_FEATURES]
    options.hinting = False  # browsers lay out screen text from the outlines; hints are a third of the bytes
    options.recalc_timestamp = False
    options.notdef_outline = True
    font = subset.load_font(str(path), options, dontLoadGlyphNames=True)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted({ord(c) for c in chars}))
    sub.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


# The faces the brief's CSS sets text in: regular and italic, semibold (headings, table heads) and bold.
# A browser draws any other combination (a semibold italic, say) from these, never from a system font.
SCREEN_FACES = ((400, "normal"), (400, "italic"), (600, "normal"), (700, "normal"))


def font_face_css(chars: str) -> str:
    """@font-face rules of the brief's faces, each a WOFF2 data: URI subset to ``chars``."""
    chars = "".join(sorted(set(chars)))
    rules = []
    for family, faces in families().items():
        for (weight, style) in SCREEN_FACES:
            path = faces[(weight, style)]
            data = base64.b64encode(woff2_subset(path, chars)).decode("ascii")
            rules.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; font-style: {style}; "
                         f"font-display: block; src: url(data:font/woff2;base64,{data}) format('woff2'); }}")
    return "\n".join(rules)


def embed_fonts(html_text: str) -> str:
    """The HTML with the brief's fonts embedded for screens, in one <style> before </head>."""
    if f'id="{MARK}"' in html_text:
        return html_text
    css = font_face_css(text_of(html_text))
    return html_text.replace("</head>", f'<style id="{MARK}">\n@media screen {{\n{css}\n}}\n</style>\n</head>', 1)

