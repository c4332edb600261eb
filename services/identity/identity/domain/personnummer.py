"""Swedish personnummer and samordningsnummer.

Forms: YYMMDD-NNNC, YYMMDD+NNNC (the person has turned 100), YYYYMMDDNNNC, YYYYMMDD-NNNC and
YYMMDDNNNC. C is the Luhn check digit over YYMMDDNNN. A samordningsnummer adds 60 to the day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$")


class InvalidPersonnummer(ValueError):
    pass


def luhn_check_digit(nine_digits: str) -> int:
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


@dataclass(frozen=True)
class Personnummer:
    century: int
    year: int  # two digits
    month: int
    day: int  # as written (day + 60 for a samordningsnummer)
    serial: str
    check: int

    @property
    def is_samordningsnummer(self) -> bool:
        return self.day >= 60

    @property
    def birth_date(self) -> date | None:
        """None when the number's date is not a real date (Skatteverket issues such numbers)."""
        day = self.day - 60 if self.is_samordningsnummer else self.day
        try:
            return date(self.century * 100 + self.year, self.month, day)
        except ValueError:
            return None

    @property
    def canonical(self) -> str:
        """The 12-digit form, the one stored and compared."""
        return f"{self.century:02d}{self.year:02d}{self.month:02d}{self.day:02d}{self.serial}{self.check}"

    def masked(self) -> str:
        """Safe to show on screen: the birth date and four stars."""
        return self.canonical[:8] + "-****"


def parse(value: str, today: date | None = None) -> Personnummer:
    if not isinstance(value, str):
        raise InvalidPersonnummer("not text")
    text = value.strip()
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPersonnummer("wrong form")
    century_text, yy, mm, dd, sep, serial, check = match.groups()
    year2, month, day = int(yy), int(mm), int(dd)
    if serial == "000":
        raise InvalidPersonnummer("serial 000 is never issued")
    if luhn_check_digit(f"{yy}{mm}{dd}{serial}") != int(check):
        raise InvalidPersonnummer("check digit")
    today = today or date.today()
    if century_text is not None:
        century = int(century_text)  # the separator says nothing more when the century is written
    else:
        # The 10-digit form: the newest century that is not in the future; "+" adds 100 years.
        century = today.year // 100
        if century * 100 + year2 > today.year:
            century -= 1
        if sep == "+":
            century -= 1
    if not (1 <= month <= 12 or month == 0):
        raise InvalidPersonnummer("month")
    is_coordination = day >= 60
    real_day = day - 60 if is_coordination else day
    if not (1 <= real_day <= 31) and not (is_coordination and real_day == 0):
        raise InvalidPersonnummer("day")
    if month == 0 and not is_coordination:
        raise InvalidPersonnummer("month")
    number = Personnummer(century, year2, month, day, serial, int(check))
    if not is_coordination and number.birth_date is None:
        raise InvalidPersonnummer("date")
    if not is_coordination and number.birth_date and number.birth_date > today:
        raise InvalidPersonnummer("future")
    return number


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except InvalidPersonnummer:
        return False
    return True
