"""Every character of the brief comes from the fonts the project installs, never from a system font."""

import pypdf
import pytest

from csto_brief import export, glyphs, paths


def page(body: str, family: str = "Source Sans Pro") -> str:
    return (f"<!DOCTYPE html><html><head><style>html {{ font-family: '{family}'; }}</style></head>"
            f"<body>{body}</body></html>")


def test_a_character_missing_from_the_fonts_is_named_with_where_it_occurs():
    with pytest.raises(glyphs.GlyphError) as err:
        glyphs.check_text("a hyphen\u2010like break", "Source Sans Pro")
    assert str(err.value) == "U+2010 HYPHEN is not in Source Sans Pro; 'a hyphen\u2010like break'"
    glyphs.check_text("a hyphen\u2010like break", "Source Serif Pro")  # the serif has it


def test_another_face_of_the_family_supplies_a_character():
    # Cyrillic is in the upright faces only; Pango sets italic Cyrillic from them (a synthetic oblique)
    assert all(0x0416 not in glyphs.cmap(p) for (w, st), p in glyphs.families()["Source Serif Pro"].items()
               if st == "italic")
    glyphs.check_text("Посол России в Индии", "Source Serif Pro")


def test_the_export_stops_on_a_character_that_would_come_from_a_system_font():
    with pytest.raises(glyphs.GlyphError) as err:
        export.html_to_pdf(page("<p>The CSTO (\u96c6\u4f53\u5b89\u5168\u6761\u7ea6\u7ec4\u7ec7) met.</p>"))
    msg = str(err.value)
    assert "U+96C6 CJK UNIFIED IDEOGRAPH-96C6 is not in Source Sans Pro; page 1: 'The CSTO (\u96c6" in msg
    assert "would come from a system font" in msg


def test_text_in_a_font_the_brief_does_not_ship_is_refused():
    with pytest.raises(glyphs.GlyphError, match=r"font-family monospace \(not a font of the brief\); page 1: 'x = 1'"):
        export.html_to_pdf(page("<p>Code: <code style=\"font-family: monospace\">x = 1</code></p>"))


def test_hyphenation_uses_a_glyph_of_the_fonts():
    """Automatic hyphens (U+2010 by default, absent from Source Sans Pro) are set as hyphen-minus."""
    words = " ".join(["internationalisation counterproductive incomprehensibility"] * 30)
    html = page(f"<p lang=\"en\" style=\"hyphens: auto; width: 6em; hyphenate-character: '-'\">{words}</p>")
    export.html_to_pdf(html)
    css = (paths.TEMPLATES_DIR / "brief" / "brief.css").read_text(encoding="utf-8")
    assert 'html { hyphenate-character: "-"; }' in css
    with pytest.raises(glyphs.GlyphError, match=r"U\+2010 HYPHEN is not in Source Sans Pro; page 1: .\w+\u2010"):
        export.html_to_pdf(html.replace(" hyphenate-character: '-'", ""))


def test_the_committed_pdf_embeds_only_the_brief_fonts():
    """So the PDF is the same with or without extra system fonts (e.g. those Chromium installs)."""
    reader = pypdf.PdfReader(paths.REPORT_DIR / "brief.pdf")
    fonts = {f.get_object()["/BaseFont"].split("+", 1)[-1] for pg in reader.pages
             for f in (pg["/Resources"].get("/Font") or {}).values()}
    assert fonts and all(f.startswith(("Source-Sans-Pro", "Source-Serif-Pro")) for f in fonts), fonts


def test_the_html_carries_subsets_of_the_brief_fonts_for_screens_only():
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from csto_brief import webfonts

    html = (paths.REPORT_DIR / "brief.html").read_text(encoding="utf-8")
    block = re.search(r'<style id="csto-brief-fonts">\n@media screen \{\n(.*?)\n\}\n</style>', html, re.S)
    assert block, "report/brief.html lacks its embedded fonts"
    rules = re.findall(r"font-family: '([^']+)'; font-weight: (\d+); font-style: (\w+); font-display: block; "
                       r"src: url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", block.group(1))
    assert {(f, int(w), s) for f, w, s, _ in rules} == {(f, w, s) for f in glyphs.families()
                                                         for w, s in webfonts.SCREEN_FACES}
    text = {ord(c) for c in webfonts.text_of(html)}
    for family, weight, style, data in rules:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        original = glyphs.cmap(glyphs.families()[family][(int(weight), style)])
        assert (text & original) <= set(font.getBestCmap()), (family, weight, style)
    # the same input gives the same bytes
    assert webfonts.embed_fonts(html) == html
    webfonts.woff2_subset.cache_clear()
    assert webfonts.embed_fonts(html.replace(block.group(0) + "\n", "", 1)) == html
