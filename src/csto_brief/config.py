"""The brief's parameters and the pipeline's declared notebooks, read from ``brief.toml``."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import paths


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
    return BriefConfig(
        title=brief["title"], subtitle=brief["subtitle"], author=brief["author"],
        version=str(brief["version"]), as_of=as_of, notebook=brief["notebook"],
        notebooks=tuple(stages), status_model=_status_model(raw.get("status_model", {}), path),
        likelihood=_likelihood(raw.get("likelihood", {}), path),
    )


def _likelihood(section: dict, path: Path) -> tuple:
    scale = section.get("scale", [])
    try:
        out = tuple((float(b[0]), str(b[1])) for b in scale)
    except (TypeError, ValueError, IndexError):
        raise ConfigError(f"{paths.rel(path)}: [likelihood] scale must be a list of [upper bound, words]") from None
    uppers = [u for u, _ in out]
    if out and (uppers != sorted(uppers) or uppers[-1] != 100):
        raise ConfigError(f"{paths.rel(path)}: [likelihood] scale must ascend and end at 100")
    return out


def likelihood_words(p_low: float, p_high: float, scale=None) -> str:
    """The likelihood words for a probability range (percent), by its midpoint."""
    scale = scale or load().likelihood
    mid = (float(p_low) + float(p_high)) / 2
    for upper, words in scale:
        if mid <= upper:
            return words
    return scale[-1][1]


def _expand(patterns: list[str]) -> tuple[str, ...]:
    """Inputs may be glob patterns (e.g. data/raw/**/*.meta.yml), expanded against the repository."""
    out: list[str] = []
    for p in patterns:
        if any(ch in p for ch in "*?["):
            out.extend(sorted(q.relative_to(paths.PROJ_ROOT).as_posix() for q in paths.PROJ_ROOT.glob(p) if q.is_file()))
        else:
            out.append(p)
    return tuple(dict.fromkeys(out))


def _status_model(sm: dict, path: Path) -> dict:
    """[status_model]: draws and seed of the sensitivity analysis; bands of words for the index."""
    if not sm:
        return {}
    for key in ("draws", "seed", "bands"):
        if key not in sm:
            raise ConfigError(f"{paths.rel(path)}: [status_model] lacks the key '{key}'")
    bands = [(float(b[0]), str(b[1])) for b in sm["bands"]]
    if [b[0] for b in bands] != sorted(b[0] for b in bands):
        raise ConfigError(f"{paths.rel(path)}: [status_model] bands must be in ascending order of their upper bound")
    draws = sm["draws"]
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ConfigError(f"{paths.rel(path)}: [status_model] draws must be a whole number of at least 1, not {draws!r}")
    cap = sm.get("gate_cap", 20)
    if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not 0 <= cap <= 100:
        raise ConfigError(f"{paths.rel(path)}: [status_model] gate_cap must be a number from 0 to 100, not {cap!r}")
    return {"draws": int(draws), "seed": int(sm["seed"]), "bands": bands, "gate_cap": float(cap)}
