"""Input and output of the command line: id and campaign files, progress display."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

import msgspec

from ..jobs import Progress, format_duration

__all__ = [
    "Counted",
    "ProgressLine",
    "UsageError",
    "check_id",
    "ids_from_stream",
    "iter_ids_file",
    "read_ids_file",
    "read_jsonl",
]


class UsageError(Exception):
    """Bad flags, credentials or input files: exit 2 with one line."""


def check_id(text: str, where: str) -> str:
    """Return ``text`` when it can be a campaign id (no spaces, printable)."""
    if any(ch.isspace() for ch in text) or not text.isprintable():
        raise UsageError(f"{where}: malformed campaign id {text[:40]!r}")
    return text


def read_ids_file(path: str) -> int:
    """Validate an ids file (one id a line, blank lines and ``#`` comments skipped).

    Returns the number of ids; reads in one streaming pass.
    """
    return sum(1 for _ in iter_ids_file(path))


def iter_ids_file(path: str) -> Iterator[str]:
    """Yield the ids of a file lazily; a bad line or file is a ``UsageError``."""
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                text = line.strip()
                if text and not text.startswith("#"):
                    yield check_id(text, f"{path} line {number}")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def ids_from_stream(stream: IO[str]) -> list[str]:
    """Read every id from a stream that cannot be read twice (stdin)."""
    ids = []
    for number, line in enumerate(stream, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            ids.append(check_id(text, f"stdin line {number}"))
    return ids


def read_jsonl(path: str) -> list[dict[str, Any]]:
    """Read a JSON-lines file of campaign objects; refuse a bad line by number."""
    items: list[dict[str, Any]] = []
    try:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = msgspec.json.decode(line)
                except msgspec.DecodeError:
                    raise UsageError(f"{path} line {number}: not valid JSON") from None
                if not isinstance(item, dict):
                    raise UsageError(f"{path} line {number}: not a JSON object")
                items.append(item)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not items:
        raise UsageError(f"{path}: no campaigns in the file")
    return items


class ProgressLine:
    """Progress on stderr: a rich bar on a terminal, plain lines otherwise."""

    def __init__(self, label: str, *, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stderr
        self._label = label
        self._bar: Any = None
        self._task: Any = None
        self._last_pct = -1
        self._last_finished = -1
        if self._stream.isatty():
            try:
                from rich.progress import Progress as RichProgress
            except ImportError:  # the `progress` extra is optional
                pass
            else:
                self._bar = RichProgress(transient=False)
                self._bar.start()
                self._task = self._bar.add_task(label, total=None)

    def __call__(self, p: Progress) -> None:
        eta = "?" if p.eta_s is None else format_duration(p.eta_s)
        if self._bar is not None:
            self._bar.update(self._task, completed=p.finished, total=p.total)
            return
        pct = -1 if not p.total else p.finished * 100 // p.total
        if p.total and pct // 10 == self._last_pct // 10 and p.finished < p.total:
            return
        if p.finished == self._last_finished:
            return  # the closing report repeats the last batch's
        self._last_pct = pct
        self._last_finished = p.finished
        of = f"/{p.total}" if p.total else ""
        self._stream.write(
            f"{self._label}: {p.finished}{of} ({p.done} ok, {p.failed} failed) "
            f"{p.rate_per_s:.1f}/s eta {eta}\n"
        )
        self._stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


class Counted:
    """An iterable of known length over a lazy source (so progress knows the total)."""

    def __init__(self, source: Sequence[str] | Iterator[str], total: int) -> None:
        self._source = source
        self._total = total

    def __len__(self) -> int:
        return self._total

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)
