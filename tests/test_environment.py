"""environment.yml (conda) and requirements.lock (pip) must pin the same versions."""

import re

import yaml

from csto_brief import paths


def lock():
    out = {}
    for line in (paths.PROJ_ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            out[re.sub(r"[-_.]+", "-", name.lower())] = version
    return out


def test_environment_yml_agrees_with_lock():
    env = yaml.safe_load((paths.PROJ_ROOT / "environment.yml").read_text())
    locked = lock()
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            pins[name] = version
        elif isinstance(dep, dict):
            for p in dep["pip"]:
                if "==" in p:
                    name, version = p.split("==")
                    pins[name] = version
    assert len(pins) >= 18
    disagree = {n: (v, locked.get(re.sub(r"[-_.]+", "-", n.lower()))) for n, v in pins.items()
                if locked.get(re.sub(r"[-_.]+", "-", n.lower())) != v}
    assert disagree == {}, f"environment.yml vs requirements.lock (yml, lock): {disagree}"


def test_required_tools_are_locked():
    for name in ("jupyter", "pandas", "geopandas", "matplotlib", "nbconvert", "pytest", "nbval", "weasyprint"):
        assert name in lock()


def test_environment_yml_pins_numpy_kernels_like_the_venv():
    """conda users get the same numpy kernels as .venv (csto_brief.cpu), so the same bytes."""
    from csto_brief import cpu

    env = yaml.safe_load((paths.PROJ_ROOT / "environment.yml").read_text())
    assert env["variables"][cpu.ENV] == cpu.DISPATCH_OFF["x86_64"]
