"""Progress of long CLI work (import, export) on standard error.

On a terminal each stage gets a tqdm bar; otherwise (a pipe, a log file, CI) one
plain line per stage says what is being done and how many items there are.
The work itself only calls ``progress(stage, done, total)``; stage names are keys
under ``cli.progress`` in the templates.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from tqdm import tqdm

from bot.i18n import t


class CliProgress:
    def __init__(self, lang: str, stream: TextIO | None = None):
        self.lang = lang
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.stage: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            if total == 0:
                return
            label = t(self.lang, f"cli.progress.{stage}")
            if self.terminal:
                self.bar = tqdm(total=total, desc=label, file=self.stream, leave=True, **self._size())
            else:
                print(t(self.lang, "cli.progress.line", stage=label, total=total), file=self.stream, flush=True)
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def _size(self) -> dict[str, int]:
        """Nothing: tqdm follows the terminal.  A terminal that reports no size (some
        pseudo-terminals) would get no bar at all: then 80 by 24."""
        try:
            if os.get_terminal_size(self.stream.fileno()).columns:
                return {}
        except (OSError, ValueError, AttributeError):
            pass
        return {"ncols": 80, "nrows": 24}

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> "CliProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
