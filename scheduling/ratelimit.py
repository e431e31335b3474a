"""Client-side pacing so the bot stays under the platform's rate limits."""

from __future__ import annotations

import asyncio
import time

# A 429 says "not now" to one call.  A run of 429s with no success in between says the
# whole method is over its limit: then every call of that method waits (Retry-After).
RATE_LIMIT_STREAK = 3
# The pacer's own burst: half a second's worth.  The platform allows short bursts too, but
# a client that empties the platform's bucket has nothing left for network jitter (two
# calls paced 20 ms apart may arrive 2 ms apart), and every such call is a 429.
BURST_SECONDS = 0.5


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
        """Stop handing out tokens for ``seconds`` (after a 429 with Retry-After).

        The bucket is empty when the pause ends and fills from then on, so the calls
        that waited do not all go out at once the moment it ends."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._tokens = 0.0
        self._stamp = max(self._stamp, self._paused_until)

    def refund(self) -> None:
        """Give back the token of a call the platform refused without counting it."""
        if self._clock() >= self._paused_until:
            self._tokens = min(self.burst, self._tokens + 1.0)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                if now > self._stamp:
                    self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self._tokens) / self.rate)


class Pacer:
    """One bucket per (platform, operation); per-target pauses after a 429.

    A 429 always rests its target (user or channel) for Retry-After, and the row itself
    is retried no sooner.  The whole operation pauses for Retry-After only when 429s
    come in a run (``RATE_LIMIT_STREAK`` with no success in between): that is what a
    method over its workspace limit looks like, while an odd 429 among successes (a
    busy channel, a hiccup) is not a reason to stop everybody's messages; the refused
    call's token goes back to the bucket."""

    def __init__(self, rates_per_minute: dict[str, float], default_per_minute: float = 50.0, shared=None):
        self._rates = rates_per_minute
        self._default = default_per_minute
        # A scheduling.rate_slots.SlotStore: the buckets' slots come from the database, so
        # every process on it together keeps the rate (None: this process alone).
        self._shared = shared
        self._buckets: dict[str, TokenBucket] = {}
        self._target_paused: dict[str, float] = {}
        self._streak: dict[str, int] = {}

    def bucket(self, name: str) -> TokenBucket:
        if name not in self._buckets:
            per_minute = self._rates.get(name, self._default)
            rate = per_minute / 60.0
            burst = max(1.0, rate * BURST_SECONDS)
            if self._shared is not None:
                from scheduling.rate_slots import SharedBucket

                self._buckets[name] = SharedBucket(self._shared, name, rate, burst)
            else:
                self._buckets[name] = TokenBucket(rate, burst=burst)
        return self._buckets[name]

    def per_second(self, name: str) -> float:
        return self.bucket(name).rate

    async def acquire(self, name: str, target: str | None) -> None:
        if target and (until := self._target_paused.get(target)):
            wait = until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            elif self._target_paused.get(target) == until:
                del self._target_paused[target]
        await self.bucket(name).acquire()

    def pause(self, name: str, retry_after: float) -> None:
        """Every call of ``name`` waits ``retry_after`` (a 429 on a method-wide limit)."""
        self.bucket(name).pause(retry_after)

    def succeeded(self, name: str) -> None:
        """A call of ``name`` went through: a run of 429s (if any) is broken."""
        self._streak[name] = 0

    def rate_limited(self, name: str, target: str | None, retry_after: float) -> None:
        """A 429: rest the target; when 429s come in a run, rest the whole method."""
        now = time.monotonic()
        if target:
            self._target_paused[target] = max(self._target_paused.get(target, 0.0), now + retry_after)
        streak = self._streak.get(name, 0) + 1
        if streak >= RATE_LIMIT_STREAK:
            self.bucket(name).pause(retry_after)
            streak = 0
        else:
            # A refused call used none of the method's quota (a token bucket does not take
            # a token for a call it turns away), so its token goes back to the others.
            self.bucket(name).refund()
        self._streak[name] = streak


# A look-up (users.lookupByEmail, a page of the Teams roster) tried again after a
# transient error: this often, with these pauses (seconds) when no Retry-After came.
ATTEMPTS = 6  # the waits between them add up to about a minute
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)


async def paced_retry(pacer: Pacer, name: str, call, *, attempts: int = ATTEMPTS, backoff=BACKOFF,
                      fatal=lambda exc: False, sleep=asyncio.sleep):
    """``await call()`` paced as ``name``, tried again on a transient ``ChatError``: a 429
    after its Retry-After (every call of ``name`` waits), anything else (5xx, a reset
    connection, a timeout) after a growing pause.  A permanent error, a
    ``fatal`` one, or the last transient one is raised."""
    from bot.chat import ChatError

    for attempt in range(attempts):
        await pacer.acquire(name, None)
        try:
            result = await call()
        except ChatError as exc:
            if exc.permanent or fatal(exc) or attempt == attempts - 1:
                raise
            if exc.retry_after is not None:
                # A look-up method's limit holds for the whole workspace (tenant): every
                # call of it waits out the Retry-After, and the bucket then fills from empty.
                pacer.pause(name, exc.retry_after)
            else:
                await sleep(backoff[min(attempt, len(backoff) - 1)])
            continue
        pacer.succeeded(name)
        return result
    raise AssertionError("unreachable")  # the loop returns or raises
