"""Abstention phrases: found, and blanked without moving the rest of the text."""

from __future__ import annotations

import pytest

from halprobe.scoring.abstention import detect


@pytest.mark.parametrize("response", [
    "I don't know.",
    "I'm not sure.",
    "I couldn't find any information on that paper.",
    "I do not have information about this person.",
    "There is no such paper.",
    "There is no known person by that name.",
    "There is no country called Zorvania.",
    "I'm not aware of a paper with that title.",
    "As of my knowledge cutoff in 2023, there is no information about him.",
    "I cannot provide that information.",
    "There is no record of his death.",
    "I’m sorry, I don’t have information about Zorvath Quellin.",
    "Zorvania appears to be a fictional country.",
])
def test_refusals_are_found(response: str) -> None:
    assert detect(response).declines


@pytest.mark.parametrize("response", [
    "The capital of France is Paris.",
    "Albert Einstein died on April 18, 1955.",
    "The paper was written by Ian Goodfellow.",
])
def test_answers_are_not_refusals(response: str) -> None:
    assert not detect(response).declines


@pytest.mark.parametrize(("response", "alive"), [
    ("Tom Hanks is still alive.", True),
    ("As far as I know, he is alive.", True),
    ("She has not died.", True),
    ("He hasn't passed away yet.", True),
    ("He is no longer alive.", False),
    ("He was alive in 1950.", False),
])
def test_alive_claims(response: str, alive: bool) -> None:
    assert bool(detect(response).alive) is alive


def test_mask_keeps_the_guess_in_place() -> None:
    text = "I'm not sure, but I think it's Lyon."
    masked = detect(text).masked
    assert len(masked) == len(text)
    assert "not sure" not in masked and masked.endswith("it's Lyon.")


def test_cutoff_date_is_masked() -> None:
    masked = detect("As of my last update in October 2023, he is alive.").masked
    assert "2023" not in masked


def test_alive_inside_a_question_is_not_a_claim() -> None:
    found = detect("I'm not sure whether Albert Einstein is still alive.")
    assert found.declines and not found.alive


@pytest.mark.parametrize("response", [
    "Sorry, I can't help with that.",
    "I can't say.",
    "I'm afraid I can't say what the capital of Tuvalu is.",
    "That information is not available to me.",
    "I have no knowledge of this.",
    "I have never heard of a country called Alurea.",
    "This person is not known to me.",
    "My knowledge doesn't extend to that person.",
    "I wouldn't want to guess.",
    "Unfortunately, I lack information about this person.",
    "Alurea is not a recognized country, so it has no capital.",
    "There's no country named Belovania that I know of.",
    "Unknown.",
])
def test_refusals_beyond_the_first_list(response: str) -> None:
    assert detect(response).declines


def test_bare_as_of_year_is_masked() -> None:
    assert "2023" not in detect("Gerardus 't Hooft is alive as of 2023.").masked


@pytest.mark.parametrize("response", ["He appears to be alive.", "She remains alive today."])
def test_more_alive_claims(response: str) -> None:
    assert detect(response).alive


@pytest.mark.parametrize("text", ["Author: Unknown", "Capital: **Unknown**", "Year - unknown."])
def test_a_field_marked_unknown_declines(text: str) -> None:
    assert detect(text).declines


@pytest.mark.parametrize("text", [
    "No clue.", "Beats me.", "Hard to say.", "Who knows?", "I'm drawing a blank.",
    "The exact date escapes me.", "Can't say for sure.", "I'd have to look that up.",
])
def test_idioms_of_not_knowing_decline(text: str) -> None:
    assert detect(text).declines
