"""csto-brief: the logic the notebooks share (paths, data loading and validation,
membership arithmetic, chart style, brief composition, export and the build)."""

from . import reads  # noqa: F401  (records what the process reads: csto_brief.reads)

__version__ = "0.1.0"
