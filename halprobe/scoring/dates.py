"""Date matcher (death dates): find English dates, keep the one stated as the death, compare.

Extraction is by precompiled regexes, not dateutil: the formats are few and known, regexes give
the span and the precision (day / month / year) that ``dateutil.parser`` hides, and they cost a
few microseconds (the 100 µs-per-grade budget rules out fuzzy parsing). Month names come from
the ``calendar`` module; day validity from ``datetime.date``: nothing calendar-like is hand-rolled.

Labels follow docs/metrics.md section 1: a date consistent with the gold at the item's precision is
correct, consistent but coarser is vague, any contradicting date is hallucinated. Two-digit
years ("28/11/54", "'54") are compared by their last two digits, as a reader who knows the
person's era would read them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from halprobe.scoring import date_order, locale_dates, named_days
from halprobe.scoring.date_order import Order
from halprobe.scoring.normalize import Span, lowered
from halprobe.types import Grade, Label, Precision, ProbeItem

Ymd = tuple[int | None, int | None, int | None]

MONTHS: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    **{abbr.lower(): i for i, abbr in enumerate(calendar.month_abbr) if abbr},
    "sept": 9,
}
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<year>1\d{3}|20\d{2})"
# A two-digit year ("'54", "28/11/54") is kept as a number under 100 and compared with the
# last two digits of the gold year, as a reader who knows the person's era would.
_YEAR_OR_SHORT = r"(?:(?P<year>1\d{3}|20\d{2})|'(?P<yy>\d{2}))"
_END = r"(?![\d'])(?!s\b)"

# Order matters: earlier patterns win where spans overlap (a full date before its month-year).
DATE_PATTERNS: tuple[str, ...] = (
    rf"\b{YEAR}(?P<sep>[/.-])(?P<mm>[01]?\d)(?P=sep)(?P<dd>[0-3]?\d)\b",
    rf"\b(?:the\s+)?{_DAY}(?:\s+of)?(?:\s+|-){_MON}(?:,?\s+|-){_YEAR_OR_SHORT}{_END}",
    rf"\b{_MON}\s+(?:the\s+)?{_DAY},?\s+(?:of\s+)?{_YEAR_OR_SHORT}{_END}",
    rf"\b(?P<a>[0-3]?\d)([/.-])(?P<b>[0-3]?\d)\2(?:{YEAR}|(?P<yy>\d{{2}})){_END}(?![/.-]\d)",
    rf"\b{_MON},?\s+(?:of\s+)?{_YEAR_OR_SHORT}{_END}",
    rf"\b{_MON}\s+(?:the\s+)?{_DAY}\b(?!,?\s*'?\d)",
    # month/year: "08/2014", "5/2011", "10.2016", and ISO "2011-04"
    rf"(?<![\d/.\-])(?P<mm>1[0-2]|0?[1-9])[/.]{YEAR}{_END}(?![/.\-]\d)",
    rf"(?<![\d/.\-]){YEAR}-(?P<mm>1[0-2]|0[1-9])(?![\d\-/.])",
    rf"(?<![\d/.]){YEAR}{_END}(?![/.]\d)(?!-\d\d?\b)",  # "1879-1955" is two years
    r"\bon\s+the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b",  # "..., on the 15th": a day alone
    r"(?<![\w'])'(?P<yy>\d{2})(?![\d'])(?!s\b)",  # "in '54"
)
_PATTERNS = tuple(re.compile(p) for p in DATE_PATTERNS)  # run on lowered text
_FULL_DATES = 4  # the patterns before this index state a day: locale dates go after them
# What each pattern's match must contain (None: no test): a pattern whose sign is absent is
# not run, which keeps the 100 µs-a-grade budget with the other-language patterns.
_NUMERIC = ("/", ".", "-")
_HINTS: tuple[tuple[str, ...] | None, ...] = (
    _NUMERIC, None, None, _NUMERIC, None, None, ("/", "."), ("-",), None, ("on the",), ("'",))

# "b." and "d." are cues only before a date ("b. 1879"), not as initials ("Stanley B. Prusiner").
_ABBREV = r"\.(?=\s*(?:\d|\(|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))"
DEATH_CUES = (r"died|dies|death|dead|passed\s+away|passing|killed|murdered|assassinated|executed"
              r"|lived\s+(?:until|till|to)"
              rf"|deceased|succumbed|demise|perished|lost\s+(?:his|her|their)\s+life|d{_ABBREV}")
BIRTH_CUES = rf"(?<!-)born|birth|b{_ABBREV}"  # not "German-born"
OTHER_CUES = (r"won|awarded|received|married|moved|graduated|joined|founded|retired|elected"
              r"|appointed|published|wrote|released|became|served|worked|studied|emigrated"
              r"|diagnosed|knighted|prize|award|medal|honou?red|inducted|premiered|season"
              # what a life's work is dated by: "directed The Hireling in 1973"
              r"|directed|starred|appeared|recorded|composed|produced|filmed|painted|designed"
              r"|authored|co-?wrote|edited|debuted|launched|introduced|coached|captained"
              r"|signed|competed|represented|rector|president|chair(?:man|woman|person)?"
              r"|taught|lectured|returned|discovered|invented|developed|proposed|visited"
              r"|travell?ed|toured|began|started|opened|completed|earned|obtained|enrolled"
              r"|entered|settled|resigned|nominated|ordained|promoted|enlisted|fought|escaped"
              r"|renamed|lived\s+in")
# The same cues in the languages whose dates ``locale_dates`` reads, folded and lower-cased as
# the text is searched (a short list on purpose: CLDR has date words, not verbs). Chinese and
# Japanese put the verb after the date and write no spaces, so their cues need no word edge.
DEATH_CUES_OTHER = (r"morte?|meurt|decedee?|deces|disparue?|starb|gestorben|verstorben|tod"
                    r"|murio|fallecio|fallecid[oa]|muerte|fallecimiento|morto|morta|mori"
                    r"|decedut[oa]|morreu|faleceu|falecid[oa]|falecimento|overleed|overleden"
                    r"|stierf|умер(?:ла)?|скончал(?:ся|ась)|смерт[ьи]|погиб(?:ла)?|zmarl[a]?")
BIRTH_CUES_OTHER = (r"nee?(?=\s+(?:le|en|a|au)\b)|naissance|geboren|nacio|nacid[oa]|nacimiento"
                    r"|nat[oa]|nascita|nasceu|nascid[oa]|nascimento|родил(?:ся|ась)|рождения"
                    r"|urodzil[a]?")
_CJK_DEATH, _CJK_BIRTH = r"去世|逝世|死亡|死于|病逝|亡くな|死去|逝去", r"出生|生于|生まれ"
_CUE = re.compile(
    rf"\b(?:(?P<death>{DEATH_CUES}|{DEATH_CUES_OTHER})|(?P<birth>{BIRTH_CUES}|{BIRTH_CUES_OTHER})"
    rf"|(?P<other>{OTHER_CUES}))(?!\w)|(?P<death_>{_CJK_DEATH})|(?P<birth_>{_CJK_BIRTH})")


def _kind(cue: re.Match[str]) -> str:
    """"death", "birth" or "other" (the CJK groups end in "_": one name per group)."""
    return (cue.lastgroup or "").rstrip("_")
# Words that join alternative answers ("April 18, 1955, though some say April 17, 1955"): a date
# joined to a death date by these alone is another death date, stated as an alternative.
_COORDINATED = re.compile(
    r"^[\s,;:()\-]*(?:(?:or|and|but|though|although|some|sources|say|says|said|others|other|claim"
    r"|claims|possibly|perhaps|maybe|alternatively|reportedly|on|in|either)[\s,;:()\-]+)*$",
    re.IGNORECASE)
_LEADS_IN = re.compile(r"(?:\s+(?:on|in|at|the|of))*[\s,:]*$")
_RANGE = re.compile(r"^\s*(?:-|–|—|to|until)\s*$")
# A sentence ends at ". X" (not after an initial: "H. David") or at a line break.
_SENTENCE_END = re.compile(r"(?<!\s[A-Z])(?<!^[A-Z])[.!?;]\s+(?=[A-Z])|\n\s*")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class DateMention:
    """A date found in the response: its valid readings (two for an ambiguous 7/6/1954)."""

    start: int
    end: int
    text: str
    readings: tuple[Ymd, ...]
    cue: str = ""


def _valid(y: int | None, m: int | None, d: int | None) -> bool:
    """True when the stated fields can form a real date (month 13 or 30 February cannot)."""
    if m is not None and not 1 <= m <= 12:
        return False
    if d is None:
        return True
    try:
        date(2000 + y if y is not None and y < 100 else y or 2000, m or 1, d)
    except ValueError:
        return False
    return True


def _readings(m: re.Match[str], order: Order | None = None) -> tuple[Ymd, ...]:
    """The (y, m, d) a match can mean: both orders of "7/6/1954" unless the answer states its
    format (``date_order``), one reading otherwise."""
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else int(g["yy"]) if g.get("yy") else None
    pairs: set[tuple[int | None, int | None]]
    if g.get("a"):
        first, second = int(g["a"]), int(g["b"])
        both = {"dmy": (second, first), "mdy": (first, second)}  # (month, day)
        pairs = {both[order]} if order else set(both.values())
    else:
        month = (_month(g["mon"]) if g.get("mon") else int(g["mm"]) if g.get("mm") else None)
        day = g.get("day") or g.get("dd")
        pairs = {(month, int(day) if day else None)}
    return tuple((year, mo, d) for mo, d in sorted(pairs, key=str) if _valid(year, mo, d))


def _month(name: str) -> int | None:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or locale_dates.month_names().get(key)


def find_dates(text: str, low: str | None = None) -> list[DateMention]:
    """All non-overlapping date mentions, earliest pattern winning on overlap."""
    if not _DIGIT.search(text):  # every format has digits: most refusals stop here
        return []
    low = lowered(text) if low is None else low
    order = date_order.stated_order(low)
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []

    def keep(start: int, end: int, readings: tuple[Ymd, ...]) -> None:
        if not any(start < e and s < end for s, e in taken):
            taken.append((start, end))
            found.append(DateMention(start, end, text[start:end], readings))

    for m in named_days.pattern().finditer(low) if any(w in low for w in _NAMED_DAY_HINT) else ():
        day = named_days.resolve(m.group("holiday"), int(m.group("year")))
        keep(m.start(), m.end(), ((day.year, day.month, day.day),) if day else ())
    for pattern in _patterns(low):
        for m in pattern.finditer(low):
            keep(m.start(), m.end(), _readings(m, order))
    return _completed(text, sorted(found, key=lambda d: d.start))


_CONTINUES = re.compile(r"^[\s,;:.\-]*(?:on\s+|in\s+)?(?:the\s+)?$", re.IGNORECASE)


def _completed(text: str, found: list[DateMention]) -> list[DateMention]:
    """A date given in two steps is one date: "in April 1955, on the 17th", "in 1955... on
    April 17". The later mention fills the fields the earlier one left empty."""
    out: list[DateMention] = []
    for mention in found:
        last = out[-1] if out else None
        if (last is not None and len(last.readings) == 1 and len(mention.readings) == 1
                and _CONTINUES.match(text[last.end:mention.start])):
            merged = _merge(last.readings[0], mention.readings[0])
            if merged is not None:
                out[-1] = DateMention(last.start, mention.end, text[last.start:mention.end],
                                      (merged,))
                continue
        out.append(mention)
    return out


def _merge(first: Ymd, second: Ymd) -> Ymd | None:
    """The two readings as one, when each gives what the other lacks and nothing clashes."""
    if first[0] is None or second[0] is not None or first[2] is not None:
        return None
    if first[1] is not None and (second[1] is not None or second[2] is None):
        return None
    merged = (first[0], first[1] or second[1], second[2])
    return merged if _valid(*merged) else None


# Every named day in ``named_days`` holds one of these words (a cheap test before the scan).
_NAMED_DAY_HINT = (" day", " eve", "christmas", "thanksgiving")


def _patterns(low: str) -> tuple[re.Pattern[str], ...]:
    """The English patterns, with the locale ones (``locale_dates``) after the full dates when
    the text holds a foreign month name or a CJK date."""
    signs = tuple(sign in low for sign in _SIGNS)
    return _pattern_set(signs, locale_dates.may_hold_a_date(low))


_SIGNS = tuple(sorted({sign for hint in _HINTS if hint for sign in hint}))


@lru_cache(maxsize=128)
def _pattern_set(signs: tuple[bool, ...], foreign: bool) -> tuple[re.Pattern[str], ...]:
    """The patterns to run for a text with these signs (``_HINTS``), worked out once."""
    present = {sign for sign, there in zip(_SIGNS, signs, strict=True) if there}
    keep = [i for i, hint in enumerate(_HINTS) if hint is None or present & set(hint)]
    english = tuple(_PATTERNS[i] for i in keep)
    if not foreign:
        return english
    full = sum(1 for i in keep if i < _FULL_DATES)
    return english[:full] + locale_dates.patterns() + english[full:]


def tag_events(text: str, low: str, mentions: list[DateMention],
              question: str = "") -> list[DateMention]:
    """Tag each mention with the event it dates. A "1879 – 1955" range is birth – death
    (unless the question holds it: a term of office); otherwise the nearest cue before the
    date in its sentence, else the first cue after it; a date offered as an alternative to a
    tagged one ("..., or April 17") shares its tag."""
    stops = [m.end() for m in _SENTENCE_END.finditer(text)]
    tags = _range_tags(text, mentions, question)
    for i, mention in enumerate(mentions):
        if not tags[i] and (_work_year(text, mention, question)
                            or _SPELL_START.search(low, max(0, mention.start - 8), mention.start)):
            tags[i] = "other"  # "The Hireling (1973)", "taught there from 1976"
        if tags[i]:
            continue
        prev_end = mentions[i - 1].end if i else 0
        # an age ("a 23-year-old singer") between a date and its verb does not bound the search
        later = [m for m in mentions[i + 1:] if m.readings or not mention.readings]
        next_start = later[0].start if later else len(text)
        lo = max([s for s in stops if s <= mention.start] + [prev_end])
        end = min([s for s in stops if s > mention.end] + [len(text)])
        before = [c for c in _CUE.finditer(low, lo, mention.end) if c.end() <= mention.start]
        cue = before[-1] if before else _CUE.search(low, mention.end, min(end, next_start))
        if cue and not before and i + 1 < len(mentions) and mentions[i + 1].readings \
                and _LEADS_IN.match(low, cue.end(), next_start):  # (an age takes no cue)
            cue = None  # "(1990-2000) died on May 5, 2012": the cue is the next date's
        if cue is None and not before:  # "On X, the 2009 prize was awarded": past the next date,
            cue = _CUE.search(low, mention.end, end)  # but only a non-death cue
            cue = cue if cue and _kind(cue) != "death" else None
        if cue and _kind(cue) == "death" and _RELATIVE.search(low, max(0, cue.start() - 60),
                                                              cue.start()):
            tags[i] = "other"  # "his son John was killed in 1915": another person's death
        elif cue:
            tags[i] = _kind(cue)
        elif i and tags[i - 1] and coordinated(text[prev_end:mention.start]):
            tags[i] = tags[i - 1]
    return [DateMention(m.start, m.end, m.text, m.readings, tag)
            for m, tag in zip(mentions, tags, strict=True)]


def _range_tags(text: str, mentions: list[DateMention], question: str = "") -> list[str]:
    """"birth"/"death" for the two ends of each "X – Y" lifespan, "" elsewhere."""
    tags = [""] * len(mentions)
    for i in range(len(mentions) - 1):
        if mentions[i].text in question and mentions[i + 1].text in question:
            continue  # "Chairperson (1990–2000)" repeated from the question
        if tags[i] or not _joined_as_range(text, mentions[i], mentions[i + 1]):
            continue
        if _lifespan(text, mentions[i], mentions[i + 1]):
            tags[i], tags[i + 1] = "birth", "death"
        elif not _death_just_before(text, mentions[i].start):
            tags[i], tags[i + 1] = "other", "other"  # "rector from 1922 to 1925": a spell
    return tags


# "The Shooting Party (1985)": a year in brackets after a capitalised name that is not the
# question's dates that work, not a death.
_TITLE_BEFORE = re.compile(r"(?P<word>[A-Z][\w'’\-]*)[\"'”’]?\s*\(\s*$")
_CLOSES = re.compile(r"\s*\)")


def _work_year(text: str, mention: DateMention, question: str) -> bool:
    """A lone year in brackets right after a title or another name than the question's."""
    if len(mention.readings) != 1 or mention.readings[0][1] is not None:
        return False
    title = _TITLE_BEFORE.search(text, max(0, mention.start - 40), mention.start)
    return bool(title and _CLOSES.match(text, mention.end)
                and title.group("word").lower() not in question.lower()
                and not _death_just_before(text, title.start()))


_SPELL_START = re.compile(r"\b(?:from|since)\s+$")
# The subject of a death cue is someone else: "Kipling's son John was killed", "his wife died".
_KIN = (r"son|daughter|wife|husband|father|mother|brother|sister|child|children|parents?"
        r"|grand(?:son|daughter|father|mother|child)|uncle|aunt|nephew|niece|cousin|friend"
        r"|partner|fianc[eé]e?|widow(?:er)?|colleague|mentor|teacher|student")
_RELATIVE = re.compile(
    rf"\b(?:his|her|their|whose|[\w.\-]+'s)\s+(?:(?:eldest|youngest|only|first|second|late|beloved"
    rf"|older|younger|elder)\s+)?(?:{_KIN})(?:,?\s+[a-z][\w'\-]*(?:\s+[a-z][\w'\-]*)?,?)?"
    r"\s+(?:was\s+|had\s+|who\s+)?$")


_BETWEEN = re.compile(r"\bbetween\W*$", re.IGNORECASE)
_AND = re.compile(r"^\s*and\s*$", re.IGNORECASE)


def _joined_as_range(text: str, first: DateMention, last: DateMention) -> bool:
    """"1922 to 1925", "1879–1955", "between 1899 and 1901"."""
    gap = text[first.end:last.start]
    return bool(_RANGE.match(gap)) or bool(
        _AND.match(gap) and _BETWEEN.search(text, max(0, first.start - 12), first.start))


def _death_just_before(text: str, start: int) -> bool:
    """"died between 1922 and 1925": a death cue right before the range dates the death."""
    cues = list(_CUE.finditer(lowered(text[max(0, start - 30):start])))
    return bool(cues) and _kind(cues[-1]) == "death"


_SPELL = re.compile(r"\b(?:season|term|tenure|from|between|war|reign|campaign)\W*$", re.IGNORECASE)


def _lifespan(text: str, first: DateMention, last: DateMention) -> bool:
    """Whether "X – Y" can be a life: ten years or more, and not a season, term or war
    ("the 2019-2020 season", "from 1990 to 2000")."""
    years = [r[0] for m in (first, last) for r in m.readings[:1] if r[0] is not None]
    if len(years) == 2 and years[0] > 999 and years[1] - years[0] < 10:
        return False
    return not _SPELL.search(text, max(0, first.start - 20), first.start)


def coordinated(between: str) -> bool:
    """Whether two answers are joined as alternatives ("2014 or 2015")."""
    return bool(_COORDINATED.match(between))


def answer_dates(text: str, question: str = "") -> list[DateMention]:
    """The dates the response gives as the death: death-cued ones, else the uncued ones that
    do not just repeat the question ("Nobel laureate in Physics (1985)")."""
    low = lowered(text)
    mentions = find_dates(text, low)
    if not mentions:
        return []
    mentions = tag_events(text, low, mentions, question)
    death = [m for m in mentions if m.cue == "death"]
    return death or [m for m in mentions if not m.cue and m.text not in question]


def gold_date(item: ProbeItem) -> tuple[Ymd, int]:
    """Gold (y, m, d) from the ISO answer and how many fields the item's precision compares."""
    parts = [int(p) for p in (item.answer or "").split("-") if p]
    fields = {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}
    wanted = fields.get(item.precision, len(parts)) if item.precision else len(parts)
    padded = [*parts, None, None, None][:3]
    return (padded[0], padded[1], padded[2]), min(wanted, len(parts))


def _compare(reading: Ymd, gold: Ymd, fields: int) -> str:
    stated = [i for i in range(fields) if reading[i] is not None]
    if not stated:
        return "none"
    year, gold_year = reading[0], gold[0]
    if year is not None and year < 100 and gold_year is not None:  # two-digit year
        reading = (gold_year if gold_year % 100 == year else -1, reading[1], reading[2])
    if any(reading[i] != gold[i] for i in stated):
        return "wrong"
    return "correct" if len(stated) == fields else "vague"


def judge(mention: DateMention, gold: Ymd, fields: int) -> str:
    """correct / vague / wrong / none for one mention; "ambiguous" when its two numeric
    readings (d/m and m/d) disagree, and "wrong" for an impossible date."""
    outcomes = {_compare(r, gold, fields) for r in mention.readings}
    if not outcomes:
        return "wrong"
    return outcomes.pop() if len(outcomes) == 1 else "ambiguous"


_VERDICTS = (
    ("wrong", Label.HALLUCINATED, "states a death date that contradicts the gold"),
    ("ambiguous", Label.UNSCORED, "numeric date reads both as d/m and m/d, only one matches"),
    ("correct", Label.CORRECT, "states the gold date"),
    ("vague", Label.VAGUE, "consistent with the gold but less precise"),
)


NO_ANSWER = "no death date found"
# "died on 13.III.2025": a date was given, in a form no pattern reads.
_UNREAD = re.compile(rf"\b(?:{DEATH_CUES})\s+(?:on|in)\s+(?:the\s+)?\S*\d\S*")
# "X died at the age of 82": a death stated without a date (a claim about a control).
_DEATH_CLAIM = re.compile(r"\b(?:died|passed\s+away|was\s+(?:killed|murdered|assassinated)"
                          r"|is\s+(?:dead|deceased)|(?:his|her|their)\s+death\s+(?:occurred|came)"
                          # "the artist's untimely passing", "his sudden death"
                          r"|(?:his|her|their|\w+'s)\s+(?:untimely|recent|tragic|sudden|early)\s+"
                          r"(?:passing|death|demise))\b")
_NOT_A_CLAIM = re.compile(r"\b(?:when|whether|if|not|never|no|yet|how|where|why|unless)\b|n't")


def death_claim(text: str) -> str | None:
    """A plain statement that the person died (not "I don't know when he died")."""
    low = lowered(text)
    for m in _DEATH_CLAIM.finditer(low):
        starts = [c.end() for c in _CLAUSE.finditer(low, 0, m.start())]
        if not _NOT_A_CLAIM.search(low, starts[-1] if starts else 0, m.start()):
            return text[m.start():m.end()]
    return None


_CLAUSE = re.compile(r"[.!?;,]\s")


# "in the late 1980s", "the 2010s": a decade (part) holds the gold year or it does not.
DECADE = re.compile(r"\b(?:(?P<part>early|mid|late)[\s-]+)?(?P<decade>1\d{2}0|20\d0)'?s\b")
DECADE_PARTS = {"early": range(0, 4), "mid": range(3, 8), "late": range(6, 10),
                None: range(0, 10)}


def decade_outcome(m: re.Match[str], gold_year: int) -> str:
    """"vague" when the decade (or its early/mid/late part) holds the gold year, else "wrong"."""
    offset = gold_year - int(m.group("decade"))
    return "vague" if offset in DECADE_PARTS[m.group("part")] else "wrong"


def death_decade(text: str) -> Span | None:
    """A decade given as the death ("died in the early 1970s"): a death cue before it in its
    sentence, and no birth or other event cue closer to it."""
    low = lowered(text)
    for m in DECADE.finditer(low):
        start = max([e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())] + [0])
        cues = list(_CUE.finditer(low, start, m.start()))
        if cues and _kind(cues[-1]) == "death":
            return Span(m.start(), m.end(), text[m.start():m.end()])
    return None


def _decade_grade(item: ProbeItem, span: Span) -> Grade:
    if not item.exists or not item.answer:
        return Grade(Label.HALLUCINATED, span.text, "states a death decade for a control")
    m = DECADE.match(lowered(span.text))
    gold_year = gold_date(item)[0][0]
    if m is None or gold_year is None or decade_outcome(m, gold_year) == "wrong":
        return Grade(Label.HALLUCINATED, span.text, "states a death decade that excludes the gold")
    return Grade(Label.VAGUE, span.text, "death decade consistent with the gold")


def match(item: ProbeItem, text: str) -> Grade:
    """Grade the stated death date against ``item.answer`` at ``item.precision``."""
    answers = answer_dates(text, item.question)
    if not answers and (decade := death_decade(text)) is not None:
        return _decade_grade(item, decade)
    if not answers:
        low = lowered(text)
        unread = _UNREAD.search(low)
        if unread and not _RELATIVE.search(low, max(0, unread.start() - 60), unread.start()):
            return Grade(Label.UNSCORED, text[unread.start():unread.end()],
                         "a death date the grader cannot read")
        return Grade(Label.UNSCORED, None, NO_ANSWER)
    if not item.exists or not item.answer:
        return Grade(Label.HALLUCINATED, answers[0].text, "states a death date for a control")
    gold, fields = gold_date(item)
    outcomes = {judge(m, gold, fields): m for m in reversed(answers)}
    for outcome, label, reason in _VERDICTS:
        if outcome in outcomes:
            return Grade(label, outcomes[outcome].text, reason)
    return Grade(Label.UNSCORED, answers[0].text, "no date comparable at the item's precision")
