"""Client-side pacing so the bot stays under the platform's rate limits."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """``rate`` calls per second with bursts of up to ``burst``; can be paused."""

    def __init__(self, rate: float, burst: float = 1.0, clock=time.monotonic):
        self.rate = rate
        self.burst = max(1.0, burst)
        self._tokens = self.burst
        self._clock = clock
        self._stamp = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Stop handing out tokens for ``seconds`` (after a 429 with Retry-After)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._tokens = 0.0

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self._tokens) / self.rate)


class Pacer:
    """One bucket per (platform, operation); per-target pauses after a 429."""

    def __init__(self, rates_per_minute: dict[str, float], default_per_minute: float = 50.0):
        self._rates = rates_per_minute
        self._default = default_per_minute
        self._buckets: dict[str, TokenBucket] = {}
        self._target_paused: dict[str, float] = {}
        self._recent_429: dict[str, list[float]] = {}

    def bucket(self, name: str) -> TokenBucket:
        if name not in self._buckets:
            per_minute = self._rates.get(name, self._default)
            rate = per_minute / 60.0
            self._buckets[name] = TokenBucket(rate, burst=max(1.0, rate))
        return self._buckets[name]

    async def acquire(self, name: str, target: str | None) -> None:
        if target and (until := self._target_paused.get(target)):
            wait = until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        await self.bucket(name).acquire()

    def rate_limited(self, name: str, target: str | None, retry_after: float) -> None:
        """A 429: rest the target; when they come in a cluster, rest the whole method."""
        now = time.monotonic()
        if target:
            self._target_paused[target] = now + retry_after
        recent = [t for t in self._recent_429.get(name, []) if now - t < max(retry_after, 1.0)]
        recent.append(now)
        self._recent_429[name] = recent
        if len(recent) >= 3:
            self.bucket(name).pause(retry_after)
            self._recent_429[name] = []
