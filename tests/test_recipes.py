"""The README's recipes for extending the analysis, run as a user runs them, in a copy of the repository.

(Another candidate is in tests/test_render.py; the change log a moved number needs, in tests/test_editions.py.)"""

import json
import os
import subprocess
import sys

from csto_brief import paths, pipeline


def _status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=paths.PROJ_ROOT, capture_output=True,
                          text=True).stdout


def test_another_border_from_loading_the_layer_to_a_number_in_the_brief(tmp_path):
    """Measure Turkmenistan-Afghanistan on the DCW layer in notebook 02, record it as a fact, place it in the text:
    the brief says it, at a plausible length (the layer's own tolerance), and the checkout is untouched."""
    before = _status()
    root = pipeline.copy_repo(tmp_path / "repo")
    nb_path = root / "notebooks/02-map-and-measure-borders.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and "F.save()" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("F.save()", (
        'F.add("tkm_afg_km", geo.border_length_km(geo.load("dcw_countries"), "TKM", "AFG"), unit="km", digits=0,\n'
        '      derived_from="data/raw/geo/dcw_countries.geojson")\nF.save()'), 1)
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = root / "report/text/03-southern-flank.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nTurkmenistan's border with Afghanistan measures "
                    "{{ f.tkm_afg_km }} km on the same map.\n", encoding="utf-8")
    code = ("from csto_brief import config, pipeline, render; import re, html;"
            "s = next(s for s in config.load().notebooks if s.path.startswith('notebooks/02'));"
            "pipeline.execute_notebook(s); b = render.render(notebook=True);"
            "print(html.unescape(re.sub(r'<[^>]+>', '', ' '.join(b.section_html(x) for x in b.sections))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env={**os.environ, "CSTO_BRIEF_ROOT": str(root)},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    said = " ".join(out.stdout.split())
    km = int(said.split("Turkmenistan's border with Afghanistan measures ")[1].split(" km")[0].replace(",", ""))
    assert 700 < km < 810  # published figures: 744-804 km; the default tolerance once gave 93 km
    assert _status() == before
