from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from core.formatting import decimal_text, trimmed_text
from core.http import address_by_pk

FILTERS = Template("{% load humanize %}{{ value|floatformat:2|intcomma }}")


@pytest.mark.parametrize(
    "value",
    [
        Decimal("0"),
        Decimal("-0.00"),
        Decimal("0.005"),
        Decimal("-0.004"),
        Decimal("12.5"),
        Decimal("999.995"),
        Decimal("1234.50"),
        Decimal("-1234.5"),
        Decimal("1234567.125"),
        Decimal("-98765432.10"),
        7,
    ],
)
def test_decimal_text_writes_what_the_templates_filters_write(value):
    assert decimal_text(value) == FILTERS.render(Context({"value": value}))


TRIMMED = Template('{{ value|floatformat:"-2" }}')


@pytest.mark.parametrize(
    "value",
    [
        Decimal("0"),
        Decimal("0.00"),
        Decimal("372.00"),
        Decimal("100.5"),
        Decimal("0.005"),
        Decimal("0.004"),
        Decimal("999.995"),
        Decimal("12345.67"),
        Decimal("-1.50"),
        Decimal("-0.004"),
        Decimal("149500"),
        7,
    ],
)
def test_trimmed_text_writes_what_floatformat_minus_2_writes(value):
    assert trimmed_text(value) == TRIMMED.render(Context({"value": value}))


def test_decimal_text_of_nothing_is_empty():
    assert decimal_text(None) == ""


@pytest.mark.parametrize("pk", [1, 7, 42, 987654321, 1234567890])
def test_an_address_by_pk_is_the_reversed_address(pk):
    address = address_by_pk("projects:household_detail")
    assert address(pk) == reverse("projects:household_detail", args=[pk])
