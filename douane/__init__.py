"""Douane's thin shared shell: the wire contract, settings and the ``douane`` CLI.

Component logic lives in ``collector``, ``rules``, ``stream``, ``reports`` and
``inference``; this package only holds what every one of them shares.
"""

__version__ = "0.1.0"
