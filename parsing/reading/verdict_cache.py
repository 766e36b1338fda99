"""Judging is pure, and a desk sees the same signatures, sign-offs and display names again and
again: the judges of `parsing.reading.judge` keep their verdicts for the strings seen last."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

__all__ = ["CACHES", "MAX_JUDGED", "clear_caches", "judged"]

T = TypeVar("T")
CACHE_SIZE = 8192  # verdicts kept per judge
# no name of a person or an organisation is longer: longer text is judged at once, and never
# kept in a cache
MAX_JUDGED = 300
CACHES: list[Any] = []  # every judge's cache, for clear_caches


def judged(default: object) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A judge's verdicts kept for the strings seen last; text longer than any name gets
    `default`."""

    def wrap(judge: Callable[..., T]) -> Callable[..., T]:
        cached = lru_cache(maxsize=CACHE_SIZE)(judge)
        CACHES.append(cached)

        @wraps(judge)
        def bounded(text: str, *args: Any, **kwargs: Any) -> T:
            if len(text) > MAX_JUDGED:
                return default  # type: ignore[return-value]
            return cached(text, *args, **kwargs)

        bounded.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return bounded

    return wrap


def clear_caches() -> None:
    """Forget every verdict (the benchmark times each round from cold)."""
    for cached in CACHES:
        cached.cache_clear()
