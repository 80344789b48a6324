"""Numbers as people read them (lossquiz.numbers.fmt): no -0, float noise as its round value,
and what the user typed shown with its own digits."""

from __future__ import annotations

import pytest

from lossquiz.numbers import fmt


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.003097, "0.003097"),  # sixth newcomer pass F8: "you typed 0.0031" for 0.003097
        (0.0061937, "0.0061937"),
        (0.79256, "0.79256"),
        (0.09999996, "0.1"),
        (-1.192e-07, "0"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.3"),
        (2.5, "2.5"),
        (1234.56789, "1234.56789"),
        (3.3e-05, "3.3e-05"),
        (2.5e7, "2.5e+07"),
        ([0.5, -0.0], "[0.5, 0]"),
    ],
)
def test_fmt(value: object, shown: str) -> None:
    assert fmt(value) == shown
