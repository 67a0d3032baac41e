"""A leader approves the publication of a credit list or returns it with a comment (core.signoffs
"credit_list"); 业务科 sees the comment, resubmits, and both sides are notified."""

from datetime import date

import pytest
from django.urls import reverse

from appraisers import services
from appraisers.models import CreditList
from core import signoffs
from core.models import Notification
from core.roles import Section
from tests.factories import staff

pytestmark = pytest.mark.django_db

COMMENT = "第四季度两起违规记录尚未录入，请补录后重新提交"


def test_a_leader_returns_the_quarterly_list_and_publishes_it_after_resubmission(
    client, office_user
):
    # The quarterly job prepares the list: nobody submitted it, 业务科 answers a return.
    credit_list, _created = services.prepare_credit_list(
        period_start=date(2022, 10, 1), period_end=date(2022, 12, 31)
    )
    boss = staff(Section.LEADER, username="boss", name="钱领导")
    page_url = credit_list.get_absolute_url()
    client.force_login(boss)
    assert "credit-list-return" in client.get(page_url).content.decode()
    return_url = reverse("appraisers:credit_list_return", args=[credit_list.pk])
    response = client.post(return_url, {"return-comment": ""}, follow=True)
    assert "退回时必须填写意见。" in response.content.decode()
    assert signoffs.signoff_for(credit_list) is None
    response = client.post(return_url, {"return-comment": COMMENT}, follow=True)
    assert "信用名录已退回。" in response.content.decode()
    assert not Notification.objects.filter(recipient=boss).exists()  # no "waiting" noise
    publish_url = reverse("appraisers:credit_list_publish", args=[credit_list.pk])
    response = client.post(publish_url, {"published_on": "2023-01-10"}, follow=True)
    assert "该信用名录已退回，待重新提交后方可公布。" in response.content.decode()
    assert not CreditList.objects.get(pk=credit_list.pk).is_published

    # 业务科 sees the comment on the page, its to-do list and its notifications; resubmits.
    client.force_login(office_user)
    assert COMMENT in client.get(page_url).content.decode()
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert "信用名录审批" in todo and COMMENT in todo
    assert Notification.objects.get(recipient=office_user, kind="returned").text.endswith(COMMENT)
    response = client.post(
        reverse("appraisers:credit_list_resubmit", args=[credit_list.pk]),
        {"resubmit-comment": "已补录"},
        follow=True,
    )
    assert "信用名录已重新提交领导审定。" in response.content.decode()
    assert COMMENT not in client.get(reverse("core:todo_list")).content.decode()

    client.force_login(boss)
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert "领导批准公布" in todo and "待公布信用名录" not in todo
    response = client.post(publish_url, {"published_on": "2023-01-10"}, follow=True)
    assert "信用名录已公布" in response.content.decode()
    assert CreditList.objects.get(pk=credit_list.pk).is_published
    assert Notification.objects.filter(recipient=office_user, kind="approved").exists()
    actions = [row.action for row in signoffs.record(signoffs.signoff_for(credit_list))]
    assert actions == ["submit", "return", "resubmit", "approve"]


def test_only_a_leader_returns_a_list_and_an_unreturned_list_is_not_resubmitted(
    client, office_user
):
    credit_list, _created = services.prepare_credit_list(
        period_start=date(2022, 10, 1), period_end=date(2022, 12, 31)
    )
    client.force_login(office_user)
    assert "credit-list-return" not in client.get(credit_list.get_absolute_url()).content.decode()
    response = client.post(
        reverse("appraisers:credit_list_return", args=[credit_list.pk]),
        {"return-comment": "退回"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("appraisers:credit_list_resubmit", args=[credit_list.pk]), {}, follow=True
    )
    assert "该信用名录未被退回，无需重新提交。" in response.content.decode()
    assert signoffs.signoff_for(credit_list) is None
