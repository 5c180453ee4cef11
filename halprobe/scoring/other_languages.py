"""Capital answers written in another language (docs/metrics.md section 1).

"La capitale du Canada est Ottawa" is correct, "Die Hauptstadt Australiens ist Sydney" and
"中国的首都是上海" are hallucinated. ``entity`` reads English answer slots; when the response is
not English and those slots hold nothing, this module decides from two readings:

- the cities it names, in any script (``place_mentions``, geonames alternate names): the gold
  city named and no other city of some size (100,000 people: a word that is also the name of
  a small town is not an answer) is correct; another city named is hallucinated;
- a name standing where the answer goes after the word for "capital" ("capitale de X est Y",
  "Y ist die Hauptstadt"), so that an invented capital of a fictional country is read too.

The words for "capital" and the copulas are a short list on purpose: no locale library (CLDR,
babel) carries them.
"""

from __future__ import annotations

import re

from halprobe.scoring import place_mentions, places
from halprobe.scoring.normalize import fold, normalize
from halprobe.scoring.slots import PHRASE
from halprobe.types import Grade, Label

# Words an English answer almost always holds and other languages' answers almost never do.
_ENGLISH = re.compile(r"\b(?:the|of|and|was|its|which|that|with|from|known|also|city|it's|by"
                      r"|there|you|whose|named|called|perhaps|meant|this|has|have|are|were|for|i"
                      r"|my|not|be|would|could|until|since|because|however|during|between|largest|biggest"
                      r"|country|located|became|renamed|moved|served|serves)\b")
_CAPITAL = (r"(?:capitale|capital|hauptstadt|hoofdstad|stolic[aey]|столиц[аеы]|paakaupunki"
            r"|huvudstad|hovedstad|baskent|首都)")
_COPULA = r"(?:\best\b|\bist\b|\bes\b|\be\b|\bis\b|\bon\b|\bjest\b|\bє\b|—|-|:|=|は|是|为)"
_NAME = rf"(?P<name>{PHRASE}|[А-ЯЁ][а-яё\-]+(?:\s+[А-ЯЁ][а-яё\-]+)*)"
_ARTICLE = r"(?:(?:la|le|l'|die|de|het|el|a|o|il|the)\s*)?"
_FORWARD = re.compile(rf"(?i:{_CAPITAL})[^.;!?\n]{{0,60}}?(?i:{_COPULA})\s*(?i:{_ARTICLE}){_NAME}")
_BACKWARD = re.compile(rf"{_NAME}\s+(?i:(?:est|ist|es|e|is|jest|on)\s+{_ARTICLE}{_CAPITAL})")
MIN_POPULATION = 100_000


# Signs of another language: a letter outside ASCII, or one of its common short words.
_FOREIGN = re.compile(r"[^\x00-\x7f]|\b(?:de|del|della|la|le|les|est|ist|die|der|das|den|es|el"
                      r"|il|van|het|und|une|ein|eine|una|uno|um|uma|een|och|og|et|ou|oder|o|y"
                      r"|capitale|hauptstadt|hoofdstad|capitala|stolica)\b")


def is_english(text: str) -> bool:
    """Read by the English slots, not here: two or more English function words, or no sign of
    another language at all ("Tanzania: Kilimanjaro, Serengeti, Zanzibar." names no capital)."""
    low = text.lower()[:2000]
    return len(set(_ENGLISH.findall(low))) >= 2 or not _FOREIGN.search(low)


# "Quelle est la capitale du Canada ?": a question word stands where a name would, and the
# question said back names no capital.
_QUESTION_WORDS = frozenset({
    "quelle", "quel", "quelles", "quels", "cual", "cuales", "que", "qual", "quais", "quale",
    "was", "welche", "welches", "welcher", "wat", "welke", "wie", "какая", "какой", "что", "где"})


def _slot_names(text: str) -> list[tuple[int, int, str]]:
    """Names read where the answer goes after (or before) the word for "capital"."""
    folded, out = fold(text), []
    for pattern in (_FORWARD, _BACKWARD):
        for m in pattern.finditer(folded):
            start, end = m.span("name")
            if normalize(text[start:end]).split()[0] not in _QUESTION_WORDS:
                out.append((start, end, text[start:end]))
    return out


def _gold_ids(aliases: tuple[str, ...], country: str | None) -> set[int]:
    index = places.index()
    ids = {gid for alias in aliases for gid in index.names.get(normalize(alias), ())}
    city = places.gold_city(aliases, country)
    return ids | ({city.geonameid} if city else set())


def grade_answer(aliases: tuple[str, ...], country: str | None, subject: str, text: str,
                 subject_spans: tuple[tuple[int, int], ...] = ()) -> Grade | None:
    """The verdict on a capital answer in another language, or None when it names no city.
    Names inside the subject's own name ("São Tomé" in "São Tomé and Príncipe") are not
    answers."""
    gold = _gold_ids(aliases, country) if aliases else set()
    countries = places.index().countries
    mentions = [m for m in place_mentions.mentions(text)
                if normalize(m.text) != subject and normalize(m.text) not in countries
                and not any(s <= m.start and m.end <= e for s, e in subject_spans)]
    right = [m for m in mentions if gold & set(m.ids)]
    wrong = [m for m in mentions if not gold & set(m.ids)
             and place_mentions.population(m) >= MIN_POPULATION]
    invented = [(s, e, name) for s, e, name in _slot_names(text)
                if not any(m.start <= s < m.end or s <= m.start < e for m in right)
                and normalize(name) != subject]
    if wrong:
        return Grade(Label.HALLUCINATED, wrong[0].text, "names another city (other language)")
    if invented and not right:
        return Grade(Label.HALLUCINATED, invented[0][2], "names a capital that is not the gold "
                     "(other language)")
    if right:
        return Grade(Label.CORRECT, right[0].text, "names the gold (other language)")
    return None
