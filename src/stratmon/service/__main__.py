"""``python -m stratmon.service``: the same as ``stratmon serve``."""

from __future__ import annotations

import typer

from stratmon.cli_service import serve

if __name__ == "__main__":
    typer.run(serve)
