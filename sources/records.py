"""What every parser may yield besides its product's records: a rejected record and why."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    detail: str
    sample: str
