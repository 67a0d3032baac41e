from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects import legal
from projects.models import Notice, Stage
from tests.factories import PASSWORD, HouseholdFactory, put_at_stage
from tests.projects.helpers import publish


@pytest.mark.django_db(transaction=True)
def test_only_the_overdue_row_is_badged_overdue(
    live_server, page: Page, project, district_member, office_user
):
    # Two unanswered objections to a 一榜 posted 40 days ago for 60 days: the one raised 30 days
    # ago was due 20 days ago (overdue); the one raised yesterday is due in 9 days (upcoming).
    today = timezone.localdate()
    put_at_stage(project, Stage.SURVEY)
    households = {code: HouseholdFactory(project=project, code=code) for code in ("A-001", "A-002")}
    notice = publish(
        project, Notice.Kind.FIRST_LIST, staff=office_user, on=today - timedelta(40), period_days=60
    )
    for code, raised in (("A-001", today - timedelta(30)), ("A-002", today - timedelta(1))):
        legal.raise_objection(
            notice=notice,
            household=households[code],
            by=district_member,
            raised_on=raised,
            content="面积有误",
        )

    page.goto(f"{live_server.url}/accounts/login/?next=/deadlines/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    overdue_row = page.locator("tr", has_text="A-001")
    upcoming_row = page.locator("tr", has_text="A-002")
    expect(overdue_row).to_have_count(1)
    expect(upcoming_row).to_have_count(1)
    expect(overdue_row.locator(".badge.danger")).to_have_text("已逾期")
    expect(upcoming_row).not_to_contain_text("已逾期")
    expect(page.locator(".badge.danger", has_text="已逾期")).to_have_count(1)
