"""The brief's parameters and the pipeline's declared notebooks, read from ``brief.toml``."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import paths, reads


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class NotebookStage:
    path: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...] = field(default_factory=tuple)
    declared_inputs: tuple[str, ...] = field(default_factory=tuple)  # as written, globs unexpanded
    question: str = ""

    @property
    def name(self) -> str:
        return Path(self.path).stem


# Which part of brief.toml each attribute of BriefConfig comes from (what csto_brief.reads records).
CONFIG_KEYS = {"title": "brief.title", "subtitle": "brief.subtitle", "author": "brief.author",
               "version": "brief.version", "as_of": "brief.as_of", "notebook": "brief.notebook",
               "notebooks": "notebooks", "status_model": "status_model", "likelihood": "likelihood",
               "likelihood_lowest": "likelihood"}


@dataclass(frozen=True)
class BriefConfig:
    title: str
    subtitle: str
    author: str
    version: str
    as_of: dt.date
    notebook: str
    notebooks: tuple[NotebookStage, ...]
    status_model: dict = field(default_factory=dict)
    likelihood: tuple = ()  # ((upper bound in percent, words), ...), ascending
    likelihood_lowest: float = 0.0  # where the first band starts (ICD 203: 1 %)

    def __getattribute__(self, name):
        key = CONFIG_KEYS.get(name)
        if key is not None:
            reads.record_config(key)  # a notebook that uses a parameter re-runs when it changes
        return object.__getattribute__(self, name)


@lru_cache(maxsize=None)
def load(path: Path | None = None) -> BriefConfig:
    path = Path(path or paths.CONFIG_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{paths.rel(path)}: file missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{paths.rel(path)}: not valid TOML ({exc})") from None
    brief = raw.get("brief", {})
    for key in ("title", "subtitle", "author", "version", "as_of", "notebook"):
        if key not in brief:
            raise ConfigError(f"{paths.rel(path)}: [brief] lacks the key '{key}'")
    as_of = brief["as_of"]
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ConfigError(f"{paths.rel(path)}: [brief] as_of '{as_of}' is not a date YYYY-MM-DD") from None
    stages = []
    for i, nb in enumerate(raw.get("notebooks", []), start=1):
        if "path" not in nb or "inputs" not in nb:
            raise ConfigError(f"{paths.rel(path)}: [[notebooks]] entry {i} needs 'path' and 'inputs'")
        stages.append(NotebookStage(nb["path"], _expand(nb["inputs"]), tuple(nb.get("outputs", ())),
                                    tuple(nb["inputs"]), nb.get("question", "")))
    if not any(s.path == brief["notebook"] for s in stages):
        raise ConfigError(f"{paths.rel(path)}: [brief] notebook '{brief['notebook']}' is not among [[notebooks]]")
    status_model, likelihood = _status_model(raw.get("status_model"), path), _likelihood(raw.get("likelihood", {}), path)
    _check_config_inputs(raw, path)
    return BriefConfig(
        title=brief["title"], subtitle=brief["subtitle"], author=brief["author"],
        version=str(brief["version"]), as_of=as_of, notebook=brief["notebook"],
        notebooks=tuple(stages), status_model=status_model, likelihood=likelihood,
        likelihood_lowest=_lowest(raw.get("likelihood", {}), likelihood, path),
    )


def declared_part(spec: str, path: Path | None = None):
    """The value in brief.toml that an input ``brief.toml:<section>[.<key>]`` names (read afresh)."""
    path = Path(path or paths.CONFIG_FILE)
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{paths.rel(path)}: cannot read ({exc})") from None
    for part in spec.removeprefix(reads.CONFIG_PREFIX).split("."):
        if not isinstance(value, dict) or part not in value:
            raise ConfigError(f"{paths.rel(path)}: the input '{spec}' names no part of brief.toml")
        value = value[part]
    return value


def _check_config_inputs(raw: dict, path: Path) -> None:
    for nb in raw.get("notebooks", []):
        for spec in nb.get("inputs", []):
            if not spec.startswith(reads.CONFIG_PREFIX):
                continue
            value = raw
            for part in spec.removeprefix(reads.CONFIG_PREFIX).split("."):
                if not isinstance(value, dict) or part not in value:
                    raise ConfigError(f"{paths.rel(path)}: notebook {nb.get('path')}: the input '{spec}' names no "
                                      f"part of brief.toml (write brief.toml:<section> or brief.toml:<section>.<key>)")
                value = value[part]


def _likelihood(section: dict, path: Path) -> tuple:
    scale = section.get("scale", [])
    try:
        out = tuple((float(b[0]), str(b[1])) for b in scale)
    except (TypeError, ValueError, IndexError):
        raise ConfigError(f"{paths.rel(path)}: [likelihood] scale must be a list of [upper bound, words]") from None
    uppers = [u for u, _ in out]
    if out and (uppers != sorted(uppers) or not 0 < uppers[-1] <= 100):
        raise ConfigError(f"{paths.rel(path)}: [likelihood] scale must ascend and end at 100 or below")
    return out


def _lowest(section: dict, scale: tuple, path: Path) -> float:
    lowest = section.get("lowest", 0)
    if isinstance(lowest, bool) or not isinstance(lowest, (int, float)) or not 0 <= lowest < (scale[0][0] if scale else 100):
        raise ConfigError(f"{paths.rel(path)}: [likelihood] lowest must be a number from 0 below the first upper bound")
    return float(lowest)


def bands(scale=None, lowest: float | None = None) -> list[tuple[float, float, str]]:
    """The likelihood bands as (from, to, words), in percent."""
    if scale is None:
        cfg = load()
        scale, lowest = cfg.likelihood, cfg.likelihood_lowest if lowest is None else lowest
    lowest = 0.0 if lowest is None else lowest
    starts = [lowest] + [u for u, _ in scale[:-1]]
    return [(lo, u, words) for lo, (u, words) in zip(starts, scale)]


def likelihood_band(p_low: float, p_high: float, scale=None, lowest: float | None = None):
    """The band (from, to, words) that holds the whole range [p_low, p_high], or None when it crosses a band
    edge (ICD 203 bands share their edges: 5 % is in 'almost no chance' and in 'very unlikely')."""
    for lo, hi, words in bands(scale, lowest):
        if lo <= float(p_low) and float(p_high) <= hi:
            return lo, hi, words
    return None


def likelihood_words(p_low: float, p_high: float, scale=None, lowest: float | None = None) -> str:
    """The likelihood words for a probability range (percent): those of the one band that holds it."""
    band = likelihood_band(p_low, p_high, scale, lowest)
    if band is None:
        raise ValueError(f"the range {p_low:g}–{p_high:g}% crosses the edge of a likelihood band "
                         f"({', '.join(f'{lo:g}–{hi:g}' for lo, hi, _ in bands(scale, lowest))}); narrow it to one band")
    return band[2]


def _expand(patterns: list[str]) -> tuple[str, ...]:
    """Inputs may be glob patterns (e.g. data/raw/**/*.meta.yml), expanded against the repository."""
    out: list[str] = []
    for p in patterns:
        if any(ch in p for ch in "*?["):
            out.extend(sorted(q.relative_to(paths.PROJ_ROOT).as_posix() for q in paths.PROJ_ROOT.glob(p) if q.is_file()))
        else:
            out.append(p)
    return tuple(dict.fromkeys(out))


def _status_model(sm: dict | None, path: Path) -> dict:
    """[status_model]: draws and seed of the sensitivity analysis; bands of words for the index.
    Each problem names the file, the key and the rule, e.g.
    ``brief.toml, [status_model], key 'draws': value 0 is below the minimum 1 [rule: range]``."""
    shown = paths.rel(path)
    if not isinstance(sm, dict):
        raise ConfigError(f"{shown}: the table [status_model] (draws, seed, bands) is missing [rule: required]")

    def fail(key: str, message: str, rule: str):
        raise ConfigError(f"{shown}, [status_model], key '{key}': {message} [rule: {rule}]")

    for key in ("draws", "seed", "bands"):
        if key not in sm:
            fail(key, "is missing", "required")
    for key in sorted(set(sm) - {"draws", "seed", "bands", "gate_cap"}):
        fail(key, "unexpected key; expected only: draws, seed, bands, gate_cap", "unknown-key")
    for key, lowest, highest in (("draws", 1, 1_000_000), ("seed", 0, 2**63 - 1)):
        v = sm[key]
        if isinstance(v, bool) or not isinstance(v, int):
            fail(key, f"value {v!r} is not a whole number", "type")
        if v < lowest:
            fail(key, f"value {v} is below the minimum {lowest}", "range")
        if v > highest:
            fail(key, f"value {v} is above the maximum {highest}", "range")
    bands = sm["bands"]
    if not isinstance(bands, list) or not bands:
        fail("bands", "must be a non-empty list of [upper bound, words] pairs", "type")
    out = []
    for i, b in enumerate(bands, start=1):
        if (not isinstance(b, list) or len(b) != 2 or isinstance(b[0], bool) or not isinstance(b[0], (int, float))
                or not isinstance(b[1], str) or not b[1].strip()):
            fail("bands", f"band {i} is {b!r}; expected [upper bound (a number), words (text)]", "type")
        if not 0 < b[0] <= 1000:
            fail("bands", f"band {i} has the upper bound {b[0]}; the index runs from 0 to 100", "range")
        out.append((float(b[0]), str(b[1])))
    uppers = [b[0] for b in out]
    if any(hi <= lo for lo, hi in zip(uppers, uppers[1:])):
        fail("bands", f"upper bounds {', '.join(f'{u:g}' for u in uppers)} must rise strictly", "order")
    if uppers[-1] < 100:
        fail("bands", f"the last band ends at {uppers[-1]:g}, below the top of the index (100)", "range")
    cap = sm.get("gate_cap", 20)
    if isinstance(cap, bool) or not isinstance(cap, (int, float)):
        fail("gate_cap", f"value {cap!r} is not a number", "type")
    if not 0 <= cap <= 100:
        fail("gate_cap", f"value {cap} is outside the index's range 0 to 100", "range")
    return {"draws": sm["draws"], "seed": sm["seed"], "bands": out, "gate_cap": float(cap)}
