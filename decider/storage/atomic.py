"""Writing files atomically (a temp file renamed over the target), so a crash never leaves half a file."""

from __future__ import annotations

import os
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from decider.errors import DeciderError, Problem


def write_atomic(path: Path, text: str) -> None:
    """Write a file atomically (temp file + rename), so a crash never leaves half a file."""
    with open_atomic(path) as handle:
        handle.write(text)


@contextmanager
def open_atomic(path: Path) -> Iterator[IO[str]]:
    """A text file to write in steps that appears at `path` only when complete (temp file + fsync + rename).

    `-` is standard output. A symlink is followed: its target is what gets replaced. What is not a
    regular file (a character device such as /dev/null or /dev/full, a FIFO, a socket) is written
    through, never replaced. A new file gets the mode the umask allows; a replaced one keeps its mode.
    A file system refusal becomes a DeciderError naming the path; other failures leave no file behind."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        target = Path(os.path.realpath(path))
        status: os.stat_result | None = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    except ValueError:  # a NUL byte in the path
        raise DeciderError([Problem(message="cannot write: the path holds a NUL byte", path=repr(str(path))[1:-1])]) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise DeciderError([Problem(message="cannot write: it is a directory", path=str(path))])
    if status is not None and not stat.S_ISREG(status.st_mode):
        with _write_through(path, target) as handle:
            yield handle
        return
    # The temporary name is chosen before the file is created, so that an interrupt at any point after
    # creation (Ctrl+C while the file is being made, under load) still finds it to remove.
    tmp = _temporary_name(target)
    fd = -1
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            while True:
                try:
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
                    break
                except FileExistsError:
                    tmp = _temporary_name(target)
            os.fchmod(fd, stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_umask())
        except OSError as exc:
            if fd >= 0:
                os.close(fd)
            raise _cannot_write(path, exc) from None
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temporary_name(target: Path) -> Path:
    """A hidden name beside `target` that no one else will pick (`.name.` and 12 random hex digits)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}")


@contextmanager
def _write_through(path: Path, target: Path) -> Iterator[IO[str]]:
    """Write straight into a device, FIFO or socket (no temp file, no rename, no fsync)."""
    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> DeciderError:
    return DeciderError([Problem(message=f"cannot write: {exc.strerror or exc}", path=str(path))])


def _umask() -> int:
    """The process umask, read without changing it where Linux tells it (os.umask sets it to read it)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


__all__ = ["open_atomic", "write_atomic"]
