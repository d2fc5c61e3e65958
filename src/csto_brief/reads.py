"""What a notebook actually reads, recorded as it reads it.

``brief.toml`` declares each notebook's inputs, and the build re-runs a notebook when one of them changes.
A declaration typed by hand drifts from the code; so the reads are recorded, and the build compares:

* every file a notebook opens for reading under ``data/``, ``figures/`` or ``report/`` is recorded by a
  Python audit hook (``open`` events: pandas, pathlib, ``open()``, the provenance records), and by an
  explicit :func:`record` where a C library opens the file (the geodata layers, read by GDAL);
* ``brief.toml`` is recorded by the key a notebook uses, e.g. ``brief.toml:likelihood`` or
  ``brief.toml:brief.as_of`` (``csto_brief.config`` records each parameter as it is read), so editing the
  title re-runs only what shows the title;
* reading for validation (every raw file, checked before use) is not a read of the analysis: it runs
  inside :func:`paused`.

In a build, the driver gives each kernel a directory (``CSTO_BRIEF_READS_DIR``); the kernel appends each
new read to ``<dir>/<pid>.txt``, and the driver checks the record against the declaration once the notebook
has run: an undeclared read, or a declared input never read, stops the build naming notebook and file
(``csto_brief.pipeline``). A fact's ``derived_from`` must name files the notebook read (``csto_brief.facts``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

from . import paths

ENV_DIR = "CSTO_BRIEF_READS_DIR"
ENV_OWNER = "CSTO_BRIEF_READS_OWNER"  # the build driver's process id: it reads outputs, and records nothing
CONFIG_PREFIX = "brief.toml:"
# What counts as an input: data, figures, the brief's text (relative to the root).
WATCHED = ("data/", "figures/", "report/")

_reads: dict[str, None] = {}  # in order of first read
_written: dict[str, None] = {}
_state = threading.local()
_sink = None
_installed = False


def _paused() -> bool:
    return getattr(_state, "paused", 0) > 0


@contextlib.contextmanager
def paused():
    """Reads inside the block are not recorded (validation reads everything; the analysis does not)."""
    _state.paused = getattr(_state, "paused", 0) + 1
    try:
        yield
    finally:
        _state.paused -= 1


def _key(path) -> str | None:
    try:
        p = os.path.abspath(os.fsdecode(path))
    except (TypeError, ValueError):
        return None
    root = str(paths.PROJ_ROOT)
    if not p.startswith(root + os.sep):
        return None
    rel = p[len(root) + 1:].replace(os.sep, "/")
    if not rel.startswith(WATCHED) or "/." in "/" + rel or rel.endswith((".tmp", ".lock")):
        return None
    return rel


def _open_sink():
    """The record file of this process in a build (created at once, so an empty record exists too)."""
    global _sink
    directory = os.environ.get(ENV_DIR)
    if _sink is None and directory and os.environ.get(ENV_OWNER) != str(os.getpid()):
        _state.paused = getattr(_state, "paused", 0) + 1  # the record's own file is not a read
        try:
            _sink = open(os.path.join(directory, f"{os.getpid()}.txt"), "a", encoding="utf-8")
        except OSError:
            pass
        finally:
            _state.paused -= 1
    return _sink


def _emit(key: str) -> None:
    sink = _open_sink()
    if sink is not None:
        sink.write(key + "\n")
        sink.flush()


def record(path_or_key, *, key: bool = False) -> None:
    """Record a read: a path (kept if it lies under data/, figures/ or report/), or a key as it is."""
    if _paused():
        return
    k = str(path_or_key) if key else _key(path_or_key)
    if k is None or k in _reads:
        return
    _reads[k] = None
    _emit(k)


def record_config(name: str) -> None:
    """Record a read of brief.toml's parameter ``name`` ('likelihood', 'brief.as_of', ...)."""
    record(CONFIG_PREFIX + name, key=True)


def _hook(event: str, args) -> None:
    if event != "open" or _paused():
        return
    path, mode, flags = (tuple(args) + (None, None, None))[:3]
    if isinstance(path, int) or path is None:
        return
    if mode is not None:
        writing = any(ch in str(mode) for ch in "wax+")
    else:
        writing = bool((flags or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    k = _key(path)
    if k is None:
        return
    if writing:
        _written[k] = None
    elif k not in _reads:
        if os.path.isdir(os.fsdecode(path)):
            return
        _reads[k] = None
        _emit(k)


def install() -> None:
    """Start recording (once per process; audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
        _open_sink()


def recorded() -> list[str]:
    """What this process has read so far, in order."""
    return list(_reads)


def written() -> list[str]:
    return list(_written)


def read_record(directory, pid: int) -> list[str] | None:
    """The reads a kernel (process ``pid``) recorded in a build's directory; None if it kept no record (it
    never imported csto_brief)."""
    f = os.path.join(os.fspath(directory), f"{pid}.txt")
    try:
        with open(f, encoding="utf-8") as fh:
            return list(dict.fromkeys(line.strip() for line in fh if line.strip()))
    except FileNotFoundError:
        return None


def covers(declared: str, read: str) -> bool:
    """Whether a declared input covers a recorded read (``brief.toml`` covers every key of it,
    ``brief.toml:brief`` covers ``brief.toml:brief.as_of``)."""
    if declared == read:
        return True
    if read.startswith(CONFIG_PREFIX):
        if declared == "brief.toml":
            return True
        return declared.startswith(CONFIG_PREFIX) and read.startswith(declared + ".")
    return False


install()
