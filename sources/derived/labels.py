"""What a person reads for derived things: modes, distances, durations, place names."""

import datetime as dt

MODE_LABELS = {"walking": "Walking", "cycling": "Cycling", "driving": "Driving", "train": "Train",
               "flight": "Flight", "unknown": "Moving"}


def mode_note(mode_from: str) -> str:
    return "mode as your phone reported it" if mode_from == "source" else "mode guessed from speed"


def distance(metres: float) -> str:
    return f"{metres / 1000:,.1f} km" if metres >= 1000 else f"{metres:,.0f} m"


def duration(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def place_label(row) -> str:
    """A stay's or place's gazetteer name ("Lyon, France"), for one the user has not named."""
    return ", ".join(part for part in (row.city, row.country) if part) or "Unnamed place"
