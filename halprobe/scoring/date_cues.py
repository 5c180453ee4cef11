"""The words that say which event a date in an answer dates: a death, a birth, or another
event of a life ("won the prize in 1907", "directed The Hireling in 1973").

Plain data (docs/style.md habit 3), in English and in the languages whose dates
``locale_dates`` reads; ``date_events`` uses them to tell the death date from the others.
"""

from __future__ import annotations

import re

# "b." and "d." are cues only before a date ("b. 1879"), not as initials ("Stanley B. Prusiner").
_ABBREV = r"\.(?=\s*(?:\d|\(|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))"
DEATH_CUES = (r"died|dies|death|dead|passed\s+away|passing|killed|murdered|assassinated|executed"
              r"|lived\s+(?:until|till|to)"
              rf"|deceased|succumbed|breathed\s+(?:his|her|their)\s+last|left\s+us|demise|perished|lost\s+(?:his|her|their)\s+life|d{_ABBREV}")
BIRTH_CUES = rf"(?<!-)born|birth|b{_ABBREV}"  # not "German-born"
OTHER_CUES = (r"won|awarded|received|married|moved|graduated|joined|founded|retired|elected"
              r"|appointed|published|wrote|released|became|served|worked|studied|emigrated"
              r"|diagnosed|knighted|prize|award|medal|honou?red|inducted|premiered|season"
              # what a life's work is dated by: "directed The Hireling in 1973"
              r"|directed|starred|appeared|recorded|composed|produced|filmed|painted|designed"
              r"|authored|co-?wrote|edited|debuted|launched|introduced|coached|captained"
              r"|signed|competed|represented|rector|president|chair(?:man|woman|person)?"
              r"|taught|lectured|returned|discovered|invented|developed|proposed|visited"
              r"|travell?ed|toured|earned|obtained|enrolled"
              r"|settled|resigned|nominated|ordained|promoted|enlisted|fought|escaped"
              r"|renamed|lived\s+in|birthday")
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
CUE = re.compile(
    rf"\b(?:(?P<death>{DEATH_CUES}|{DEATH_CUES_OTHER})|(?P<birth>{BIRTH_CUES}|{BIRTH_CUES_OTHER})"
    rf"|(?P<other>{OTHER_CUES}))(?!\w)|(?P<death_>{_CJK_DEATH})|(?P<birth_>{_CJK_BIRTH})")


def kind(cue: re.Match[str]) -> str:
    """"death", "birth" or "other" (the CJK groups end in "_": one name per group)."""
    return (cue.lastgroup or "").rstrip("_")


# "death", "dead", "passing", "demise" date the person's death only when the text makes it
# theirs ("his death", "Wiesel's passing", "date of death:", "is dead", "the passing of Elie
# Wiesel"); as a topic ("the death camps", "a book on life and death", "the passing of the
# torch") they date nothing.
_TOPIC_NOUNS = frozenset({"death", "dead", "passing", "demise"})
_OWNED_BEFORE = re.compile(
    r"(?:\b(?:his|her|their|its)|'s|\b(?:date|time|day|year|cause|place|news|moment|hour)\s+of"
    r"(?:\s+(?:his|her|their))?|\b(?:is|was|were|are|been|be|found|declared|pronounced|until"
    r"|till|after|before|upon|since|following|at))\s+(?:[a-z-]+\s+)?$")
_OWNED_AFTER = re.compile(r"\s*(?:date|day|year|[:(]|at\b|occurred|came|of\s+[A-Z])")


def cues(text: str, low: str, start: int, end: int) -> list[re.Match[str]]:
    """The cues in ``low[start:end]``, less the death words that name a topic."""
    return [c for c in CUE.finditer(low, start, end)
            if c.group() not in _TOPIC_NOUNS or c.start() == 0
            or _OWNED_BEFORE.search(low, max(0, c.start() - 30), c.start())
            or _OWNED_AFTER.match(text, c.end())]
