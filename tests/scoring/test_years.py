"""Year matcher: the publication year, exactly."""

from __future__ import annotations

from halprobe.scoring.years import match
from halprobe.types import Label
from tests.scoring.conftest import pub_year

GAN = pub_year("Generative Adversarial Nets", "2014")


def test_gold_year_is_correct() -> None:
    grade = match(GAN, "The paper was published in 2014.")
    assert grade.label is Label.CORRECT and grade.matched == "2014"


def test_off_by_one_is_hallucinated() -> None:
    assert match(GAN, "It was published in 2015 at NIPS.").label is Label.HALLUCINATED


def test_uncued_year_is_ignored_when_a_cued_one_exists() -> None:
    text = "Published at NIPS 2014, it has been cited over 10,000 times since 2017."
    assert match(GAN, text).label is Label.CORRECT


def test_two_publication_years_is_hallucinated() -> None:
    assert match(GAN, "It was published in 2014 or 2015.").label is Label.HALLUCINATED


def test_no_year_is_unscored() -> None:
    assert match(GAN, "It is a well-known paper.").label is Label.UNSCORED


def test_year_in_the_title_is_an_echo() -> None:
    item = pub_year("Microsoft COCO 2014 Benchmark", "2014")
    grade = match(item, "Microsoft COCO 2014 Benchmark came out in 2015.")
    assert grade.label is Label.HALLUCINATED


def test_arxiv_number_is_not_a_year() -> None:
    assert match(GAN, "See arXiv:1406.2661, published in 2014.").label is Label.CORRECT


def test_control_with_a_year_is_hallucinated() -> None:
    grade = match(pub_year("Sparse Llamas", None), "It was published in 2019.")
    assert grade.label is Label.HALLUCINATED


def test_two_digit_year() -> None:
    assert match(GAN, "It came out in '14.").label is Label.CORRECT
    assert match(GAN, "It came out in '15.").label is Label.HALLUCINATED


def test_decade_is_vague_or_wrong() -> None:
    assert match(GAN, "It was published in the 2010s.").label is Label.VAGUE
    assert match(GAN, "It was published in the mid-2010s.").label is Label.VAGUE
    assert match(GAN, "It was published in the early 2000s.").label is Label.HALLUCINATED
    assert match(GAN, "It was published in the late 2010s.").label is Label.HALLUCINATED


def test_preprint_year_beside_the_publication_year() -> None:
    resnet = pub_year("Deep Residual Learning", "2016")
    text = "It was first released on arXiv in December 2015 and published at CVPR 2016."
    assert match(resnet, text).label is Label.CORRECT
    assert match(resnet, "It was posted on arXiv in 2015.").label is Label.HALLUCINATED


def test_hedged_second_year_is_a_second_candidate() -> None:
    assert match(GAN, "Published in 2014? I'm not sure; maybe 2015.").label is Label.HALLUCINATED
