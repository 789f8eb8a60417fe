"""Alertmanager's time intervals in specs: each field checked as Alertmanager parses it.

The rules follow alertmanager v0.28.1 `timeinterval/timeinterval.go`: times are `HH:MM`
from 00:00 to 24:00 with start before end; weekdays and months are names (months also
1-12), lowercased, single or `start:end` with start not after end; days of the month are
1..31 or -31..-1 (a negative start needs a negative end, and a range always empty in a
28-day month is refused); a location is an IANA time zone name, `UTC` or `Local`. Refused
here, a mistake is a spec error at its line and column rather than an Alertmanager that
does not start.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

_TIME = re.compile(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def _fail(message: str, value: str) -> PydanticCustomError:
    return PydanticCustomError("time_interval", message, {"value": value})


def minutes(value: str) -> int:
    """Minutes since midnight of a checked `HH:MM`."""
    hours, mins = value.split(":")
    return int(hours) * 60 + int(mins)


def check_time_of_day(value: str) -> str:
    """`HH:MM`, 00:00 to 24:00."""
    if not _TIME.match(value):
        raise _fail("must be a time of day HH:MM from 00:00 to 24:00", value)
    return value


def _parts(value: str) -> list[str]:
    parts = value.lower().split(":")
    if len(parts) > 2 or not all(parts):
        raise _fail("must be one value or a range start:end", value)
    return parts


def _named(value: str, names: tuple[str, ...], what: str, numbers: bool) -> list[int]:
    found = []
    for part in _parts(value):
        if part in names:
            found.append(names.index(part))
        elif numbers and part.isdigit() and 1 <= int(part) <= len(names):
            found.append(int(part) - 1)
        else:
            raise _fail(f"must be {what} or a range of them (e.g. {names[1]}:{names[5]})", value)
    return found


def check_weekdays(value: str) -> str:
    """`monday` or `monday:friday` (sunday is the first day of the week)."""
    days = _named(value, WEEKDAYS, "a weekday name", numbers=False)
    if days[0] > days[-1]:
        raise _fail("start day cannot be after end day (weeks run sunday to saturday)", value)
    return value


def check_months(value: str) -> str:
    """`january`, `1`, `june:august`."""
    found = _named(value, MONTHS, "a month name or number 1-12", numbers=True)
    if found[0] > found[-1]:
        raise _fail("end month is before start month", value)
    return value


def check_days_of_month(value: str) -> str:
    """`1`, `1:15`, `-7:-1` (the last seven days)."""
    try:
        days = [int(part) for part in _parts(value)]
    except ValueError:
        raise _fail("must be a day of the month (1..31, or -31..-1 from the end)", value) from None
    begin, end = days[0], days[-1]
    if any(day == 0 or not -31 <= day <= 31 for day in (begin, end)):
        raise _fail("a day of the month is 1..31, or -31..-1 counted from the end", value)
    if begin < 0 < end:
        raise _fail("end day must be negative if start day is negative", value)
    if (28 + begin if begin < 0 else begin) > (28 + end if end < 0 else end):
        raise _fail("end day is always before start day", value)
    return value


def check_years(value: str) -> str:
    """`2026` or `2026:2027`."""
    try:
        years = [int(part) for part in _parts(value)]
    except ValueError:
        raise _fail("must be a year or a range of years", value) from None
    if years[0] > years[-1]:
        raise _fail("end year is before start year", value)
    return value


def check_location(value: str) -> str:
    """An IANA time zone (`Europe/Berlin`), `UTC` or `Local`."""
    if value in ("UTC", "Local"):
        return value
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _fail("must be an IANA time zone such as Europe/Berlin, or UTC", value) from None
    return value


TimeOfDay = Annotated[str, AfterValidator(check_time_of_day)]
Weekdays = Annotated[str, AfterValidator(check_weekdays)]
Months = Annotated[str, AfterValidator(check_months)]
DaysOfMonth = Annotated[str, AfterValidator(check_days_of_month)]
Years = Annotated[str, AfterValidator(check_years)]
TimeZone = Annotated[str, AfterValidator(check_location)]
