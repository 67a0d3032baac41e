"""The plan's swap selection rules, entered on the compensation plan's page: editable while the
plan is before the office, read-only once approved, shown to the reviewers."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services as project_services
from resettlement.models import SwapTerms
from tests.compensation.factories import PLAN
from tests.factories import approve_plan_fully, district_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(project):
    submitter = district_user(project.district, username="plan-submitter")
    return project_services.submit_plan(project=project, by=submitter, **PLAN)


def _post(client, plan, **overrides):
    data = {
        "entitlement_ratio": "1.00",
        "entitlement_bonus_area": "10.00",
        "max_extra_area": "30.00",
        "max_flats": "2",
        "window_opens_on": "2022-09-01",
        "window_closes_on": "2022-09-30",
        "tier-TOTAL_FORMS": "3",
        "tier-INITIAL_FORMS": "0",
        "tier-0-width": "10.00",
        "tier-0-unit_price": "4500.00",
        "tier-1-width": "10.00",
        "tier-1-market_percent": "80",
    }
    data.update(overrides)
    return client.post(reverse("resettlement:swap_terms_edit", args=[plan.pk]), data)


def test_the_district_enters_swap_rules_with_tiers_on_a_submitted_plan(
    client, district_member, plan
):
    client.force_login(district_member)
    response = _post(client, plan)
    assert response.url == plan.get_absolute_url()
    terms = SwapTerms.objects.get(plan=plan)
    assert (terms.entitlement_bonus_area, terms.max_extra_area, terms.max_flats) == (
        Decimal("10.00"),
        Decimal("30.00"),
        2,
    )
    tiers = list(terms.tiers.values_list("position", "width", "unit_price", "market_percent"))
    assert tiers == [
        (1, Decimal("10.00"), Decimal("4500.00"), None),
        (2, Decimal("10.00"), None, Decimal("80.00")),
    ]
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "产权调换选房规则" in page and "市场价的 80.00%" in page and "4500.00 元/平方米" in page
    assert "修改选房规则" in page


def test_a_tier_with_both_or_neither_price_basis_is_refused(client, district_member, plan):
    client.force_login(district_member)
    response = _post(client, plan, **{"tier-1-unit_price": "5000"})
    assert "二者填且只填一项" in response.content.decode()
    assert not SwapTerms.objects.exists()
    closes_early = _post(client, plan, window_closes_on="2022-08-31")
    assert "选房截止日期不能早于开始日期" in closes_early.content.decode()


def test_changing_the_rules_replaces_the_tiers(client, district_member, plan):
    client.force_login(district_member)
    _post(client, plan)
    _post(
        client,
        plan,
        **{
            "tier-0-width": "5.00",
            "tier-0-unit_price": "4000.00",
            "tier-1-width": "",
            "tier-1-market_percent": "",
        },
    )
    assert list(SwapTerms.objects.get().tiers.values_list("width", flat=True)) == [Decimal("5.00")]


def test_approved_plans_show_the_rules_read_only(client, district_member, office_user, plan):
    client.force_login(district_member)
    _post(client, plan)
    approve_plan_fully(plan)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "产权调换选房规则" in page and "修改选房规则" not in page
    response = _post(client, plan, max_flats="3")
    assert response.status_code == 302
    assert SwapTerms.objects.get().max_flats == 2
    client.force_login(office_user)
    followed = client.get(reverse("resettlement:swap_terms_edit", args=[plan.pk]), follow=True)
    assert (
        "补偿方案第1版已批准（业务科审核、法规科审查、领导批准），"
        "方案内容（含产权调换选房规则）已冻结，不能再修改。"
    ) in followed.content.decode()


def test_another_districts_user_cannot_reach_the_rules(client, outsider, plan):
    client.force_login(outsider)
    response = _post(client, plan)
    assert response.status_code == 404
    assert not SwapTerms.objects.exists()


def test_a_reviewing_section_cannot_change_the_rules_of_a_plan_under_review(
    client, district_member, plan
):
    """人事秘书科 (or any reviewer) reads the rules but returns the plan to have them changed."""
    from core.roles import Section
    from tests.factories import staff

    client.force_login(district_member)
    _post(client, plan)
    client.force_login(staff(Section.SECRETARIAT, username="secretary", name="秘书测试"))
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "产权调换选房规则" in page and "修改选房规则" not in page
    response = _post(client, plan, max_flats="3")
    assert response.status_code == 302
    assert SwapTerms.objects.get().max_flats == 2
    followed = client.get(reverse("resettlement:swap_terms_edit", args=[plan.pk]), follow=True)
    assert "由提交方案的区县征收部门填写" in followed.content.decode()


@pytest.mark.parametrize("passed", [1, 2], ids=["业务科", "业务科与法规科"])
def test_the_district_cannot_change_the_rules_once_a_review_step_passed_the_plan(
    client, district_member, plan, passed
):
    """What 业务科 (and 法规科) passed is what the leader approves: the rules are frozen, the
    page shows them read-only with the reason, and a change needs a returned plan."""
    from core.roles import Section
    from tests.factories import reviewers

    client.force_login(district_member)
    _post(client, plan)
    people = reviewers()
    for section in (Section.OPERATIONS, Section.LEGAL)[:passed]:
        project_services.approve_plan(plan=plan, by=people[section])
    steps = "业务科审核" if passed == 1 else "业务科审核、法规科审查"
    current = "法规科审查" if passed == 1 else "领导批准"
    reason = (
        f"补偿方案第1版已经{steps}通过，方案内容（含产权调换选房规则）已冻结；"
        f"需要修改的，请{current}环节退回后提交新版本。"
    )
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "产权调换选房规则" in page and reason in page
    assert reverse("resettlement:swap_terms_edit", args=[plan.pk]) not in page
    response = _post(client, plan, max_flats="3", **{"tier-0-unit_price": "1.00"})
    assert response.status_code == 302
    terms = SwapTerms.objects.get(plan=plan)
    assert terms.max_flats == 2
    assert terms.tiers.get(position=1).unit_price == Decimal("4500.00")
    followed = client.get(reverse("resettlement:swap_terms_edit", args=[plan.pk]), follow=True)
    assert reason in followed.content.decode()


def test_a_returned_plans_rules_are_changed_on_the_new_version_which_starts_from_them(
    client, district_member, plan
):
    from core.roles import Section
    from tests.compensation.factories import PLAN
    from tests.factories import reviewers

    client.force_login(district_member)
    _post(client, plan)
    people = reviewers()
    project_services.approve_plan(plan=plan, by=people[Section.OPERATIONS])
    project_services.return_plan(plan=plan, by=people[Section.LEGAL], comment="每户限选一套。")
    response = _post(client, plan, max_flats="1")
    assert response.status_code == 302
    assert SwapTerms.objects.get(plan=plan).max_flats == 2
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "补偿方案第1版已退回，方案内容不能再修改" in page

    second = project_services.submit_plan(project=plan.project, by=district_member, **PLAN)
    carried = SwapTerms.objects.get(plan=second)
    assert carried.max_flats == 2
    assert list(carried.tiers.values_list("position", "unit_price", "market_percent")) == [
        (1, Decimal("4500.00"), None),
        (2, None, Decimal("80.00")),
    ]
    assert _post(client, second, max_flats="1").url == second.get_absolute_url()
    assert SwapTerms.objects.get(plan=second).max_flats == 1
    assert SwapTerms.objects.get(plan=plan).max_flats == 2  # the returned version's record
