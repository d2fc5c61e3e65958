"""csto-brief: the logic the notebooks share (paths, data loading and validation,
membership arithmetic, chart style, brief composition, export and the build)."""

__version__ = "0.1.0"
