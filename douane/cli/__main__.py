"""``python -m douane.cli``: the same as the ``douane`` command."""

from douane.cli.main import app

app()
