"""What every parser may yield besides its product's records: a rejected record and why."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    detail: str
    sample: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A point a parser can be restarted at: every record of the bytes before `offset` was yielded.

    `offset` counts bytes from the start of the stream the parser was given. A
    parser yields these only where calling it again on the stream from that
    byte on yields exactly the records that follow (an mbox's message
    boundaries); the pipeline may then commit there and, after a crash, skip
    that many bytes instead of reading the member again from its start.
    """

    offset: int
