"""Capital answers in other languages and scripts (issue 14)."""

from __future__ import annotations

import pytest

from halprobe.scoring import grade
from halprobe.scoring.other_languages import is_english
from halprobe.scoring.place_mentions import mentions
from halprobe.types import Label
from tests.scoring.conftest import capital

CAN = capital("Canada", "Ottawa", cca2="CA")
CHN = capital("China", "Beijing", cca2="CN")
KAZ = capital("Kazakhstan", "Astana", cca2="KZ")
AUT = capital("Austria", "Vienna", cca2="AT")


def test_city_mentions_in_every_script() -> None:
    assert [m.text for m in mentions("A capital do Brasil é o Rio de Janeiro.")] == \
        ["Rio de Janeiro"]
    assert [m.text for m in mentions("Столица Казахстана — Алматы.")] == ["Алматы"]
    assert [m.text for m in mentions("日本の首都は東京です。")] == ["東京"]


def test_english_is_told_from_other_languages() -> None:
    assert is_english("There is no country named Zorvania. Perhaps you meant Slovenia.")
    assert not is_english("De hoofdstad van Nederland is Amsterdam.")
    assert not is_english("La capital de España es Madrid.")


@pytest.mark.parametrize(("item", "text", "label"), [
    (CAN, "La capitale du Canada est Ottawa.", Label.CORRECT),
    (CAN, "Die Hauptstadt von Kanada ist Toronto.", Label.HALLUCINATED),
    (CHN, "中国的首都是北京。", Label.CORRECT),
    (CHN, "中国的首都是上海。", Label.HALLUCINATED),
    (KAZ, "Столица Казахстана — Астана.", Label.CORRECT),
    (KAZ, "Столица Казахстана — Алматы.", Label.HALLUCINATED),
    (AUT, "Die Hauptstadt Österreichs ist Wien.", Label.CORRECT),
    (AUT, "La capitale de l'Autriche est Salzbourg.", Label.HALLUCINATED),
    (capital("Zorvania"), "La capitale de la Zorvanie est Zorvaville.", Label.HALLUCINATED),
    (AUT, "Je ne sais pas.", Label.ABSTAINED),
    (AUT, "Ich weiß es nicht.", Label.ABSTAINED),
    (CAN, "Ottawa, also known as Toronto.", Label.HALLUCINATED),
    (CHN, "Beijing, also known as Peking.", Label.CORRECT),
])
def test_graded(item, text: str, label: Label) -> None:
    assert grade(item, text).label is label
