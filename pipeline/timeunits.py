"""ISO-8601 durations of timeframes: plain Python, so export and review need no spaCy."""

ISO = {"second": ("PT", "S"), "minute": ("PT", "M"), "hour": ("PT", "H"), "day": ("P", "D"),
       "week": ("P", "W"), "month": ("P", "M"), "year": ("P", "Y"), "decade": ("P", "Y")}


def _fmt(x):
    x = round(x, 6)
    return str(int(x)) if x == int(x) else str(x)


def iso_duration(value, unit):
    if value is None or unit not in ISO:
        return None
    if unit == "decade":
        value *= 10
    prefix, suffix = ISO[unit]
    return f"{prefix}{_fmt(value)}{suffix}"
