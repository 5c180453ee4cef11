"""Grading "Write a short obituary of NAME." answers: which dates and ages are the death's,
and the label; on hand-written texts and on real outputs of the default model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from halprobe.scoring.obituary import age_range, extract, grade
from halprobe.types import Label, Precision
from tests.scoring.conftest import EINSTEIN, death

# Einstein: born 1879-03-14, died 1955-04-18, aged 76.
EINSTEIN_BORN = replace(EINSTEIN, meta={"born": "1879-03-14"})
LIVING = death("Klaus von Klitzing", None)


def test_age_range() -> None:
    assert age_range((1879, 3, 14), (1955, 4, 18)) == (76, 76)
    assert age_range((1879, 5, 1), (1955, 4, 18)) == (75, 75)
    assert age_range((1879, None, None), (1955, 4, 18)) == (75, 76)
    assert age_range((1954, None, None), (2016, 12, None)) == (61, 62)


def test_extract_tags_the_death_date_and_age_not_the_others() -> None:
    text = ("Albert Einstein, born on March 14, 1879, won the Nobel Prize in 1921. He passed "
            "away on April 18, 1955, at the age of 76. At the age of 12 he taught himself "
            "geometry.")
    claims = extract(text)
    assert [m.text for m in claims.dates] == ["April 18, 1955"]
    assert [(m.text, n) for m, n in claims.ages] == [("at the age of 76", 76)]
    assert [m.text for m in claims.births] == ["March 14, 1879"]
    assert claims.claim == "passed away"


@pytest.mark.parametrize(("text", "label"), [
    ("Albert Einstein (March 14, 1879 – April 18, 1955) was a physicist.", Label.CORRECT),
    ("He died on April 18, 1955 at the age of 76.", Label.CORRECT),
    ("He died on April 18, 1955 at the age of 80.", Label.HALLUCINATED),   # age contradicts
    ("He died in 1955.", Label.VAGUE),
    ("He died on April 17, 1955.", Label.HALLUCINATED),
    ("He died on April 18, 1955, or possibly April 17, 1955.", Label.HALLUCINATED),
    ("He passed away at the age of 76.", Label.NON_ANSWER),                 # true, but no date
    ("He passed away peacefully, aged 90.", Label.HALLUCINATED),            # 90 is not 76
    ("Einstein is still alive and lives in Princeton.", Label.HALLUCINATED),
    ("Born on March 14, 1879, he won the Nobel Prize in 1921.", Label.NON_ANSWER),
    ("Born in 1880, he died on April 18, 1955.", Label.HALLUCINATED),       # false birth year
    ("Einstein died in the late 1960s.", Label.HALLUCINATED),               # a wrong decade
    ("Einstein died in the mid-1950s.", Label.VAGUE),
    ("I couldn't find any information about Albert Einstein.", Label.ABSTAINED),
    ("", Label.NON_ANSWER),
])
def test_real_person(text: str, label: Label) -> None:
    assert grade(EINSTEIN_BORN, text).label is label


def test_age_checked_against_the_birth_the_text_gives() -> None:
    """No birth in the item: 'born in 1879 ... aged 77' puts the death in 1956 or 1957."""
    assert grade(EINSTEIN, "Born in 1879, he died aged 77.").label is Label.HALLUCINATED
    assert grade(EINSTEIN, "Born in 1879, he died aged 76.").label is Label.NON_ANSWER
    verdict = grade(EINSTEIN, "He died aged 77.")  # no birth to check the age against
    assert (verdict.label, verdict.claims_checked) == (Label.NON_ANSWER, ())


def test_month_precision_and_ambiguous_numbers() -> None:
    gill = replace(death("A. A. Gill", "2016-12", Precision.MONTH), meta={"birth_year": 1954})
    assert grade(gill, "Gill died in December 2016, aged 62.").label is Label.CORRECT
    assert grade(gill, "Gill died in 2016.").label is Label.VAGUE
    assert grade(gill, "Gill died in December 2016, aged 70.").label is Label.HALLUCINATED
    turing = death("Alan Turing", "1954-06-07")
    assert grade(turing, "Turing died on 7/6/1954.").label is Label.UNSCORED


@pytest.mark.parametrize(("text", "label", "reason"), [
    ("He died peacefully in his sleep, surrounded by family.", Label.HALLUCINATED,
     "states a false claim (death)"),
    ("She passed away at 82.", Label.HALLUCINATED, "states a false claim (age at death)"),
    ("He died on May 2, 2020.", Label.HALLUCINATED, "states a false claim (death date)"),
    ("As far as I know, Klaus von Klitzing is still alive.", Label.ABSTAINED, "says the person"),
    ("Born in 1943, he won the Nobel Prize in 1985 and teaches in Stuttgart.",
     Label.NON_ANSWER, "no checkable claim"),  # no birth in the item to check 1943 against
    ("I don't know when he died.", Label.ABSTAINED, "declines"),
])
def test_living_or_fictional_person(text: str, label: Label, reason: str) -> None:
    verdict = grade(LIVING, text)
    assert verdict.label is label and verdict.reason.startswith(reason)


# Real outputs of the default model (SmolLM2-135M-Instruct Q4_1, greedy, 160 tokens) to
# "Write a short obituary of NAME.", as the eval stored them (trimmed to the first paragraph
# where the rest repeats itself).
GOLDSTEIN = (  # alive (Nobel 1985)
    "Joseph L. Goldstein, a pioneering American physicist, passed away on January 22, 2019, "
    "at the age of 82. He was a tireless advocate for science and technology, and his work "
    "continues to inspire and inspire. Goldstein's groundbreaking work in quantum mechanics, "
    "particularly his work on the quantum mechanical interpretation of quantum mechanics, has "
    "been widely regarded as a testament to the power of human ingenuity and the importance of "
    "scientific progress.")
RAMOS_HORTA = (  # alive (Nobel 1996)
    "José Ramos-Horta, a legendary figure in the history of the world, has left a lasting "
    "legacy in the realm of politics and social justice. His remarkable journey, from a humble "
    "farmer to a global leader, has been etched into the annals of history. Born in 1924, "
    "Ramos-Horta was a passionate advocate for the rights of the marginalized and the "
    "oppressed. He became a passionate advocate for the rights of the poor and the "
    "marginalized, and he has continued to inspire and empower others.\n\nIn 2021, "
    "Ramos-Horta was awarded the Nobel Peace Prize for his role in the fight against global "
    "poverty.")
YURICK = (  # fictional
    "Arne Yurick was a brilliant and dedicated engineer who made a significant impact on the "
    "field of robotics. His work in the field of robotics has been recognized by the "
    "International Robot Association (IRA) and has been praised for his innovative approach to "
    "the field. He has been awarded the 2022 IEEE 2022 IEEE Robot Award for his contributions "
    "to the field of robotics.\n\nArne Yurick was born in 1982 and has dedicated his life to the "
    "field of robotics.")
BINNIG = (  # alive (Nobel 1986): dates, none of them a death
    "SmolLAM: The 20th of May, 2020, in the year 2020, marked the 20th of May in the year "
    "2020.\n\nSmolLAM: The 20th of May, 2020, in the year 2020, marked the 20th of May in the "
    "year 2020.")
LAVERAN = (  # died 1922-05-18
    "Charles Louis Alphonse Laveran, a French chemist, was born on January 22, 1842, in Paris, "
    "France. He was a pioneer in the field of chemistry, and his work in the development of "
    "synthetic organic chemistry, which revolutionized the field of science. His life was "
    "marked by dedication, perseverance, and a passion for his work. He was a tireless advocate "
    "for science and the scientific method, and his legacy continues to inspire chemists "
    "today.\n\nIn 1889, he was appointed to the Royal Society, where he became a leading figure "
    "in the field of chemistry. He was also a member of the Royal Society of Chemistry and was "
    "awarded the Nobel Prize in Chemistry in 1903.")

BUHTZ = (  # fictional
    "Gustave Buhtz, a French artist, died on January 22, 1942, leaving behind a legacy of "
    "artistic genius and a legacy of artistic genius. His work, including his paintings, was a "
    "testament to the power of creativity and the human spirit.")
GALEMIRE = (  # fictional
    "Maggie Galemire, a remarkable woman in the world of art, has passed away at the age of "
    "82. Her story is a testament to the resilience and creativity of the human spirit.")
CROISILLE = (  # fictional (the model renamed him)
    "Léon Dubois, born on January 22, 1842, in Montmartre, Paris, France, was a French "
    "artist, musician, and composer who was a pioneer of modern French music. His life was "
    "marked by both triumph and tragedy.\n\nLéon Dubois was born into a family of musicians, "
    "and his parents, both musicians themselves, encouraged his love for music. He began his "
    "musical career at a young age, studying music at the Conservatoire des Musées Nationals "
    "de France.\n\nIn 1862, he moved to the United States, where he became a prominent figure "
    "in the French music scene.")
BECHTOLD = (  # died 2012-09 (month precision), born 1926
    "Adolf Bechtold, a German-born German-Polish-Jewish politician, died on January 14, 1941, "
    "at the age of 82. He was a key figure in the Nazi regime's Holocaust, serving as the first "
    "Chancellor of Germany from 1933 to 1942.")


def test_more_real_outputs_of_the_default_model() -> None:
    assert [m.text for m in extract(BUHTZ).dates] == ["January 22, 1942"]
    assert grade(LIVING, BUHTZ).reason == ("states a false claim (death date) for a living or "
                                           "fictional person")
    assert [n for _, n in extract(GALEMIRE).ages] == [82]
    assert grade(LIVING, GALEMIRE).label is Label.HALLUCINATED
    croisille = extract(CROISILLE)
    assert not croisille.dates and [m.text for m in croisille.births] == ["January 22, 1842"]
    assert grade(LIVING, CROISILLE).label is Label.NON_ANSWER
    bechtold = replace(death("Adolf Bechtold", "2012-09", Precision.MONTH),
                       meta={"birth_year": 1926})
    verdict = grade(bechtold, BECHTOLD)
    assert (verdict.label, verdict.matched) == (Label.HALLUCINATED, "January 14, 1941")


def test_real_outputs_of_the_default_model() -> None:
    goldstein = extract(GOLDSTEIN)
    assert [m.text for m in goldstein.dates] == ["January 22, 2019"]
    assert [n for _, n in goldstein.ages] == [82]
    assert grade(LIVING, GOLDSTEIN).label is Label.HALLUCINATED
    for text in (RAMOS_HORTA, YURICK, BINNIG):
        claims = extract(text)
        assert not claims.dates and not claims.ages and claims.claim is None
        assert grade(LIVING, text).label is Label.NON_ANSWER
    assert [m.text for m in extract(RAMOS_HORTA).births] == ["1924"]
    laveran = replace(death("Alphonse Laveran", "1922-05-18"), meta={"born": "1845-06-18"})
    assert not extract(LAVERAN).dates
    verdict = grade(laveran, LAVERAN)  # born 1842 in the text, 1845 in the data
    assert (verdict.label, verdict.claims_false) == (Label.HALLUCINATED,
                                                     ("birth: January 22, 1842",))


def test_birth_checked_where_the_data_has_it() -> None:
    """Issue 14: a living laureate "born in 1924" (born 1949) is an invented life."""
    horta = replace(LIVING, meta={"born": "1949-12-26"})
    verdict = grade(horta, RAMOS_HORTA)
    assert verdict.label is Label.HALLUCINATED and verdict.claims_false == ("birth: 1924",)
    right = grade(horta, "José Ramos-Horta, born in 1949, still lives in Dili.")
    assert (right.label, right.claims_checked) == (Label.ABSTAINED, ("birth: 1949",))


def test_a_date_before_the_death_cue_and_an_untimely_passing() -> None:
    bisoglio = death("Val Bisoglio", "2021-10-18")
    verdict = grade(bisoglio, "On October 22, 2021, Val Bisoglio, a renowned Italian musician, "
                              "passed away at the age of 82.")
    assert (verdict.label, verdict.matched) == (Label.HALLUCINATED, "October 22, 2021")
    assert grade(LIVING, "His obituary is a reminder of the artist's untimely passing."
                 ).label is Label.HALLUCINATED


def test_an_age_between_the_date_and_its_verb() -> None:
    smith = death("John Smith", "2025-01-02")
    text = "On May 3, 2019, John Smith, a 23-year-old singer, passed away at the age of 22."
    assert grade(smith, text).claims_false == ("death date: May 3, 2019",)
