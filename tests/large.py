"""A large trajectory for the tests: the benchmarks' generator (``bench/_common.py``),
with its session in the weeks after the tests' clock (Monday 1 February 2027)."""

from __future__ import annotations

from datetime import date, datetime

from bench._common import TZ, email, trajectory_yaml, user_id

SESSION_DAY = date(2027, 3, 15)
KEY = "groot"

__all__ = ["email", "user_id", "large_yaml", "KEY"]


def large_yaml(n_people: int, **extra) -> str:
    """``n_people`` people (person 0 is the trekker), one session ``start`` inviting all."""
    days = (SESSION_DAY - datetime.now(TZ).date()).days
    return trajectory_yaml(n_people, KEY, days_ahead=days, **extra)
