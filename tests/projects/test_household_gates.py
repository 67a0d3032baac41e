"""The household's own state in projects.gates' table, through the pages: signing, decisions,
moving out and demolition; the survey facts frozen once valued; imports only during the survey;
archive files kept once signed; hardship subsidies withdrawn with a reason."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compensation import services as compensation_services
from compensation.models import HardshipSubsidy
from core.roles import Section
from projects import gates, legal, services
from projects.forms.households import HouseholdForm
from projects.models import CompensationDecision, Household, HouseholdImport, Stage
from tests.auth import login
from tests.compensation.factories import (
    agreement_request,
    approve_plan,
    approved_agreement,
    finance,
    funded,
    leader,
    ready_for_decision,
    ready_to_sign,
    valued_household,
)
from tests.factories import HouseholdFactory, put_at_stage, sign_off_and_publish, staff
from tests.html import row_cells
from tests.projects.test_imports import good_row, post_file, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_of(response) -> str:
    return response.content.decode()


def edit_data(household: Household, **changes) -> dict:
    """What the edit form posts: the household as stored, with `changes`."""
    data = {}
    for name in HouseholdForm.Meta.fields:
        value = changes.get(name, getattr(household, name))
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    return data


def edit(client, household, **changes):
    return client.post(
        reverse("projects:household_edit", args=[household.pk]),
        edit_data(household, **changes),
        follow=True,
    )


# --- signing and decisions by the household's state -------------------------------------


def test_a_household_under_a_decision_cannot_be_signed_and_the_page_says_why(
    client, project, district_member
):
    household = ready_for_decision(project)
    legal.record_compensation_decision(
        household=household,
        by=district_member,
        number="双政征补字〔2022〕5号",
        decided_on=date(2022, 8, 1),
    )
    login(client, "district")
    reason = (
        "该户处于「已作出补偿决定」状态，"
        "签订补偿协议（签约）须在该户处于「登记」、「已评估」状态时办理。"
    )
    assert reason in page_of(client.get(household.get_absolute_url()))
    response = client.post(
        reverse("projects:household_sign", args=[household.pk]),
        {"signed_on": "2022-08-02", "method": "monetary"},
        follow=True,
    )
    assert reason in page_of(response)
    assert "须先将补偿决定以“达成补偿协议”办结" in page_of(response)
    household.refresh_from_db()
    assert not household.is_signed


def test_closing_the_decision_by_agreement_lets_the_household_sign(project, district_member):
    household = ready_to_sign(project)
    put_at_stage(project, Stage.ENFORCEMENT)
    decision = CompensationDecision.objects.create(
        household=household, number="决字3号", decided_on=date(2022, 8, 1), amount=1
    )
    assert gates.household_state(household) == gates.HouseholdState.DECIDED
    legal.close_decision(
        decision=decision, by=district_member, closed_on=date(2022, 8, 5), closure="agreed"
    )
    services.sign_household(
        household=household, by=district_member, signed_on=date(2022, 8, 5), method="monetary"
    )
    assert gates.household_state(household) == gates.HouseholdState.SIGNED


def test_a_decision_for_a_signed_household_is_refused_on_the_page_naming_its_state(
    client, project, district_member
):
    household = ready_for_decision(project)
    Household.objects.filter(pk=household.pk).update(signed_on=date(2022, 7, 1), method="swap")
    login(client, "district")
    response = client.post(
        reverse("projects:decision_create", args=[household.pk]),
        {"number": "双政征补字〔2022〕6号", "decided_on": "2022-08-01"},
        follow=True,
    )
    assert (
        "该户处于「已签约」状态，作出补偿决定须在该户处于「登记」、「已评估」状态时办理。"
        in page_of(response)
    )
    assert not household.compensation_decisions.exists()


def decision_control(page: str) -> str:
    """The refused 登记补偿决定 control of the household page (its summary and 办理条件 panel)."""
    assert page.count('id="decision-refused"') == 1, "no refused decision control on the page"
    return page.split('id="decision-refused"')[1].split("</details>")[0]


def test_the_decision_control_is_refused_with_the_gates_reasons_until_they_are_met(
    client, project, district_member
):
    decided = ready_for_decision(project)  # the project is at 补偿决定
    without_breakdown = valued_household(project)
    login(client, "district")

    # The one requirement missing: no link to the form, the control says why.
    page = page_of(client.get(without_breakdown.get_absolute_url()))
    url = reverse("projects:decision_create", args=[without_breakdown.pk])
    assert f'href="{url}"' not in page
    control = decision_control(page)
    assert "登记补偿决定" in control and "暂不可办理" in control
    assert "该户尚未测算补偿明细，补偿决定的金额须取自补偿明细。" in control
    # The same reason as the page's own 办理条件 table.
    assert "该户尚未测算补偿明细" in row_cells(page, "作出补偿决定")[1]

    # Everything on file: the link, and no refused control.
    page = page_of(client.get(decided.get_absolute_url()))
    assert f'href="{reverse("projects:decision_create", args=[decided.pk])}"' in page
    assert 'id="decision-refused"' not in page


def test_the_decision_control_names_the_stage_before_the_decision_stage(
    client, project, district_member
):
    household = valued_household(project)  # the project is at 签约
    login(client, "district")
    control = decision_control(page_of(client.get(household.get_absolute_url())))
    assert "项目处于「签约」阶段，作出补偿决定须在「补偿决定」阶段办理。" in control


def test_a_leaders_override_turns_the_refused_decision_control_into_the_link(
    client, project, district_member
):
    household = valued_household(project)
    login(client, "district")
    assert 'id="decision-refused"' in page_of(client.get(household.get_absolute_url()))
    gates.override(
        action="decision.record",
        by=leader(),
        reason="法院要求先行作出补偿决定",
        project=project,
        household=household,
    )
    page = page_of(client.get(household.get_absolute_url()))
    assert 'id="decision-refused"' not in page
    assert f'href="{reverse("projects:decision_create", args=[household.pk])}"' in page


def test_a_refused_signing_is_marked_on_its_control_before_it_is_opened(
    client, project, district_member
):
    household = valued_household(project)  # no agreement drafted yet
    login(client, "district")
    page = page_of(client.get(household.get_absolute_url()))
    # Both controls refused, each panel with its own id.
    assert page.count('id="gate-refusal"') == 1
    assert page.count('id="decision-gate-refusal"') == 1
    summary = page.split("<summary>登记签约")[1].split("</summary>")[0]
    assert "暂不可办理" in summary
    assert reverse("projects:household_sign", args=[household.pk]) not in page


# --- moving out and demolition --------------------------------------------------------------


def test_moving_out_needs_the_household_signed_or_decided(client, project, district_member):
    household = valued_household(project)  # the project is at 签约
    login(client, "district")
    response = edit(client, household, moved_out_on="2022-07-01")
    assert (
        "该户处于「已评估」状态，登记搬迁须在该户处于「已签约」、「已作出补偿决定」状态时办理。"
        in page_of(response)
    )
    household.refresh_from_db()
    assert household.moved_out_on is None

    Household.objects.filter(pk=household.pk).update(signed_on=date(2022, 6, 1), method="swap")
    household.refresh_from_db()
    response = edit(client, household, moved_out_on="2022-07-01")
    household.refresh_from_db()
    assert household.moved_out_on == date(2022, 7, 1)
    assert gates.household_state(household) == gates.HouseholdState.MOVED_OUT


def test_a_decided_household_moves_out_and_is_then_demolished(client, project, district_member):
    household = ready_for_decision(project)
    legal.record_compensation_decision(
        household=household,
        by=district_member,
        number="双政征补字〔2022〕7号",
        decided_on=date(2022, 8, 1),
    )
    login(client, "district")
    response = edit(client, household, demolished_on="2022-09-01")
    assert "该户尚未登记搬迁，不能登记拆除。" in page_of(response)
    edit(client, household, moved_out_on="2022-09-01")
    household.refresh_from_db()
    assert household.moved_out_on == date(2022, 9, 1)
    # The day before the move-out is refused; the same day is the edge that is accepted.
    response = edit(client, household, demolished_on="2022-08-31")
    assert "拆除日期不能早于搬迁日期。" in page_of(response)
    edit(client, household, demolished_on="2022-09-01")
    household.refresh_from_db()
    assert gates.household_state(household) == gates.HouseholdState.DEMOLISHED
    page = page_of(client.get(household.get_absolute_url()))
    assert '<dd id="household-state">已拆除</dd>' in page


def test_a_move_out_dated_before_the_signing_is_judged_by_the_state_of_that_day(
    client, project, district_member
):
    household = valued_household(project, signed_on=date(2022, 6, 1), method="swap")
    login(client, "district")
    response = edit(client, household, moved_out_on="2022-05-31")
    assert "该户处于「已评估」状态，登记搬迁须在" in page_of(response)
    edit(client, household, moved_out_on="2022-06-01")
    household.refresh_from_db()
    assert household.moved_out_on == date(2022, 6, 1)


def test_a_move_out_tomorrow_is_refused(client, project, district_member):
    household = valued_household(project, signed_on=date(2022, 6, 1), method="swap")
    login(client, "district")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = edit(client, household, moved_out_on=tomorrow.isoformat())
    assert "搬迁日期不能晚于今天。" in page_of(response)
    household.refresh_from_db()
    assert household.moved_out_on is None


# --- the survey facts frozen once valued ------------------------------------------------------


def test_area_and_use_change_freely_while_only_registered(client, project, district_member):
    household = HouseholdFactory(project=project, area=Decimal("80.00"))
    login(client, "district")
    page = page_of(client.get(reverse("projects:household_edit", args=[household.pk])))
    assert 'id="frozen-reasons"' not in page
    edit(client, household, area="80.01", use="non_residential")
    household.refresh_from_db()
    assert household.area == Decimal("80.01") and household.use == "non_residential"


def test_area_of_a_valued_household_is_frozen_and_the_edit_page_says_why(
    client, project, district_member
):
    household = valued_household(project, area=Decimal("80.00"))
    login(client, "district")
    reason = "该户处于「已评估」状态，修改建筑面积、房屋用途须在该户处于「登记」状态时办理。"
    page = page_of(client.get(reverse("projects:household_edit", args=[household.pk])))
    assert 'id="frozen-reasons"' in page and reason in page
    response = edit(client, household, area="80.01", phone="13900000001")
    assert reason in page_of(response)
    household.refresh_from_db()
    assert household.area == Decimal("80.00")
    assert household.phone != "13900000001"  # nothing half-saved
    # Fields the valuation does not depend on stay editable.
    edit(client, household, phone="13900000001")
    household.refresh_from_db()
    assert household.phone == "13900000001"


def test_a_leaders_override_lets_one_area_correction_through_and_is_recorded(
    client, project, district_member
):
    household = valued_household(project, area=Decimal("80.00"))
    staff(Section.LEADER, username="boss", name="钱领导")
    login(client, "boss")
    client.post(
        reverse("projects:gate_override", args=[project.pk]),
        {
            "action": "household.edit_basis",
            "household": household.pk,
            "reason": "测绘报告更正面积，评估机构出具更正说明",
        },
    )
    login(client, "district")
    page = page_of(client.get(reverse("projects:household_edit", args=[household.pk])))
    assert 'id="frozen-reasons"' not in page
    edit(client, household, area="81.20")
    household.refresh_from_db()
    assert household.area == Decimal("81.20")
    response = edit(client, household, area="81.30")  # the override was used up
    assert "修改建筑面积、房屋用途须在该户处于「登记」状态时办理" in page_of(response)
    household.refresh_from_db()
    assert household.area == Decimal("81.20")
    page = page_of(client.get(project.get_absolute_url()))
    assert "测绘报告更正面积，评估机构出具更正说明" in page


def test_ownership_is_frozen_once_an_agreement_is_drafted(client, project, district_member):
    household = ready_to_sign(project)
    login(client, "district")
    response = edit(client, household, is_public_housing=True, owner_unit="市房产管理处")
    assert "该户已起草补偿协议，协议当事人依据产权性质确定。" in page_of(response)
    household.refresh_from_db()
    assert not household.is_public_housing


# --- imports only in 立项启动 and 调查登记 ---------------------------------------------------


@pytest.mark.parametrize("stage", list(Stage), ids=[s.value for s in Stage])
def test_households_are_imported_only_before_the_plan_stage(
    stage, client, project, district_member
):
    put_at_stage(project, stage)
    login(client, "district")
    page = page_of(client.get(reverse("projects:import_create", args=[project.pk])))
    response = post_file(client, project, workbook([good_row(1)]))
    allowed = stage in (Stage.INITIATION, Stage.SURVEY)
    reason = (
        f"项目处于「{stage.label}」阶段，导入调查登记表须在「立项启动」、「调查登记」阶段办理。"
    )
    assert (reason in page) is not allowed
    assert ('id="import-blockers"' in page) is not allowed
    if allowed:
        record = HouseholdImport.objects.get()
        client.post(reverse("projects:import_confirm", args=[record.pk]))
        assert project.households.count() == 1
    else:
        assert reason in page_of(response)
        assert not HouseholdImport.objects.exists()
        assert not project.households.exists()


def test_a_file_checked_in_the_survey_is_not_confirmed_after_it(client, project, district_member):
    put_at_stage(project, Stage.SURVEY)
    login(client, "district")
    post_file(client, project, workbook([good_row(1)]))
    record = HouseholdImport.objects.get()
    put_at_stage(project, Stage.PLAN)
    page = page_of(client.get(record.get_absolute_url()))
    assert "导入调查登记表须在「立项启动」、「调查登记」阶段办理" in page
    assert reverse("projects:import_confirm", args=[record.pk]) not in page
    response = client.post(reverse("projects:import_confirm", args=[record.pk]), follow=True)
    assert "导入调查登记表须在「立项启动」、「调查登记」阶段办理" in page_of(response)
    assert not project.households.exists()


# --- archive files ------------------------------------------------------------------------------


def _upload(client, household, title="房产证扫描件"):
    return client.post(
        reverse("projects:document_upload", args=[household.pk]),
        {
            "kind": "certificate",
            "title": title,
            "file": SimpleUploadedFile("cert.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        },
        follow=True,
    )


def test_a_file_of_an_unsigned_household_is_deleted_and_the_history_keeps_it(
    client, project, district_member
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    _upload(client, household)
    document = household.documents.get()
    page = page_of(client.get(household.get_absolute_url()))
    assert reverse("projects:document_delete", args=[document.pk]) in page
    response = client.post(reverse("projects:document_delete", args=[document.pk]), follow=True)
    assert "已删除档案文件「房产证扫描件」" in page_of(response)
    assert not household.documents.exists()
    assert document.history.filter(history_type="-").exists()


def test_files_are_added_but_not_deleted_once_the_household_signed(
    client, project, district_member
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    _upload(client, household, title="调查登记表")
    Household.objects.filter(pk=household.pk).update(signed_on=date(2022, 6, 1), method="swap")
    response = _upload(client, household, title="补偿协议扫描件")
    assert household.documents.count() == 2
    first = household.documents.get(title="调查登记表")
    reason = "该户处于「已签约」状态，删除档案文件须在该户处于「登记」、「已评估」状态时办理。"
    page = page_of(response)
    assert reason in page
    assert reverse("projects:document_delete", args=[first.pk]) not in page
    response = client.post(reverse("projects:document_delete", args=[first.pk]), follow=True)
    assert reason in page_of(response)
    assert household.documents.count() == 2


def test_an_outsider_cannot_delete_a_file(client, project, district_member, outsider):
    household = HouseholdFactory(project=project)
    login(client, "district")
    _upload(client, household)
    document = household.documents.get()
    client.logout()
    login(client, "outsider")
    response = client.post(reverse("projects:document_delete", args=[document.pk]))
    assert response.status_code == 404
    assert household.documents.exists()


# --- hardship subsidies withdrawn ---------------------------------------------------------------


def _subsidised(project, district_member, clerk):
    """A signed, paid-in-full 低保 household of a project at 签约 whose subsidy is posted and
    payable, and the fund holding the subsidy's money."""
    household = ready_to_sign(project, hardship="dibao")
    agreement = approved_agreement(household)
    fund = funded(project, agreement.agreed_total + Decimal("5000.00"))
    request = agreement_request(fund, agreement, agreement.agreed_total, by=finance())
    compensation_services.approve_disbursement(request=request, approved_by=leader())
    (subsidy,) = compensation_services.register_subsidies(project=project, by=district_member)
    notice = compensation_services.post_subsidy_notice(project=project, by=district_member)
    sign_off_and_publish(notice, on=date(2022, 6, 1))
    subsidy.refresh_from_db()
    return fund, subsidy


def test_a_subsidy_is_withdrawn_on_the_page_with_a_reason_kept_in_history(
    client, project, district_member, office_user
):
    approve_plan(project)
    fund, subsidy = _subsidised(project, district_member, office_user)
    login(client, "district")
    url = reverse("compensation:household_detail", args=[subsidy.household_id])
    assert reverse("compensation:subsidy_withdraw", args=[subsidy.pk]) in page_of(client.get(url))
    withdraw = reverse("compensation:subsidy_withdraw", args=[subsidy.pk])
    response = client.post(withdraw, {"reason": "  "}, follow=True)
    assert "撤回困难补助须填写理由。" in page_of(response)
    response = client.post(
        withdraw, {"reason": "经复查，该户低保资格已于2022年5月取消。"}, follow=True
    )
    page = page_of(response)
    assert "已撤回" in page and "经复查，该户低保资格已于2022年5月取消。" in page
    assert "李区县" in page
    subsidy.refresh_from_db()
    assert subsidy.is_withdrawn and subsidy.withdrawn_by == district_member
    assert subsidy.unpaid == 0
    latest = subsidy.history.first()
    assert latest.withdrawal_reason == "经复查，该户低保资格已于2022年5月取消。"
    assert latest.history_change_reason.startswith("撤回困难补助")
    # Nothing more can be requested for it.
    with pytest.raises(Exception, match="该项困难补助已撤回，不能申请划拨"):
        compensation_services.request_disbursement(
            fund=fund,
            by=finance(),
            idempotency_key="s",
            amount=Decimal("1.00"),
            category="hardship",
            purpose="困难补助",
            subsidy=subsidy,
        )
    response = client.post(withdraw, {"reason": "再次撤回"}, follow=True)
    assert "该项困难补助已经撤回。" in page_of(response)


def test_closing_the_fund_accepts_a_withdrawn_subsidy_but_not_an_unpaid_one(
    project, district_member, office_user
):
    approve_plan(project)
    _fund, subsidy = _subsidised(project, district_member, office_user)
    put_at_stage(project, Stage.ENFORCEMENT)
    assert "尚有1项困难补助既未划拨完毕也未撤回。" in gates.blockers(
        "final_account.approve", project=project
    )
    compensation_services.withdraw_subsidy(
        subsidy=subsidy, by=district_member, reason="该户书面放弃困难补助。"
    )
    assert not any(
        "困难补助" in m for m in gates.blockers("final_account.approve", project=project)
    )


def test_a_subsidy_paid_in_full_or_waiting_for_approval_is_not_withdrawn(
    project, district_member, office_user
):
    approve_plan(project)
    fund, subsidy = _subsidised(project, district_member, office_user)
    request = compensation_services.request_disbursement(
        fund=fund,
        by=finance(),
        idempotency_key="sub",
        amount=Decimal("5000.00"),
        category="hardship",
        purpose="困难补助",
        subsidy=subsidy,
    )
    with pytest.raises(Exception, match="有待审批的划拨申请"):
        compensation_services.withdraw_subsidy(subsidy=subsidy, by=district_member, reason="放弃")
    compensation_services.approve_disbursement(request=request, approved_by=leader())
    with pytest.raises(Exception, match="已全额划拨，不能撤回"):
        compensation_services.withdraw_subsidy(subsidy=subsidy, by=district_member, reason="放弃")
    assert not HardshipSubsidy.objects.get(pk=subsidy.pk).is_withdrawn


# --- one household at a time follows the import's rule ---------------------------------------


def _register_one(client, project, code="D-1", **overrides):
    from tests.projects.test_households import household_data

    return client.post(
        reverse("projects:household_create", args=[project.pk]),
        household_data(code=code, **overrides),
    )


@pytest.mark.parametrize("stage", list(Stage), ids=[s.value for s in Stage])
def test_a_single_household_is_registered_only_in_the_stages_an_import_is(
    stage, client, project, district_member
):
    put_at_stage(project, stage)
    login(client, "district")
    page = page_of(client.get(reverse("projects:household_create", args=[project.pk])))
    response = _register_one(client, project)
    allowed = stage in gates.RULES["household.import"].stages
    reason = f"项目处于「{stage.label}」阶段，登记被征收户须在「立项启动」、「调查登记」阶段办理。"
    assert (reason in page) is not allowed
    assert ('name="head_name"' in page) is allowed
    if allowed:
        assert response.status_code == 302
        assert project.households.get().code == "D-1"
    else:
        assert "办理条件" in page
        assert response.status_code == 409
        assert reason in page_of(response)
        assert not project.households.exists()


def test_a_leaders_override_lets_one_late_household_be_registered_and_is_recorded(
    client, project, district_member
):
    from tests.factories import resident_id

    put_at_stage(project, Stage.SIGNING)
    staff(Section.LEADER, username="boss", name="钱领导")
    login(client, "boss")
    form_page = page_of(client.get(reverse("projects:household_create", args=[project.pk])))
    assert 'value="household.register"' in form_page  # the override form on the panel
    client.post(
        reverse("projects:gate_override", args=[project.pk]),
        {"action": "household.register", "reason": "调查时漏登一户，经核实补登"},
    )
    login(client, "district")
    assert _register_one(client, project, code="D-1").status_code == 302
    second = _register_one(client, project, code="D-2", id_number=resident_id(12))
    assert second.status_code == 409  # the override was used up
    assert list(project.households.values_list("code", flat=True)) == ["D-1"]
    assert "调查时漏登一户，经核实补登" in page_of(client.get(project.get_absolute_url()))
