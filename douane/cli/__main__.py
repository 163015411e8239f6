"""``python -m douane.cli``: the same as the ``douane`` command."""

from douane.cli.main import app

if __name__ == "__main__":  # the vllm engine spawns processes that re-import this module
    app()
