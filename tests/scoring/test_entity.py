"""Entity matcher on capitals: aliases, alternates, answer slots and their logic."""

from __future__ import annotations

import pytest

from halprobe.scoring.capital_phrases import subject_of
from halprobe.scoring.entity import match
from halprobe.types import AnswerType, Label, ProbeItem
from tests.scoring.conftest import capital

FRANCE = capital("France", "Paris")
BURKINA = capital("Burkina Faso", "Ouagadougou")
AUSTRALIA = capital("Australia", "Canberra")
ZORVANIA = capital("Zorvania")


@pytest.mark.parametrize(("item", "response"), [
    (FRANCE, "The capital of France is Paris."),
    (BURKINA, "The capital of Burkina Faso is Ouagadougou."),
    (capital("Afghanistan", "Kabul"), "The capital of Afghanistan is Kabul."),
    (FRANCE, "Paris is the capital of France."),
    (FRANCE, "Paris."),
    (FRANCE, "paris"),
    (capital("Netherlands", "Amsterdam", "The Hague"), "The Hague."),
    (capital("United States", "Washington D.C."), "The capital of the US is Washington, D.C."),
    (capital("Chad", "N'Djamena"), "The capital of Chad is N’Djamena."),
])
def test_gold_in_answer_slot_is_correct(item: ProbeItem, response: str) -> None:
    assert match(item, response).label is Label.CORRECT


def test_matched_span_is_the_whole_alias() -> None:
    grade = match(capital("United States", "Washington D.C."), "The capital is Washington, D.C.")
    assert grade.matched == "Washington, D.C."


def test_specific_other_city_is_hallucinated() -> None:
    grade = match(BURKINA, "The capital of Burkina Faso is Kouilé.")
    assert grade.label is Label.HALLUCINATED and grade.matched == "Kouilé"


@pytest.mark.parametrize(("alias", "response"), [("Bogotá", "Bogota"), ("Bogota", "Bogotá")])
def test_accents_are_ignored(alias: str, response: str) -> None:
    grade = match(capital("Colombia", alias), f"The capital of Colombia is {response}.")
    assert grade.label is Label.CORRECT and grade.matched == response


def test_side_remark_about_another_country_is_ignored() -> None:
    text = "The capital of France is Paris. The capital of Germany is Munich."
    assert match(FRANCE, text).label is Label.CORRECT


def test_false_side_remark_after_the_answer_is_ignored() -> None:
    text = "The capital of France is Paris, which is also the largest city of Germany."
    assert match(FRANCE, text).label is Label.CORRECT


@pytest.mark.parametrize(("answer", "label"), [
    ("not Sydney but Canberra", Label.CORRECT),
    ("Canberra, not Sydney", Label.CORRECT),
    ("Canberra (not Sydney)", Label.CORRECT),
    ("not Canberra but Sydney", Label.HALLUCINATED),
])
def test_not_x_but_y_is_graded_on_y(answer: str, label: Label) -> None:
    assert match(AUSTRALIA, f"The capital of Australia is {answer}.").label is label


def test_either_with_one_wrong_is_hallucinated() -> None:
    grade = match(AUSTRALIA, "The capital of Australia is either Sydney or Canberra.")
    assert grade.label is Label.HALLUCINATED and grade.matched == "Sydney"


def test_appositive_country_is_not_a_second_answer() -> None:
    assert match(FRANCE, "The capital of France is Paris, France.").label is Label.CORRECT


def test_country_named_like_its_capital() -> None:
    lux = capital("Luxembourg", "Luxembourg")
    assert match(lux, "The capital of Luxembourg is Luxembourg City.").label is Label.CORRECT
    assert match(lux, "The capital of Luxembourg is Esch-sur-Alzette.").label is Label.HALLUCINATED
    assert match(lux, "Luxembourg is a small country.").label is Label.UNSCORED


def test_off_topic_is_unscored() -> None:
    grade = match(FRANCE, "France is a country in Western Europe known for its wine.")
    assert grade.label is Label.UNSCORED and grade.reason


def test_short_wrong_reply_is_hallucinated() -> None:
    assert match(FRANCE, "Lyon.").label is Label.HALLUCINATED


def test_control_with_a_city_is_hallucinated() -> None:
    grade = match(ZORVANIA, "The capital of Zorvania is Zorvath City.")
    assert grade.label is Label.HALLUCINATED and grade.matched == "Zorvath City"


def test_subject_from_question() -> None:
    assert subject_of(capital("the Netherlands", "Amsterdam")) == "Netherlands"


def test_reverse_capital_question() -> None:
    item = ProbeItem(id="popqa/1", suite="popqa", question="What is Brisbane the capital of?",
                     answer="Queensland", aliases=("Queensland", "QLD"),
                     answer_type=AnswerType.ENTITY)
    assert match(item, "Brisbane is the capital of Queensland.").label is Label.CORRECT
    assert match(item, "Brisbane is the capital of New South Wales.").label is Label.HALLUCINATED


@pytest.mark.parametrize(("response", "label"), [
    ("the capital of france is lyon.", Label.HALLUCINATED),
    ("France's capital is marseille.", Label.HALLUCINATED),
    ("the capital of france is paris.", Label.CORRECT),
])
def test_lower_case_answers_are_read(response: str, label: Label) -> None:
    assert match(FRANCE, response).label is label


@pytest.mark.parametrize(("response", "label"), [
    ("Canberra serves as the seat of government of Australia.", Label.CORRECT),
    ("Sydney serves as the seat of government of Australia.", Label.HALLUCINATED),
])
def test_seat_of_government_is_an_answer_slot(response: str, label: Label) -> None:
    assert match(AUSTRALIA, response).label is label


def test_seat_of_government_beside_a_capital_is_a_side_remark() -> None:
    benin = capital("Benin", "Porto-Novo")
    text = "The capital of Benin is Porto-Novo, Cotonou is the seat of government."
    assert match(benin, text).label is Label.CORRECT


def test_past_capital_limited_in_time_is_not_the_answer() -> None:
    nigeria = capital("Nigeria", "Abuja")
    text = "The capital of Nigeria was Lagos until 1991; today it is Abuja."
    assert match(nigeria, text).label is Label.CORRECT
    assert match(nigeria, "The capital of Nigeria was Lagos.").label is Label.HALLUCINATED


def test_former_name_in_brackets_is_not_a_second_answer() -> None:
    myanmar = capital("Myanmar", "Naypyidaw")
    assert match(myanmar, "It is Naypyidaw (formerly Rangoon).").label is Label.CORRECT


@pytest.mark.parametrize(("response", "label"), [
    ("Paris, Lyon.", Label.HALLUCINATED),
    ("Paris, France.", Label.CORRECT),
])
def test_trailing_city_is_a_second_answer_but_a_country_is_not(response: str,
                                                               label: Label) -> None:
    assert match(FRANCE, response).label is label


@pytest.mark.parametrize(("response", "label"), [
    ("It could be Toronto or Ottawa.", Label.HALLUCINATED),
    ("It might be Ottawa.", Label.CORRECT),
    ("I'd guess Toronto.", Label.HALLUCINATED),
])
def test_modal_and_guess_slots(response: str, label: Label) -> None:
    assert match(capital("Canada", "Ottawa"), response).label is label


@pytest.mark.parametrize(("item", "response", "label"), [
    (capital("Aruba", "Oranjestad"), "The capital of Aruba is Aruba.", Label.HALLUCINATED),
    (capital("Belize", "Belmopan"), "The capital of Belize is Belize City.", Label.HALLUCINATED),
    (ZORVANIA, "The capital of Zorvania is the city of Zorvania.", Label.HALLUCINATED),
    (capital("Guatemala", "Guatemala City"), "The capital of Guatemala is Guatemala.",
     Label.CORRECT),
])
def test_country_name_given_as_its_own_capital(item: ProbeItem, response: str,
                                               label: Label) -> None:
    assert match(item, response).label is label


def test_adverb_before_the_name() -> None:
    item = capital("Guatemala", "Guatemala City")
    assert match(item, "The capital of Guatemala is indeed called Guadalajara.").label \
        is Label.HALLUCINATED


def test_misspelt_subject_is_still_the_subject() -> None:
    item = capital("Wallis and Futuna", "Mata-Utu")
    assert match(item, "The capital of Walli and Futuna is FUTNA.").label is Label.HALLUCINATED


def test_answer_under_a_garbled_subject_is_hallucinated() -> None:
    item = capital("Myanmar", "Naypyidaw")
    text = "Mongolia's capital is Pyithakabak, a city in the north."
    assert match(item, text).label is Label.HALLUCINATED
    text = "I am not sure. Slovenia, whose capital is Ljubljana, is lovely."
    assert match(item, text).label is Label.UNSCORED


def test_described_but_unnamed_capital_is_a_non_answer() -> None:
    grade = match(FRANCE, "The capital of France is a city in the north of the country.")
    assert grade.label is Label.NON_ANSWER and grade.reason.startswith("describes")


def test_capital_of_a_suggested_other_country_is_not_an_answer() -> None:
    text = "Zorvania is not a country I know. If you meant Slovenia, its capital is Ljubljana."
    assert match(ZORVANIA, text).label is Label.UNSCORED


def test_gold_inside_the_country_name_is_not_an_answer() -> None:
    item = capital("São Tomé and Príncipe", "São Tomé")
    assert match(item, "São Tomé and Príncipe is an island nation.").label is Label.UNSCORED
    assert match(item, "The capital is São Tomé.").label is Label.CORRECT


@pytest.mark.parametrize(("response", "label"), [
    ("Burkina Faso's capital and largest city is Bobo-Dioulasso.", Label.HALLUCINATED),
    ("Bobo-Dioulasso is Burkina Faso's capital.", Label.HALLUCINATED),
    ("Ouagadougou is Burkina Faso's capital.", Label.CORRECT),
    ("Bamako is Mali's capital; Burkina Faso's is Ouagadougou.", Label.CORRECT),
])
def test_more_capital_phrasings(response: str, label: Label) -> None:
    assert match(BURKINA, response).label is label


def test_negation_runs_through_or() -> None:
    text = "The capital of Australia is Canberra, not Sydney or Melbourne."
    assert match(AUSTRALIA, text).label is Label.CORRECT


def test_gold_city_in_another_script() -> None:
    ukraine = capital("Ukraine", "Kyiv", "Kiev")
    assert match(ukraine, "The capital of Ukraine is Київ.").label is Label.CORRECT


NIGERIA = capital("Nigeria", "Abuja", cca2="NG")


@pytest.mark.parametrize("response", [
    "The capital of Nigeria is the bustling coastal city of Lagos.",
    "Nigeria's capital city is a large port called Lagos.",
    "Nigeria has its capital in Lagos.",
    "The seat of Nigeria's government is Lagos.",
    "The capital city of Nigeria, known as Lagos, is large.",
])
def test_another_city_with_extra_words_is_hallucinated(response: str) -> None:
    """Issue 14: a wrong city given with extra words is an answer, not a non-answer."""
    verdict = match(NIGERIA, response)
    assert (verdict.label, verdict.matched) == (Label.HALLUCINATED, "Lagos")
