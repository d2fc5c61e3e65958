"""Collection rules for the whole repository (pytest reads this before tests/ and notebooks/).

Jupyter leaves copies and checkpoints beside notebooks (``jupyter nbconvert --to notebook`` writes
``*.nbconvert.ipynb``; editors write ``.ipynb_checkpoints/*-checkpoint.ipynb``). They are not part of the
project: nbval must not execute them and git ignores them (.gitignore).
"""

collect_ignore_glob = ["*.nbconvert.*", "*-checkpoint.ipynb", "*/.ipynb_checkpoints/*"]
