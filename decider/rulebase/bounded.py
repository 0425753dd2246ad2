"""Reading input in bounded memory: whole files up to a size, and lines up to a length.

`decider decide /dev/zero` once grew to 24 GB; every reader of user input goes through here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, AnyStr

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
"""An answers file, a rulebase file, a saved interview or a trace: far larger than any real one."""


class TooLarge(Exception):
    """The input is larger than the limit it was read with."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {size_text(limit)}; refusing to read it")
        self.limit = limit


def size_text(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"


def read_bytes(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The file's bytes, reading at most `limit` + 1 (so a device or a huge file is refused, not swallowed)."""
    with open(path, "rb") as handle:
        return read_stream(handle, limit)


def read_stream(handle: IO[bytes], limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def bounded_lines(handle: IO[AnyStr], limit: int) -> Iterator[AnyStr | None]:
    """Each line of `handle`, or None for a line longer than `limit` (its rest is skipped in pieces)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        newline = "\n" if isinstance(line, str) else b"\n"
        if len(line) <= limit or line.endswith(newline):
            yield line
            continue
        while line and not line.endswith(newline):
            line = handle.readline(limit)
        yield None
