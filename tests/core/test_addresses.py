from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from core.http import address_by_pk


def test_pk_url_writes_what_the_url_tag_writes():
    template = Template(
        "{% load addresses %}{% pk_url 'compensation:fund_detail' pk %}|"
        "{% url 'compensation:fund_detail' pk %}"
    )
    ours, django = template.render(Context({"pk": 42})).split("|")
    assert ours == django == reverse("compensation:fund_detail", args=[42])


def test_an_address_follows_the_script_prefix():
    plain = address_by_pk("compensation:fund_detail")(7)
    set_script_prefix("/expropriation/")
    try:
        prefixed = address_by_pk("compensation:fund_detail")(7)
    finally:
        set_script_prefix("/")
    assert prefixed == "/expropriation" + plain
    assert address_by_pk("compensation:fund_detail")(7) == plain
