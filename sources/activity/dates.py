"""The instants of a My Activity HTML page, as Takeout writes them in each language.

JSON exports carry ISO-8601 UTC; the HTML pages write the account's local
wall-clock time in the account's language, with (since about 2018) the
abbreviation of the zone the account was in *when the export was made*:

    en-US  Jan 31, 2018, 10:54:50 PM EST      (U+202F before PM since 2023)
    en-GB  31 Jan 2018, 22:54:50 GMT
    de     01.09.2022, 21:08:12 MEZ           (also "… um 21:08:12")
    fr     31 janv. 2018, 22:54:50 UTC+1      (also "… à 22:54:50", "CET")
    es     31 ene 2018, 22:54:50 CET
    it     31 gen 2018, 22:54:50 CET
    nl     31 jan 2018 22:54:50 CET           (also "… om 22:54:50")
    pt     31 de jan. de 2018, 22:54:50 BRT

`parse_stamp` reads all of these with three precompiled patterns (no
date-parsing library per event).  An abbreviation becomes an offset only where
it has one meaning for the dialect whose export writes it (`ZONES`); an
ambiguous or unknown one leaves `zone_known` False, `utc_offset_minutes` None,
and `at` the wall-clock time taken as if it were UTC, so nothing is shifted by a
guess.  Pre-2018 pages write no zone at all; Google meant UTC there, so `at` is
the wall clock as UTC with `zone_known` True, `zone` "" and
`utc_offset_minutes` None (no offset was *stated*).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sources.sanitize import TIMESTAMP_IMPLAUSIBLE, TIMESTAMP_MALFORMED, RecordRejected

LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")

# --- months -------------------------------------------------------------------

# Abbreviations (written with or without their dot) and full names, per language.
_MONTH_NAMES: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
           ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
           ("oct", "october"), ("nov", "november"), ("dec", "december")),
    "de": (("jan", "jän", "januar", "jänner"), ("feb", "februar"), ("mär", "märz", "mrz"), ("apr", "april"),
           ("mai",), ("jun", "juni"), ("jul", "juli"), ("aug", "august"), ("sep", "sept", "september"),
           ("okt", "oktober"), ("nov", "november"), ("dez", "dezember")),
    "fr": (("janv", "janvier"), ("févr", "fév", "fevr", "février", "fevrier"), ("mars",), ("avr", "avril"),
           ("mai",), ("juin",), ("juil", "juillet"), ("août", "aout"), ("sept", "septembre"), ("oct", "octobre"),
           ("nov", "novembre"), ("déc", "dec", "décembre", "decembre")),
    "es": (("ene", "enero"), ("feb", "febrero"), ("mar", "marzo"), ("abr", "abril"), ("may", "mayo"),
           ("jun", "junio"), ("jul", "julio"), ("ago", "agosto"), ("sep", "sept", "set", "septiembre", "setiembre"),
           ("oct", "octubre"), ("nov", "noviembre"), ("dic", "diciembre")),
    "it": (("gen", "gennaio"), ("feb", "febbraio"), ("mar", "marzo"), ("apr", "aprile"), ("mag", "maggio"),
           ("giu", "giugno"), ("lug", "luglio"), ("ago", "agosto"), ("set", "settembre"), ("ott", "ottobre"),
           ("nov", "novembre"), ("dic", "dicembre")),
    "nl": (("jan", "januari"), ("feb", "februari"), ("mrt", "maart"), ("apr", "april"), ("mei",),
           ("jun", "juni"), ("jul", "juli"), ("aug", "augustus"), ("sep", "sept", "september"),
           ("okt", "oktober"), ("nov", "november"), ("dec", "december")),
    "pt": (("jan", "janeiro"), ("fev", "fevereiro"), ("mar", "março", "marco"), ("abr", "abril"),
           ("mai", "maio"), ("jun", "junho"), ("jul", "julho"), ("ago", "agosto"), ("set", "setembro"),
           ("out", "outubro"), ("nov", "novembro"), ("dez", "dezembro")),
}


def _month_index() -> tuple[dict[str, int], dict[str, frozenset[str]]]:
    number: dict[str, int] = {}
    languages: dict[str, set[str]] = {}
    for language, months in _MONTH_NAMES.items():
        for month, names in enumerate(months, start=1):
            for name in names:
                if number.setdefault(name, month) != month:
                    raise AssertionError(f"month name {name!r} means two months")
                languages.setdefault(name, set()).add(language)
    return number, {name: frozenset(langs) for name, langs in languages.items()}


MONTHS, MONTH_LANGUAGES = _month_index()

# --- zones ----------------------------------------------------------------------

# Abbreviations with one meaning wherever they are written.
_UNIVERSAL: dict[str, int | None] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0,
    "CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "WET": 0, "WEST": 60,
    "MSK": 180, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "PHT": 480, "WIB": 420, "WITA": 480, "WIT": 540,
    "PKT": 300, "NPT": 345, "ICT": 420, "EAT": 180, "CAT": 120, "WAT": 60, "SAST": 120,
    "NZST": 720, "NZDT": 780, "AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480,
    # Ambiguous wherever they appear: left unresolved.
    "IST": None,  # India +5:30, Israel +2, Irish Standard Time +1: all written "IST"
    "SST": None,  # Samoa -11, and "Singapore Standard Time" +8 in informal use
    "GST": None,  # Gulf +4, South Georgia -2
    "ECT": None,  # Ecuador -5, Eastern Caribbean -4
}

# US English (month first, AM/PM): the United States' and Canada's zones.
_EN_US: dict[str, int | None] = {
    **_UNIVERSAL,
    "EST": -300, "EDT": -240, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "AKST": -540, "AKDT": -480, "HST": -600, "HDT": -540, "HAST": -600, "HADT": -540,
    "NST": -210, "NDT": -150, "ADT": -180, "ChST": 600,
    # US Central is -6, but China Standard Time (+8) and Cuba Standard Time (-5)
    # are written "CST" by the same English locale: unresolved.
    "CST": None,
    # Only Cuba shares "CDT" (-4), and CLDR's English gives Cuba no abbreviation: US Central Daylight.
    "CDT": -300,
    # Atlantic Standard Time (-4) and Arabia Standard Time (+3) are both "AST".
    "AST": None,
    # In a US-English export "BST" is not British Summer Time (CLDR's en-US writes
    # London as "GMT+1"); Bangladesh Standard Time (+6) is also "BST": unresolved.
    "BST": None,
}

# British English (day first, 24 hours): as US English, plus British Summer Time.
_EN_GB: dict[str, int | None] = {**_EN_US, "BST": 60}

# German: CLDR's own abbreviations for the European zones.
_DE: dict[str, int | None] = {
    **_UNIVERSAL, "MEZ": 60, "MESZ": 120, "OEZ": 120, "OESZ": 180, "WEZ": 0, "WESZ": 60,
}

# French: Canada's abbreviations (fr-CA), which fr-FR exports do not use.
_FR: dict[str, int | None] = {
    **_UNIVERSAL,
    "HNE": -300, "HAE": -240, "HNC": -360, "HAC": -300, "HNR": -420, "HAR": -360, "HNP": -480, "HAP": -420,
    "HNA": -240, "HAA": -180, "HNT": -210, "HAT": -150, "HNEC": 60, "HAEC": 120,
}

# Portuguese: Brazil's zones.
_PT: dict[str, int | None] = {
    **_UNIVERSAL, "BRT": -180, "BRST": -120, "FNT": -120, "AMST": -180,
    "AMT": None,  # Amazon Time -4, and Armenia Time +4
    "ACT": None,  # Acre Time -5, and "Australian Central Time" +9:30 in informal use
}

# Abbreviation -> minutes east of UTC per dialect; None: ambiguous, left unresolved.
ZONES: dict[str, dict[str, int | None]] = {
    "en-US": _EN_US, "en-GB": _EN_GB, "de": _DE, "fr": _FR,
    "es": dict(_UNIVERSAL), "it": dict(_UNIVERSAL), "nl": dict(_UNIVERSAL), "pt": _PT,
}
_DIALECTS_OF = {"en": ("en-US", "en-GB"), **{language: (language,) for language in LANGUAGES if language != "en"}}

# "UTC+1", "GMT-05:00", "GMT+5:30", "UTC−3" (ICU writes U+2212), a bare "+01:00".
_OFFSET = re.compile(r"(?:UTC|GMT|UT)?([+\-\u2212])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_MAX_OFFSET = 18 * 60

# --- patterns ---------------------------------------------------------------------

_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})"
_AMPM = r"(?:\s*(?P<ap>[ap])\.?\s?m\.?)"
_ZONE = r"(?:\s+(?P<z>[^\W\d_][^\s]{0,15}|[+\-\u2212]\d{1,2}(?::?\d{2})?))?"
_END = r"\s*$"
# Month first: US English.
_MDY = re.compile(
    r"^\s*(?P<mon>[^\W\d_]{3,9})\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4}),?\s+(?:at\s+)?" + _TIME + _AMPM + "?"
    + _ZONE + _END, re.IGNORECASE)
# Numeric day.month.year: German.
_NUMERIC = re.compile(
    r"^\s*(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}),?\s+(?:um\s+)?" + _TIME + _AMPM + "?" + _ZONE + _END,
    re.IGNORECASE)
# Day, month name, year: British English and the Romance languages, Dutch, Portuguese.
_DMY = re.compile(
    r"^\s*(?P<d>\d{1,2})\.?\s+(?P<de1>de\s+)?(?P<mon>[^\W\d_]{3,10})\.?,?\s+(?P<de2>de\s+)?(?P<y>\d{4}),?\s+"
    r"(?:(?P<conn>à|a\s+las|às|as|um|om|alle\s+ore|alle|at|a)\s+)?" + _TIME + _AMPM + "?" + _ZONE + _END,
    re.IGNORECASE)

# Which languages a connector word between date and time belongs to.
_CONNECTORS = {"à": {"fr"}, "a las": {"es"}, "a": {"es"}, "às": {"pt"}, "as": {"pt"}, "um": {"de"},
               "om": {"nl"}, "alle": {"it"}, "alle ore": {"it"}, "at": {"en"}}
# Which language wins when the date alone cannot tell (and no caption said it).
_PREFERENCE = {language: rank for rank, language in enumerate(LANGUAGES)}
_SPACES = re.compile(r"\s+")
# Cheap pre-check before a full match: a clock time.
_HAS_CLOCK = re.compile(r"\d:\d\d:\d\d")


@dataclass(frozen=True, slots=True)
class Stamp:
    at: datetime  # aware UTC, whole seconds; the wall clock as if UTC when not zone_known
    zone_known: bool
    utc_offset_minutes: int | None
    zone: str  # the abbreviation as written, "" when none
    language: str  # "en", "de", … when the date's own words tell; else the caller's hint or ""
    dialect: str  # "en-US", "en-GB", "de", … whose zone table was used ("" when unknown)


def looks_like_stamp(text: str) -> bool:
    """A quick test before `parse_stamp`: does the line hold a clock time at all?"""
    return _HAS_CLOCK.search(text) is not None


def parse_stamp(text: str, language: str = "") -> Stamp | None:
    """A My Activity date line -> `Stamp`; None when the line is not a date.

    ``language`` is the file's language where its captions tell ("en", "de", …);
    it decides between dialects the date alone leaves open ("jan" is English,
    Dutch, German and Portuguese) and so which zone table applies.

    Raises `RecordRejected` (timestamp_malformed) for a line shaped like a date
    whose values are impossible: 31 February, 25 o'clock, month 13.
    """
    if len(text) > 80:
        return None
    match = _MDY.match(text)
    if match is not None:
        month_name = match["mon"].lower()
        month = MONTHS.get(month_name)
        if month is None or "en" not in MONTH_LANGUAGES[month_name]:
            return None
        dialects: tuple[str, ...] = ("en-US",)
        found = "en"
    elif (match := _NUMERIC.match(text)) is not None:
        month = int(match["m"])
        dialects = ("de",)
        found = "de"
    elif (match := _DMY.match(text)) is not None:
        month_name = match["mon"].lower()
        month = MONTHS.get(month_name)
        if month is None:
            return None
        candidates = set(MONTH_LANGUAGES[month_name])
        if match["de1"] or match["de2"]:
            candidates &= {"pt", "es"}
        if (connector := match["conn"]) is not None:
            candidates &= _CONNECTORS[_SPACES.sub(" ", connector.lower())]
        if not candidates:
            return None
        found = min(candidates) if len(candidates) == 1 else ""
        # English with the day first is British usage (en-GB, en-IE, en-AU, en-IN…).
        if language in candidates:
            # The file's captions said its language: only that dialect's zones apply.
            dialects = ("en-GB" if language == "en" else language,)
        else:
            # The first is the likeliest; a zone also resolves if all that know it agree.
            dialects = tuple("en-GB" if candidate == "en" else candidate
                             for candidate in sorted(candidates, key=_PREFERENCE.__getitem__))
    else:
        return None

    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"])
    if (meridiem := match["ap"]) is not None:
        if not 1 <= hour <= 12:
            raise RecordRejected(TIMESTAMP_MALFORMED, f"{text.strip()!r} has hour {hour} with AM/PM.")
        hour = hour % 12 + (12 if meridiem in "pP" else 0)
    try:
        wall = datetime(int(match["y"]), month, int(match["d"]), hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise RecordRejected(TIMESTAMP_MALFORMED, f"{text.strip()!r} is not a possible date and time.") from None

    zone = match["z"] or ""
    if not zone:
        return Stamp(wall, True, None, "", found or language, dialects[0])
    offset, known = zone_offset(zone, dialects)
    if not known:
        return Stamp(wall, False, None, zone, found or language, dialects[0])
    try:
        at = wall - timedelta(minutes=offset)
    except OverflowError:
        raise RecordRejected(TIMESTAMP_IMPLAUSIBLE, f"{text.strip()!r} lies outside any plausible time.") from None
    return Stamp(at, True, offset, zone, found or language, dialects[0])


def zone_offset(zone: str, dialects: tuple[str, ...]) -> tuple[int | None, bool]:
    """(minutes east of UTC, known?) for an abbreviation as written in `dialects`' exports.

    The first dialect is the one the file is in; the others are what the date
    alone also allows.  A zone resolves when the file's dialect knows it, or when
    the other candidates that know it agree on one offset.
    """
    offset_match = _OFFSET.fullmatch(zone)
    if offset_match is not None:
        sign = -1 if offset_match[1] in "-\u2212" else 1
        minutes = int(offset_match[2]) * 60 + int(offset_match[3] or 0)
        if minutes > _MAX_OFFSET or int(offset_match[3] or 0) >= 60:
            return None, False
        return sign * minutes, True
    key = zone if zone == "ChST" else zone.upper()
    table = ZONES.get(dialects[0], _UNIVERSAL)
    if key in table:
        value = table[key]
        return (value, True) if value is not None else (None, False)
    meanings = {ZONES[d][key] for d in dialects[1:] if key in ZONES.get(d, {})}
    if len(meanings) == 1 and None not in meanings:
        return meanings.pop(), True
    return None, False


def dialects_of(language: str) -> tuple[str, ...]:
    return _DIALECTS_OF.get(language, ())
