"""Consecutive parts of a sequence, each of at most so many bytes: a batch of large mail is
never held in memory all at once (the IMAP fetch, the pipeline's passes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def by_bytes(items: Iterable[T], size_of: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    """`items` in order, in parts of at most `limit` bytes (a larger item is a part alone)."""
    part: list[T] = []
    total = 0
    for item in items:
        size = size_of(item)
        if part and total + size > limit:
            yield part
            part, total = [], 0
        part.append(item)
        total += size
    if part:
        yield part
