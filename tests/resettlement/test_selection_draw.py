"""The selection order draw: the appraisers' published draw, repeated over the codes left."""

import hashlib

import pytest

from appraisers import draws


def test_order_draw_is_the_winner_draw_repeated_over_the_codes_left():
    codes = ["H-003", "H-001", "H-002", "H-004"]
    seed = "00112233445566778899aabbccddeeff"
    remaining = ["H-001", "H-002", "H-003", "H-004"]
    expected = []
    while remaining:
        text = seed + "\n" + "\n".join(remaining)
        index = int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % len(remaining)
        expected.append(remaining.pop(index))
    assert draws.draw_order(seed, codes) == expected
    assert sorted(expected) == sorted(codes)


def test_order_draw_published_python_gives_the_same_order():
    codes = [f"H-{n:03d}" for n in range(1, 12)]
    seed = "fedcba98765432100123456789abcdef"
    scope = {"seed": seed, "codes": codes}
    exec(draws.ORDER_ALGORITHM_PYTHON, scope)  # noqa: S102 (our own published text)
    assert scope["order"] == draws.draw_order(seed, codes)


def test_order_draw_of_one_household_is_that_household():
    assert draws.draw_order("ab", ["H-001"]) == ["H-001"]


def test_order_draw_refuses_a_code_given_twice():
    with pytest.raises(ValueError):
        draws.draw_order("ab", ["H-001", "H-001"])
