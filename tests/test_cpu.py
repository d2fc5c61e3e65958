"""The same bytes on every CPU: numpy's baseline kernels in every interpreter, and SVG ids that do not hash
coordinates (csto_brief.cpu, csto_brief.style). The clean rebuild compared byte for byte with the committed
outputs (tests/test_reliability.py) runs in CI under the default and under the most restricted path."""

import re
import site
import subprocess
import sys

import matplotlib.pyplot as plt
import pytest

from csto_brief import cpu, paths, style


def test_every_interpreter_of_the_environment_runs_numpy_baseline_kernels():
    """A new interpreter (as a kernel, nbval or `make lab` starts one) has the pin before numpy loads."""
    code = "from csto_brief import cpu; import numpy; print(cpu.active_targets())"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]", res.stdout + res.stderr
    assert cpu.active_targets() == []


def test_without_the_pin_drawing_is_refused():
    """An interpreter that skipped the environment's .pth files runs the CPU's own kernels; the house style then
    refuses to draw, naming the variable to set."""
    code = (f"import sys; sys.path[:0] = [{site.getsitepackages()[0]!r}, {str(paths.PACKAGE_DIR.parent)!r}]\n"
            "from csto_brief import cpu\nprint(cpu.active_targets())\ncpu.check()")
    res = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         env={k: v for k, v in __import__("os").environ.items() if k != cpu.ENV})
    if res.stdout.startswith("[]"):
        pytest.skip("this CPU has no numpy kernels beyond the baseline: nothing to pin")
    assert res.returncode != 0
    assert "CPUPathError" in res.stderr and cpu.ENV in res.stderr


def _draw(salt: str, tmp_path, name="fig-test"):
    style.use()
    plt.rcParams["svg.hashsalt"] = salt  # matplotlib's ids hash the salt and the coordinates
    try:
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.set_yscale("log")
        ax.plot([1, 2, 3], [10, 1000, 100], marker="o")
        out = style.save(fig, name, tmp_path / salt)
    finally:
        plt.rcParams["svg.hashsalt"] = style.SVG_SALT
    return out["svg"].read_text(encoding="utf-8")


def test_svg_ids_do_not_depend_on_the_hash_of_coordinates(tmp_path):
    """Two drawings whose matplotlib ids differ (here by the salt; on another CPU by a coordinate's last bit)
    are saved as the same bytes, with ids named after the figure (unique when inlined in one page)."""
    a, b = _draw("one", tmp_path), _draw("two", tmp_path)
    assert a == b
    clip = re.search(r'<clipPath id="(fig-test-p\d+)"', a).group(1)
    assert f"url(#{clip})" in a
    assert not style.HASHED_ID.search(a)


def test_stable_ids_rename_every_reference():
    svg = ('<clipPath id="p0f5306bd5a"/><path id="m1234567890"/><g clip-path="url(#p0f5306bd5a)">'
           '<use xlink:href="#m1234567890"/></g>')
    assert style.stable_svg_ids(svg, "f") == ('<clipPath id="f-p1"/><path id="f-m2"/><g clip-path="url(#f-p1)">'
                                             '<use xlink:href="#f-m2"/></g>')
