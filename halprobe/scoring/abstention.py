"""Abstention detector: the phrases are plain data (docs/style.md habit 3), the code only runs them.

Three kinds of phrase matter (docs/metrics.md section 1):
- refusals ("I don't know", "there is no such paper"): the response declines;
- "X is (still) alive": a refusal for a death-date question about a living or fictional person,
  but a false claim when the person is dead, so ``grade`` decides with ``item.exists``;
- knowledge-cutoff preambles ("as of my last update in October 2023"): not a refusal, but their
  date must not be read as the answer.
Refusal and cutoff phrases are blanked out (same length, so offsets hold) before the typed
matcher runs: whatever answer is left after "I'm not sure, but" is the guess that gets graded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from halprobe.scoring.normalize import Span, lowered

# "I don't know" and "no such ..." in the languages the grader reads (docs/metrics.md section 1: the
# answer's language does not matter). A short hand list on purpose: no locale library (CLDR,
# babel) carries refusal phrases. Written folded and lower-cased, as the text is searched.
OTHER_LANGUAGES: tuple[str, ...] = (
    r"\bje\s+ne\s+(?:sais|connais)\s+pas\b", r"\bje\s+ne\s+suis\s+pas\s+s[uu]re?\b",
    r"\baucune\s+(?:idee|information)\b", r"\bn'existe\s+pas\b",
    r"\b(?:ich\s+)?wei(?:ß|ss)\s+(?:es\s+|ich\s+)?nicht\b", r"\bkeine?\s+ahnung\b",
    r"\bich\s+bin\s+(?:mir\s+)?nicht\s+sicher\b", r"\bkein(?:e|en)?\s+(?:echte[sn]?|reale[sn]?)\b",
    r"\bno\s+(?:lo\s+)?se\b", r"\bno\s+conozco\b", r"\bno\s+estoy\s+segur[oa]\b",
    r"\bno\s+tengo\s+(?:informacion|idea)\b", r"\bno\s+existe\b",
    r"\bnon\s+(?:lo\s+)?so\b", r"\bnon\s+conosco\b", r"\bnon\s+sono\s+sicur[oa]\b",
    r"\bnao\s+(?:o\s+)?sei\b", r"\bnao\s+conheco\b", r"\bnao\s+tenho\s+(?:certeza|informac)",
    r"\b(?:ik\s+)?weet\s+(?:het\s+)?(?:ik\s+)?niet\b", r"\bgeen\s+idee\b",
    r"\bне\s+(?:знаю|уверен[аы]?|существует)\b", r"\bнет\s+(?:информации|данных)\b",
    r"不知道", r"不确定", r"不清楚", r"わかりません", r"分かりません", r"知りません",
)
_CANNOT = (r"(?:could\s*n'?t|could\s+not|can'?t|cannot|can\s+not|was\s+unable\s+to|am\s+unable\s+to"
           r"|'m\s+unable\s+to|did\s*n'?t|did\s+not|do\s+not|don'?t|wo\s*n'?t|would\s*n'?t|would\s+not"
           r"|will\s+not|am\s+not\s+able\s+to|'m\s+not\s+able\s+to|was\s+not\s+able\s+to)")
_VERBS = (r"(?:find|provide|locate|determine|confirm|verify|answer|identify|give|access|recall"
          r"|remember|say|tell|help|know|be\s+(?:sure|certain)|want\s+to\s+guess|guess|speculate"
          r"|assist|share|offer|pinpoint|specify)")
_INFO = r"(?:information|data|details|knowledge|records?|access|ability|idea|answer)"
REFUSAL_PATTERNS: tuple[str, ...] = (
    r"\bi\s+(?:really\s+|honestly\s+|simply\s+|just\s+|truly\s+)?(?:do\s+not|don'?t)\s+know\b",
    r"\bi(?:'d|\s+would)\s+rather\s+not\s+(?:guess|say|speculate|answer)\b",
    r"\bi\s+(?:do\s+not|don'?t)\s+have\s+(?:any\s+)?(?:specific\s+|reliable\s+|accurate\s+|enough\s+"
    r"|real[-\s]time\s+|up[-\s]to[-\s]date\s+|access\s+to\s+|the\s+|that\s+|this\s+|such\s+)?"
    + _INFO + r"\b",
    r"\bi\s+(?:lack|do\s+not\s+possess|don'?t\s+possess)\s+(?:any\s+)?(?:\w+\s+)?" + _INFO + r"\b",
    r"\bi(?:'m|\s+am)\s+not\s+(?:entirely\s+|completely\s+|100%\s+|quite\s+)?(?:sure|certain|aware"
    r"|familiar)\b",
    r"\bnot\s+(?:sure|certain)\b",
    rf"\bi\s+{_CANNOT}\s+(?:\w+\s+)?{_VERBS}\b"
    # "I can't tell you how much I love it", "I can't say enough about it": not a decline
    r"(?!\s+(?:you\s+|them\s+)?(?:how\s+(?:much|many|happy|glad|proud)|enough))",
    r"\b(?:unable|not\s+able)\s+to\s+(?:find|provide|determine|confirm|verify|answer|locate|identify"
    r"|say|tell|recall)\b",
    r"\b(?:i|we)\s+have\s+(?:no|not)\s+(?:\w+\s+)?(?:information|knowledge|records?|data|details|idea"
    r"|heard|found|come\s+across)\b",
    r"\bi(?:'ve|\s+have)\s+never\s+(?:heard|come\s+across|seen)\b",
    r"\bno\s+idea\b",
    # idioms of not knowing: "No clue.", "Beats me.", "Hard to say.", "Who knows?"
    r"\bno\s+clue\b", r"\bbeats\s+me\b", r"\b(?:hard|difficult|impossible)\s+to\s+say\b",
    r"^\W*who\s+knows\W*$", r"\bdrawing\s+a\s+blank\b", r"\bescapes\s+me\b",
    r"\b(?:can'?t|cannot)\s+(?:say|tell)\s+for\s+(?:sure|certain)\b",
    r"\bno\s+such\s+(?:paper|article|publication|work|person|individual|people|country|nation"
    r"|state|place|city|capital|author|record|entity|title)s?\b",
    r"\bno\s+(?:reliable\s+|available\s+|public(?:ly\s+available)?\s+|known\s+|specific\s+|verifiable\s+"
    r"|such\s+|further\s+|other\s+|additional\s+)?(?:information|records?|data|details|evidence|mention)\b",
    r"\bthere\s+(?:is|are|was|were)\s+no\s+(?:such|known|record|information|evidence|country|nation"
    r"|person|paper|author|city|individual|one|publication|article|data|capital)\b",
    r"\bthere(?:'s|\s+is)\s+no\s+(?:\w+\s+){0,2}(?:named|called|by\s+th(?:at|e)\s+name|with\s+th(?:at|is)"
    r"\s+(?:name|title))\b",
    r"\b(?:does|do|did)\s*(?:n'?t|\s+not)\s+(?:appear\s+to\s+|seem\s+to\s+)?exist\b",
    r"\b(?:is|are|was|appears\s+to\s+be|seems\s+to\s+be|may\s+be|might\s+be|could\s+be)\s+(?:a\s+|an\s+)?"
    r"(?:fictional|fictitious|made[-\s]up|imaginary|hypothetical|non[-\s]?existent|invented|fabricated)\b"
    # "its capital is a fictional city named Erebo" names a capital: an answer, not a decline
    r"(?!\s+(?:city|town|capital|place|settlement)\s+(?:named|called|known\s+as))",
    r"\bnot\s+(?:a\s+)?(?:real|recogni[sz]ed|known|existing)\s+(?:country|nation|state|person|paper"
    r"|individual|place|publication|author)\b",
    r"\bnot\s+a\s+real\b",
    r"\b(?:is|are|remains?)\s+(?:currently\s+|still\s+)?unknown\b(?!\s+to\s+(?!me\b|us\b))",
    r"^\W*unknown\W*$",
    # "Author: Unknown"
    r"\b(?:authors?|capital|date|year|answer|death|died)\s*[:=\-]\s*(?:\*\*)?unknown\b",
    r"\bnot\s+(?:known|available|familiar)\s+to\s+me\b",
    r"\b(?:is|are)\s+not\s+(?:something|a\s+\w+)\s+(?:that\s+)?i\s+(?:know|can\s+find|recogni[sz]e)\b",
    r"\bnot\s+(?:a\s+\w+\s+)?i\s+(?:know|can\s+find|recogni[sz]e|have\s+heard\s+of)\b",
    r"\bmy\s+(?:knowledge|training(?:\s+data)?|data|information)\s+(?:does\s*n'?t|does\s+not|do\s+not"
    r"|don'?t)\s+(?:extend|include|cover|contain)\b",
    r"\bi(?:\s+would|'d)\s+(?:need|have)\s+to\s+(?:check|verify|look)\b",
    r"\bi\s+(?:would\s*n'?t|would\s+not|can'?t|cannot|won'?t)\s+(?:want\s+to\s+)?(?:guess|speculate)\b",
    r"\bi(?:'m|\s+am)\s+(?:afraid|sorry)\s+(?:but\s+)?i\s+(?:can'?t|cannot|don'?t|do\s+not)\b",
    r"\bnot\s+(?:a|an)\s+(?:\w+\s+){0,2}(?:that\s+)?i(?:'m|\s+am)\s+(?:aware|familiar)\s+(?:of|with)\b",
    r"\b(?:does|do|did)\s*(?:n'?t|\s+not)\s+(?:appear|seem)\s+to\s+be\s+(?:a|an|any)\s",
)

ALIVE_PATTERNS: tuple[str, ...] = (
    r"\b(?:is|'s|are)\s+(?:still\s+|currently\s+|very\s+much\s+)?alive\b",
    r"\bis\s+(?:still\s+)?living\b",
    r"\bstill\s+(?:alive|living|with\s+us)\b",
    r"\b(?:has|have)\s*(?:n'?t|\s+not)\s+(?:yet\s+)?(?:died|passed(?:\s+away)?)\b",
    r"\b(?:is|are)\s+not\s+(?:dead|deceased)\b",
    r"\b(?:appears?|seems?)\s+to\s+be\s+(?:still\s+)?alive\b",
    r"\bremains?\s+alive\b",
    r"\b(?:now|currently|still|today)\s+(?:lives|resides|works|teaches)\b",
    r"\b(?:lives|resides)\s+(?:in|with)\b",
    # the same in the other languages the grader reads (folded, lower case)
    r"\b(?:toujours|encore)\s+(?:vivante?|en\s+vie)\b", r"\best\s+vivante?\b",
    r"\b(?:lebt\s+noch|noch\s+am\s+leben)\b", r"\b(?:sigue|esta|continua)\s+viv[oa]\b",
    r"\b(?:ancora|e)\s+viv[oa]\b", r"\bainda\s+(?:viv[oa]|vive)\b", r"\bleeft\s+nog\b",
    r"\b(?:жив|жива)\b",
)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WHEN = (rf"(?:\s*(?:(?:in|of|on|is|was)\s+)?(?:{_MONTH}\s+)?"
         r"(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?\d{4})?")
CUTOFF_PATTERNS: tuple[str, ...] = (
    r"\bas\s+of\s+(?:my\s+|the\s+)?(?:(?:last|latest|most\s+recent)\s+)?(?:(?:knowledge|training)\s+)?"
    r"(?:cut-?\s?off|update|training\s+data|information|data)?(?:\s+date)?" + _WHEN,
    r"\b(?:knowledge|training)\s+(?:cut-?\s?off|data)(?:\s+date)?"
    r"(?:\s+(?:goes\s+up\s+to|until))?" + _WHEN,
)


def _compile(**kinds: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation for every kind (one scan of the text, the kind is ``lastgroup``), run on
    lower-cased text: the patterns are lower case."""
    return re.compile("|".join(f"(?P<{kind}>{'|'.join(f'(?:{p})' for p in patterns)})"
                               for kind, patterns in kinds.items()))


# One regex per mix of kinds: the alive and cutoff phrases are left out of the scan when the
# words they all contain are absent (each branch costs about a microsecond a response).
_PHRASES = {
    (alive, cutoff, other): _compile(
        refusal=REFUSAL_PATTERNS + (OTHER_LANGUAGES if other else ()),
        **({"alive": ALIVE_PATTERNS} if alive else {}),
        **({"cutoff": CUTOFF_PATTERNS} if cutoff else {}))
    for alive in (False, True) for cutoff in (False, True) for other in (False, True)}
# The other languages' refusals are scanned only for a text with a non-ASCII letter or one of
# their words (most answers are English: the longer scan would cost every one of them).
_OTHER_WORDS = re.compile(r"[^\x00-\x7f]|\b(?:ne|weiss|keine?n?|non|nao|niet|geen|aucune)\b"
                          r"|\bno\s+(?:se|lo|conozco|estoy|tengo|existe)\b|n'existe")
_ALIVE_WORDS = re.compile(r"alive|living|with\s+us|died|passed|dead|deceased|lives|resides"
                          r"|works|teaches|viv|leben|leeft|жив")
_CUTOFF_WORDS = re.compile(r"as\s+of|knowledge|training")
# Every phrase above contains one of these: a response with none (most answers) skips the
# scan, which costs tens of microseconds (keep the list in step with the patterns).
TRIGGERS: tuple[str, ...] = (
    "n't", "no ", "not", "cannot", "unable", "never", "lack", "possess", "know", "ficti", "made",
    "imaginary", "hypothetical", "existent", "invented", "fabricated", "unknown", "need",
    "have to", "alive", "living", "with us", "as of", "training", "aware", "appear to",
    "seem to", "ne sai", "ne con", "ne suis", "n'exist", "weiß", "weiss", "kein", "non so",
    "non lo", "non con", "non son", "nao sei", "nao con", "nao ten", "niet", "geen", "не ",
    "нет ", "不", "ません", "lives", "resides", "works", "teaches", "vivo", "viva",
    "vivant", "vive", "en vie", "leben", "leeft", "жив", "clue", "beats", "to say", "knows",
    "blank", "escapes")
_TRIGGER = re.compile("|".join(map(re.escape, TRIGGERS)))
# "I'm not sure whether he is still alive" asks, it does not claim.
_CONDITIONAL = re.compile(r"\b(?:if|whether)\b[^.!?;]*$")


# "The origin of the name is unknown", "the cause of his death remains unknown": something
# other than the asked fact is unknown, which declines nothing.
_ASIDE_SUBJECT = re.compile(r"\b(?:birthplace|origin|etymology|meaning|reason|cause|motive"
                            r"|whereabouts|population|number|size)\b[^.;!?]*$")


def _unknown_aside(m: re.Match[str], low: str) -> bool:
    return m.lastgroup == "refusal" and "unknown" in m.group() and bool(
        _ASIDE_SUBJECT.search(low, max(0, m.start() - 80), m.start()))


@dataclass(frozen=True)
class Abstention:
    """What the detector found, plus the response with refusal/cutoff phrases blanked out."""

    refusals: tuple[Span, ...]
    alive: tuple[Span, ...]
    masked: str

    @property
    def declines(self) -> bool:
        return bool(self.refusals)


def _blank(text: str, spans: tuple[Span, ...]) -> str:
    """Replace spans by spaces, keeping every other character where it was."""
    if not spans:
        return text
    chars = list(text)
    for span in spans:
        chars[span.start:span.end] = " " * (span.end - span.start)
    return "".join(chars)


def detect(text: str) -> Abstention:
    """Find refusal, alive and cutoff phrases in a response (case and accent insensitive)."""
    low = lowered(text)
    if not _TRIGGER.search(low):
        return Abstention((), (), text)
    found: dict[str | None, list[Span]] = {"refusal": [], "alive": [], "cutoff": []}
    phrases = _PHRASES[bool(_ALIVE_WORDS.search(low)), bool(_CUTOFF_WORDS.search(low)),
                       bool(_OTHER_WORDS.search(low))]
    for m in phrases.finditer(low):
        if m.end() == m.start() or (m.lastgroup == "alive" and _CONDITIONAL.search(
                low, max(0, m.start() - 60), m.start())) or _unknown_aside(m, low):
            continue
        found[m.lastgroup].append(Span(m.start(), m.end(), text[m.start():m.end()]))
    refusals, alive = tuple(found["refusal"]), tuple(found["alive"])
    return Abstention(refusals, alive, _blank(text, refusals + tuple(found["cutoff"])))
