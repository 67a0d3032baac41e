"""The scoring rules on hand-worked examples (issue 8, "Scores")."""

from decimal import Decimal as D

import pytest

from budget import scoring
from budget.scoring import Scored, Thresholds, grade, indicator_score, total_score


def test_budget_execution_scores_weight_times_the_execution_rate():
    # The 2022 demo: 216.4万元 spent of 3 + 213.4 + 5 = 221.4万元 available → 97.74 % of 10.
    rate = scoring.execution_rate(available=D("221.4"), spent=D("216.4"))
    assert indicator_score(method="execution", weight=D(10), rate=rate) == D("9.77")
    assert scoring.percent(rate) == D("97.74")


def test_an_execution_rate_above_100_percent_scores_the_weight_and_no_rate_scores_nothing():
    assert indicator_score(method="execution", weight=D(10), rate=D("1.2")) == D("10.00")
    assert indicator_score(method="execution", weight=D(10), rate=None) == D(0)
    assert scoring.execution_rate(available=D(0), spent=D(0)) is None


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("3", "2", "6.67"),  # 10 × 2 ÷ 3 = 6.666… → 6.67
        ("3", "3", "10.00"),
        ("3", "4", "10.00"),  # capped at the weight
        ("100", "88.9", "8.89"),  # an on-time rate of 88.9 % against 100 %
        ("90", "87", "9.67"),  # satisfaction 87 % against 90 %: 9.666… → 9.67
        ("3", "0", "0.00"),
        ("0", "0", "10.00"),  # a target of nothing is met by nothing
    ],
)
def test_a_positive_indicator_scores_weight_times_actual_over_target_at_most_1(
    target, actual, expected
):
    score = indicator_score(method="positive", weight=D(10), target=D(target), actual=D(actual))
    assert score == D(expected)


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("8", "3", "5.00"),  # spent 3万元 against a ceiling of 8万元: full marks
        ("4", "5", "4.00"),  # 5 × 4 ÷ 5
        ("2", "3", "3.33"),  # 5 × 2 ÷ 3 = 3.333…
        ("0", "0", "5.00"),  # no incident allowed, none happened
        ("0", "2", "0.00"),  # no incident allowed, two happened
    ],
)
def test_a_negative_indicator_scores_weight_times_target_over_actual_at_most_1(
    target, actual, expected
):
    score = indicator_score(method="negative", weight=D(5), target=D(target), actual=D(actual))
    assert score == D(expected)


def test_an_indicator_without_an_actual_scores_nothing():
    assert indicator_score(method="positive", weight=D(10), target=D(5), actual=None) == D(0)


def test_a_manual_score_is_taken_as_entered_rounded_to_two_places():
    assert indicator_score(method="manual", weight=D(10), manual_score=D("7.5")) == D("7.50")


def test_the_total_adds_the_scores_when_every_indicator_applies():
    rows = [
        Scored(D(10), D("9.77")),
        Scored(D(50), D("46.67")),
        Scored(D(30), D("28.89")),
        Scored(D(10), D("9.67")),
    ]
    assert total_score(rows) == D("95.00")


def test_a_not_applicable_indicator_is_dropped_and_the_rest_rescaled_to_100():
    # Without the 30 points of benefit: (9.77 + 46.67 + 9.67) ÷ 70 × 100 = 94.4428… → 94.44.
    rows = [
        Scored(D(10), D("9.77")),
        Scored(D(50), D("46.67")),
        Scored(D(30), D("0"), is_applicable=False),
        Scored(D(10), D("9.67")),
    ]
    assert total_score(rows) == D("94.44")


def test_a_scorecard_with_nothing_applicable_totals_zero():
    assert total_score([Scored(D(10), D(0), is_applicable=False)]) == D(0)
    assert total_score([]) == D(0)


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("100", "优"),
        ("90", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
    ],
)
def test_grades_follow_the_default_thresholds(total, expected):
    assert grade(D(total)) == expected


def test_grades_follow_edited_thresholds():
    strict = Thresholds(excellent=D(95), good=D(85), passing=D(70))
    assert grade(D("94.9"), strict) == "良"
    assert grade(D("84"), strict) == "中"
    assert grade(D("69"), strict) == "差"
