"""Named presets for the field's event data sets: ``--option preset=acled`` (ACLED's CSV export; ``types=acled``
is the older name) and ``--option preset=gdelt`` (GDELT 2.0 event export files). docs/observations.md.

ACLED's column names and category tables live beside the fields they fill (:mod:`forewarn.sources.observed`).
GDELT's are here: a GDELT 2.0 event file (``20240803120000.export.CSV``) is tab-separated, without a header,
61 columns per row (:data:`GDELT_COLUMNS`). A row has no text of its own, so :func:`gdelt_text` builds one from
its fields ("RUSSIA (RUS) fight UKRAINE (UKR) at Kharkiv, Kharkiv, Ukraine."): it is what the row's document
holds and what extraction reads. CAMEO's root codes (the first two digits of ``EventCode``) give the PLOVER type
(:data:`CAMEO_ROOTS`), a few of its three-digit codes the mode (:data:`CAMEO_MODES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forewarn.errors import Code, Issue
from forewarn.model.extraction import PlacePrecision, Sector

ACLED = "acled"
GDELT = "gdelt"
PRESETS = (ACLED, GDELT)
GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor{n}{part}" for n in (1, 2) for part in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
        "Type1Code", "Type2Code", "Type3Code")),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone",
    *(f"{who}Geo_{part}" for who in ("Actor1", "Actor2", "Action") for part in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")),
    "DATEADDED", "SOURCEURL",
)
# forewarn's fields in a GDELT row (a --map may name another of GDELT_COLUMNS)
GDELT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("GLOBALEVENTID",), "date": ("SQLDATE",), "url": ("SOURCEURL",), "lat": ("ActionGeo_Lat",),
    "lon": ("ActionGeo_Long",), "type": ("EventCode",), "actor": ("Actor1Name",),
    "actor_country": ("Actor1CountryCode",), "actor_sector": ("Actor1Type1Code",), "recipient": ("Actor2Name",),
    "recipient_country": ("Actor2CountryCode",), "recipient_sector": ("Actor2Type1Code",),
    "place": ("ActionGeo_FullName",), "precision": ("ActionGeo_Type",),
}
GDELT_META = {"GoldsteinScale": "gdelt.goldstein", "NumMentions": "gdelt.mentions", "NumSources": "gdelt.sources",
              "NumArticles": "gdelt.articles"}  # kept in the document's meta
# CAMEO root code → (PLOVER type or None: the text decides, the verb of the built text)
CAMEO_ROOTS: Mapping[str, tuple[str | None, str]] = {
    "01": (None, "make a public statement about"), "02": ("REQUEST", "appeal to"),
    "03": ("AGREE", "express intent to cooperate with"), "04": ("CONSULT", "consult"),
    "05": ("SUPPORT", "engage in diplomatic cooperation with"), "06": ("COOPERATE", "cooperate with"),
    "07": ("AID", "provide aid to"), "08": ("RETREAT", "yield to"), "09": ("ACCUSE", "investigate"),
    "10": ("REQUEST", "demand of"), "11": ("ACCUSE", "disapprove of"), "12": ("REJECT", "reject"),
    "13": ("THREATEN", "threaten"), "14": ("PROTEST", "protest against"),
    "15": ("MOBILIZE", "exhibit force posture against"), "16": ("SANCTION", "reduce relations with"),
    "17": ("COERCE", "coerce"), "18": ("ASSAULT", "assault"), "19": ("ASSAULT", "fight"),
    "20": ("ASSAULT", "use unconventional mass violence against"),
}
# CAMEO codes (four, three or two digits: the longest known prefix counts) with a PLOVER mode; others have none
CAMEO_MODES: Mapping[str, str] = {
    "09": "investigate", "20": "unconventional", "041": "phone", "042": "visit", "043": "visit",
    "045": "third-party", "046": "multilateral",
    "091": "investigate", "111": "disapprove", "112": "allege", "087": "withdraw", "0871": "ceasefire",
    "086": "access", "084": "release", "131": "restrict", "138": "violence", "141": "demo", "142": "hunger",
    "143": "strike", "144": "obstruct", "145": "riot", "150": "troops", "151": "police", "152": "troops",
    "154": "troops", "161": "discontinue", "163": "discontinue", "171": "seize", "172": "restrict",
    "173": "arrest", "174": "deport", "175": "martial-law", "181": "abduct", "182": "beat", "183": "suicide-attack",
    "185": "targeted", "186": "targeted", "193": "firearms", "194": "heavy-weapons", "195": "aerial",
}
# CAMEO actor type codes → sector (others: none)
GDELT_SECTORS: Mapping[str, Sector] = {
    "MIL": Sector.MILITARY, "GOV": Sector.GOVERNMENT, "COP": Sector.POLICE, "SPY": Sector.INTELLIGENCE,
    "REB": Sector.REBEL, "INS": Sector.REBEL, "SEP": Sector.REBEL, "UAF": Sector.REBEL, "CVL": Sector.CIVILIAN,
    "MED": Sector.MEDIA, "BUS": Sector.BUSINESS, "IGO": Sector.IGO, "NGO": Sector.NGO, "JUD": Sector.GOVERNMENT,
    "LEG": Sector.GOVERNMENT,
}
# GDELT's geo types: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (first-level region)
GDELT_PRECISION: Mapping[str, PlacePrecision] = {
    "1": PlacePrecision.COUNTRY, "2": PlacePrecision.REGION, "3": PlacePrecision.TOWN, "4": PlacePrecision.TOWN,
    "5": PlacePrecision.REGION,
}
_PREPOSITIONS = frozenset({"with", "to", "of", "about", "against", "towards"})
CAMEO_COUNTRIES = {"ROM": "ROU", "TMP": "TLS", "ZAR": "COD"}  # CAMEO's codes that are not ISO alpha-3 today


def preset(options: Mapping[str, str]) -> str | None:
    """The preset the reader options name (``preset``, else its older name ``types``), lower case; None for none."""
    value = options.get("preset") or options.get("types") or ""
    return value.strip().lower() or None


def check(options: Mapping[str, str], location: str) -> Issue | None:
    """An issue for the file when the options name an unknown preset."""
    name = preset(options)
    if name is None or name in PRESETS:
        return None
    return Issue(Code.VALUE_UNKNOWN, f"unknown preset {name!r} (known: {', '.join(PRESETS)})", location,
                 hint="read with --option preset=acled or --option preset=gdelt, or leave the option out")


def cameo(code: str) -> tuple[str | None, str | None]:
    """A CAMEO event code → (PLOVER type, mode); KeyError for a code whose root is not 01–20."""
    if not code.isdigit() or len(code) < 2:
        raise KeyError(code)
    kind = CAMEO_ROOTS[code[:2]][0]
    mode = next((CAMEO_MODES[code[:n]] for n in (4, 3, 2) if code[:n] in CAMEO_MODES), None)
    return kind, mode if kind is not None else None


def cameo_country(code: str) -> str:
    return CAMEO_COUNTRIES.get(code.upper(), code.upper())


def gdelt_sector(code: str) -> str | None:
    sector = GDELT_SECTORS.get(code.upper())
    return sector.value if sector else None


def gdelt_fields(cells: list[str], columns: Mapping[str, int]) -> dict[str, Any]:
    """A row's fields (``columns``: field → column index), its date written as ISO 8601 and its text built."""
    fields: dict[str, Any] = {f: cells[i].strip() for f, i in columns.items() if cells[i].strip()}
    day = fields.get("date", "")
    if len(day) == 8 and day.isdigit():
        fields["date"] = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    fields["text"] = gdelt_text(fields)
    return fields


def gdelt_text(fields: Mapping[str, Any]) -> str:
    """The words a GDELT row stands for: "RUSSIA (RUS) fight UKRAINE (UKR) at Kharkiv, Kharkiv, Ukraine."."""
    code = str(fields.get("type", ""))
    verb = CAMEO_ROOTS[code[:2]][1] if code[:2] in CAMEO_ROOTS else f"act (CAMEO {code or 'no code'}) towards"
    actor = _named(fields.get("actor"), fields.get("actor_country")) or "someone"
    place = fields.get("place")
    words = f"{actor} {_verb(verb, _named(fields.get('recipient'), fields.get('recipient_country')))}"
    return f"{words} at {place}." if place else f"{words}."


def _verb(verb: str, recipient: str | None) -> str:
    """The verb and its object; without one, the verb without its preposition ("cooperate with" → "cooperate")."""
    if recipient:
        return f"{verb} {recipient}"
    last = verb.rsplit(" ", 1)
    return last[0] if len(last) == 2 and last[1] in _PREPOSITIONS else verb


def _named(name: Any, country: Any) -> str | None:
    if not name and not country:
        return None
    return f"{name} ({country})" if name and country else str(name or country)


def gdelt_meta(cells: list[str]) -> tuple[tuple[str, str], ...]:
    """GDELT's counts kept in the document's meta: Goldstein scale, mentions, sources, articles, CAMEO code."""
    found = [(key, cells[GDELT_COLUMNS.index(column)].strip()) for column, key in GDELT_META.items()]
    code = cells[GDELT_COLUMNS.index("EventCode")].strip()
    return tuple((k, v) for k, v in (*found, ("gdelt.event_code", code)) if v)
