"""Which event each date in an answer dates: the death, the birth, or something else.

"Einstein, born on March 14, 1879, died on April 18, 1955": only the second date answers a
death-date question. A date takes the nearest cue before it in its sentence (``date_cues``),
else the first after it; a "1879 – 1955" range is a lifespan; a spell of years ("rector from
1922 to 1925"), a work's year in brackets ("The Hireling (1973)") and another person's death
("his son John was killed in 1915") date something else.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from halprobe.scoring.date_cues import CUE, cues, kind
from halprobe.scoring.date_mentions import DateMention
from halprobe.scoring.normalize import lowered

# Words that join alternative answers ("April 18, 1955, though some say April 17, 1955"): a date
# joined to a death date by these alone is another death date, stated as an alternative.
_COORDINATED = re.compile(
    r"^[\s,;:()\-]*(?:(?:or|and|but|though|although|some|sources|say|says|said|others|other|claim"
    r"|claims|possibly|perhaps|maybe|alternatively|reportedly|on|in|either)[\s,;:()\-]+)*$",
    re.IGNORECASE)
_LEADS_IN = re.compile(r"(?:\s+(?:on|in|at|the|of))*[\s,:]*$")
_RANGE = re.compile(r"^\s*(?:-|–|—|to|until)\s*$")
# A sentence ends at ". X" (not after an initial: "H. David") or at a line break.
SENTENCE_END = re.compile(r"(?<!\s[A-Z])(?<!^[A-Z])[.!?;]\s+(?=[A-Z])|\n\s*")


_REACH = 300


def tag_events(text: str, low: str, mentions: list[DateMention],
              question: str = "") -> list[DateMention]:
    """Tag each mention with the event it dates. A "1879 – 1955" range is birth – death
    (unless the question holds it: a term of office); otherwise the nearest cue before the
    date in its sentence, else the first cue after it; a date offered as an alternative to a
    tagged one ("..., or April 17") shares its tag."""
    stops = [m.end() for m in SENTENCE_END.finditer(text)]
    tags = _range_tags(text, mentions, question)
    for i, mention in enumerate(mentions):
        if not tags[i] and (_work_year(text, mention, question)
                            or _SPELL_START.search(low, max(0, mention.start - 8), mention.start)):
            tags[i] = "other"  # "The Hireling (1973)", "taught there from 1976"
        if tags[i]:
            continue
        prev_end = mentions[i - 1].end if i else 0
        # an age ("a 23-year-old singer") between a date and its verb does not bound the search
        next_start = next((mentions[j].start for j in range(i + 1, len(mentions))
                           if mentions[j].readings or not mention.readings), len(text))
        # the sentence around the date, at most _REACH characters each side (a 100 kB text
        # with no sentence end is not read whole for every date in it)
        at = bisect_right(stops, mention.start)
        lo = max(stops[at - 1] if at else 0, prev_end, mention.start - _REACH)
        nxt = bisect_right(stops, mention.end)
        end = min(stops[nxt] if nxt < len(stops) else len(text), mention.end + _REACH)
        before = [c for c in cues(text, low, lo, mention.end) if c.end() <= mention.start]
        after = cues(text, low, mention.end, min(end, next_start))
        cue = before[-1] if before else (after[0] if after else None)
        if cue and not before and i + 1 < len(mentions) and mentions[i + 1].readings \
                and _LEADS_IN.match(low, cue.end(), next_start):  # (an age takes no cue)
            cue = None  # "(1990-2000) died on May 5, 2012": the cue is the next date's
        if cue is None and not before:  # "On X, the 2009 prize was awarded": past the next date,
            found = cues(text, low, mention.end, end)  # but only a non-death cue
            cue = found[0] if found else None
            cue = cue if cue and kind(cue) != "death" else None
        if cue and kind(cue) == "death" and _relative_dies(low, lo, cue.start()):
            tags[i] = "other"  # "his son John was killed in 1915": another person's death
        elif cue:
            tags[i] = kind(cue)
        elif i and tags[i - 1] and coordinated(text[prev_end:mention.start]):
            tags[i] = tags[i - 1]
        elif _another_action(text, low, lo, end if _LEADS_A_CLAUSE.search(
                low, max(0, mention.start - 12), mention.start) else mention.start):
            tags[i] = "other"  # "In 2016, Laughlin gave a lecture at MIT."
    return [DateMention(m.start, m.end, m.text, m.readings, tag)
            for m, tag in zip(mentions, tags, strict=True)]


# A past-tense verb that no cue list holds ("gave a lecture", "toured Europe"): the sentence
# dates that action. Participles used as adjectives ("a renowned physicist") and verbs that
# report an event without naming it ("it happened on") are not actions.
_ACTION = re.compile(r"\b(?:gave|went|made|took|met|led|ran|sang|spoke|held|built|found|got"
                     r"|grew|knew|sold|told|brought|bought|drew|rose|stood|wore|saw|came|kept"
                     r"|[a-z]{3,}ed)\b")
_NOT_ACTION = frozenset({
    "renowned", "celebrated", "beloved", "esteemed", "acclaimed", "talented", "noted", "famed",
    "distinguished", "respected", "revered", "accomplished", "dedicated", "gifted", "skilled",
    "based", "named", "called", "titled", "entitled", "united", "limited", "advanced",
    "detailed", "dated", "aged", "estimated", "reported", "confirmed", "announced", "occurred",
    "happened", "listed", "recorded", "believed", "considered", "regarded", "reputed",
    "alleged", "supposed", "expected", "scheduled", "unrelated", "related", "needed", "wanted",
    "indeed", "embed", "speed", "breed", "seed", "feed", "weed", "bleed", "creed", "greed",
    "tweed", "steed", "hundred", "kindred", "sacred", "naked", "wicked", "rugged", "crooked",
    "learned", "mixed", "assisted", "unmatched", "fabled", "storied",
    "lauded", "decorated", "awarded", "honored", "honoured"})


# "In 2016, Laughlin gave a lecture": a date that opens its clause dates the verb after it;
# any other date ("The 20th of May, 2020 marked ...") only a verb before it.
_LEADS_A_CLAUSE = re.compile(r"\b(?:in|on|by|during)\s+(?:the\s+|his\s+|her\s+|their\s+|its\s+)?$")


def _another_action(text: str, low: str, start: int, end: int) -> bool:
    """Whether the sentence holds a lower-case past-tense verb of another action and no
    death cue (an uncued date there dates that action, not the death)."""
    if any(kind(c) == "death" for c in cues(text, low, start, end)):
        return False
    return any(m.group() not in _NOT_ACTION and text[m.start()].islower()
               for m in _ACTION.finditer(low, start, end))


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
RELATIVE = re.compile(
    rf"\b(?:his|her|their|whose|[\w.\-]+'s)\s+(?:(?:eldest|youngest|only|first|second|late|beloved"
    rf"|older|younger|elder)\s+)?(?:{_KIN})(?:,(?:\s+[a-z][\w'.\-]*){{1,3}},|\s+[a-z][\w'.\-]*)?"
    r"\s+(?:was\s+|had\s+|who\s+)?$")


# "Kipling's wife Caroline survived him by three years and died in 1939": the sentence is
# about a relative, and no "he" or "she" takes over before the cue.
_KIN_SUBJECT = re.compile(
    rf"^\W*(?:his|her|their|[\w.\-]+'s)\s+(?:(?:eldest|youngest|only|late|older|younger|elder)"
    rf"\s+)?(?:{_KIN})\b")
_NEW_SUBJECT = re.compile(r"\b(?:he|she|they|that)\b")  # "His son announced that Kipling died"


def _relative_dies(low: str, sentence: int, cue: int) -> bool:
    """Whether the death cue at ``cue`` is a relative's (see ``RELATIVE``)."""
    if RELATIVE.search(low, max(0, cue - 60), cue):
        return True
    subject = _KIN_SUBJECT.match(low, sentence, cue)
    return subject is not None and not _NEW_SUBJECT.search(low, subject.end(), cue)


_BETWEEN = re.compile(r"\bbetween\W*$", re.IGNORECASE)
_AND = re.compile(r"^\s*and\s*$", re.IGNORECASE)


def _joined_as_range(text: str, first: DateMention, last: DateMention) -> bool:
    """"1922 to 1925", "1879–1955", "between 1899 and 1901"."""
    gap = text[first.end:last.start]
    return bool(_RANGE.match(gap)) or bool(
        _AND.match(gap) and _BETWEEN.search(text, max(0, first.start - 12), first.start))


def _death_just_before(text: str, start: int) -> bool:
    """"died between 1922 and 1925": a death cue right before the range dates the death."""
    cues = list(CUE.finditer(lowered(text[max(0, start - 30):start])))
    return bool(cues) and kind(cues[-1]) == "death"


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
