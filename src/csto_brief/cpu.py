"""The same bytes on every CPU: numpy held to the code path every machine of an architecture has.

numpy picks, at import, the fastest kernels the CPU offers (on x86-64: AVX2/FMA, AVX-512, ...). Some of
them differ from the baseline kernels in the last bit of a result: float64 ``log`` and ``exp`` on AVX-512,
for example. matplotlib's log axes run through them, and one bit moves a clip path's id in an SVG or one
antialiased pixel in a PNG; so the same build gave other bytes on a CPU without AVX-512. The project
therefore switches numpy's dispatched kernels off (``NPY_DISABLE_CPU_FEATURES``) in every interpreter of
its environment, before numpy is imported: ``make env`` writes a ``.pth`` file into ``.venv`` that sets
the variable at start-up (``python -m csto_brief.cpu install``), so the build, its kernels, nbval,
``make lab`` and ``jupyter nbconvert`` by hand all run the baseline kernels. The data are small; the cost
is not measurable in ``make bench``.

:func:`check` fails loudly where the pin is missing (an environment made another way), naming the
variable and its value. Checked by hand on an AVX-512 machine (see the README): builds under numpy's
default dispatch, its baseline, glibc's generic (non-FMA, non-AVX) maths routines and OpenBLAS's oldest
kernels give the same bytes once the pin is in place; CI repeats the clean build under the most
restricted path (``.ci/run``).

This module imports nothing heavy: the ``.pth`` line runs it at every interpreter start.
"""

from __future__ import annotations

import os
import sys

ENV = "NPY_DISABLE_CPU_FEATURES"
# numpy's dispatch targets above its baseline, by machine architecture (numpy 2.4's wheels; for another
# numpy, `python -c "import numpy._core._multiarray_umath as m; print(m.__cpu_dispatch__)"` lists them).
DISPATCH_OFF = {
    "x86_64": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
    "aarch64": "ASIMDHP ASIMDDP ASIMDFHM SVE",
    "arm64": "ASIMDHP ASIMDDP ASIMDFHM SVE",
}
PTH_NAME = "csto_brief_cpu.pth"


class CPUPathError(RuntimeError):
    pass


def pinned_value(machine: str | None = None) -> str:
    return DISPATCH_OFF.get(machine or os.uname().machine, "")


def pin(environ=None) -> None:
    """Set the variable (in ``os.environ`` by default). Run before numpy is imported; the ``.pth`` file does."""
    environ = os.environ if environ is None else environ
    value = pinned_value()
    if value:
        environ[ENV] = value


def active_targets() -> list[str]:
    """numpy's dispatch targets that this process uses (empty when the pin holds)."""
    from numpy._core import _multiarray_umath as m

    return [t for t in m.__cpu_dispatch__ if m.__cpu_features__.get(t)]


def check() -> None:
    """Raise CPUPathError when numpy runs kernels that another CPU would not run."""
    active = active_targets()
    if active:
        want = pinned_value() or " ".join(active)
        raise CPUPathError(
            f"numpy is using its {', '.join(active)} kernels, whose last bits differ from other CPUs', so figures "
            f"would differ by machine. Set {ENV}=\"{want}\" before Python starts (`make env` does it for .venv; "
            f"conda: environment.yml sets it)" + ("" if "numpy" not in sys.modules or os.environ.get(ENV) == want
                                                  else f"; it is now {os.environ.get(ENV)!r}"))


def pth_line() -> str:
    """The line of the ``.pth`` file: Python runs a line that starts with ``import`` at start-up."""
    return f"import os; os.environ[{ENV!r}] = {pinned_value()!r}\n"


def install(site_dir: str | None = None) -> str:
    """Write the ``.pth`` file that pins numpy's kernels into the environment's site-packages."""
    import site
    from pathlib import Path

    target = Path(site_dir or site.getsitepackages()[0]) / PTH_NAME
    target.write_text("# csto-brief: numpy's baseline kernels, for the same bytes on every CPU (csto_brief.cpu)\n"
                      + pth_line(), encoding="utf-8")
    return str(target)


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        raise SystemExit("usage: python -m csto_brief.cpu install")
    print(f"pinned numpy's kernels to the baseline ({ENV}={pinned_value()!r}) in {install()}")
