"""The reconsideration road, receipt dates, the judgment and the untold-rights limits, worked
out by hand with the 2026 holiday schedule (National Day 1–7 October, make-up Saturday
10 October) and tried through the pages on the day a user would look."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document as Docx
from pypdf import PdfReader

from compensation import services
from core.roles import Section
from projects import legal
from projects.models import CompensationDecision
from tests.auth import login
from tests.compensation.factories import approve_plan, ready_for_decision, valued_household
from tests.factories import announce, put_at_stage, reviewers

pytestmark = pytest.mark.django_db


@contextmanager
def on(client, day: date):
    """Travel to 10:00 in Shaoyang on `day` and sign in there: the pages compute 'today' from
    the clock, and a session idles out across the months travelled."""
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        login(client, "district")
        yield


@pytest.fixture
def household(project):
    return ready_for_decision(
        project,
        code="A-012",
        head_name="钱某某",
        id_number="430502198001011235",
        address="六岭路12号3栋2单元401室",
    )


def served(household, by, *, decided_on, served_on, **fields) -> CompensationDecision:
    decision = legal.record_compensation_decision(
        household=household,
        by=by,
        number="双政征补字〔2026〕7号",
        decided_on=decided_on,
        amount=Decimal("385000.00"),
        amount_reason="经评估复核后确定。",
        **fields,
    )
    return legal.serve_decision(decision=decision, by=by, served_on=served_on)


def page(client, decision) -> str:
    return client.get(decision.get_absolute_url()).content.decode()


def deadlines_page(client) -> str:
    return client.get(reverse("core:deadline_list")).content.decode()


def post_reconsideration(client, decision, **fields):
    login(client, "district")
    data = {"extended_days": "0", "outcome": "", **fields}
    return client.post(
        reverse("projects:decision_reconsideration", args=[decision.pk]),
        {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in data.items()
        },
        follow=True,
    )


# --- a reconsideration the review body never decides -----------------------------------------


def test_a_reconsideration_never_decided_keeps_the_suit_and_court_windows_in_view(
    client, household, district_member
):
    # Served Tuesday 30 June 2026; applied 28 July; accepted Monday 3 August.
    decision = served(
        household, district_member, decided_on=date(2026, 6, 29), served_on=date(2026, 6, 30)
    )
    login(client, "district")
    response = post_reconsideration(
        client, decision, applied_on=date(2026, 7, 28), accepted_on=date(2026, 8, 3)
    )
    assert "已登记行政复议情况" in response.content.decode()

    # 行政复议法 第六十二条: 60 days from 3 August end on Friday 2 October, inside the National
    # Day holiday (1–7 October): the review deadline rolls to Thursday 8 October.
    # 行政诉讼法 第四十五条: then 15 days from 8 October: Friday 23 October.
    # 行政强制法 第五十三条: 3 months after 23 October: Saturday 23 January 2027 → Monday 25th.
    with on(client, date(2026, 9, 20)):
        html = page(client, decision)
        assert "行政复议中" in html
        assert "复议机关作出决定期限" in html
        assert "期限至 2026年10月8日" in html
        assert "期限至 2026年10月23日" in html
        assert "期限至 2027年1月25日" in html
        assert "第六十二条" in html
        listed = deadlines_page(client)
        assert "复议机关决定期限" in listed
        assert "2026-10-08" in listed

    with on(client, date(2026, 10, 15)):
        html = page(client, decision)
        assert "复议逾期未决，诉讼期内" in html
        assert "复议机关逾期未作决定" in html
        assert "复议期满之日为2026年10月8日" in html
        listed = deadlines_page(client)
        assert "起诉期限（复议逾期未决）" in listed
        assert "2026-10-23" in listed
        assert "A-012 钱某某" in listed

    # The suit window closed unused: the court-application window is what the office watches.
    with on(client, date(2027, 1, 5)):
        html = page(client, decision)
        assert "待催告" in html
        listed = deadlines_page(client)
        assert "申请强制执行期限" in listed
        assert "2027-01-25" in listed
        assert "第五十三条" in listed


def test_without_an_acceptance_date_the_review_body_is_taken_to_accept_after_five_working_days(
    client, household, district_member
):
    decision = served(
        household, district_member, decided_on=date(2026, 8, 3), served_on=date(2026, 8, 4)
    )
    login(client, "district")
    post_reconsideration(client, decision, applied_on=date(2026, 9, 29))
    decision.refresh_from_db()
    # 行政复议法 第三十条 and 第八十八条: 5 working days from Tuesday 29 September: 30 September,
    # (1–7 October off), 8, 9, the make-up Saturday 10 and Monday 12 October.
    accepted_on, assumed = legal.review_acceptance(decision)
    assert accepted_on == date(2026, 10, 12)
    assert assumed.due == accepted_on
    # 60 days from 12 October: Friday 11 December 2026.
    review = legal.review_deadline(decision)
    assert review.due == date(2026, 12, 11)
    assert any("未登记复议受理日期" in line for line in review.explanation)
    with on(client, date(2026, 11, 20)):
        html = page(client, decision)
        assert "视为受理（推定）" in html
        assert "期限至 2026年12月11日" in html

    # Extended by 30 days: 90 days from 12 October end on Sunday 10 January 2027 → Monday 11th.
    post_reconsideration(client, decision, applied_on=date(2026, 9, 29), extended_days="30")
    decision.refresh_from_db()
    assert legal.review_deadline(decision).due == date(2027, 1, 11)
    response = post_reconsideration(
        client, decision, applied_on=date(2026, 9, 29), extended_days="31"
    )
    assert "30" in response.content.decode()
    decision.refresh_from_db()
    assert decision.reconsideration_extended_days == 30


def test_the_suit_window_after_a_reconsideration_decision_runs_from_its_receipt(
    client, household, district_member
):
    decision = served(
        household, district_member, decided_on=date(2026, 8, 3), served_on=date(2026, 8, 4)
    )
    login(client, "district")
    post_reconsideration(
        client,
        decision,
        applied_on=date(2026, 8, 20),
        decided_on=date(2026, 10, 9),
        outcome="upheld",
    )
    decision.refresh_from_db()
    # No receipt recorded: the decision's date (Friday 9 October) stands in, and says so;
    # 15 days end on Saturday 24 October → Monday 26 October.
    assumed = legal.suit_window(decision)
    assert assumed.due == date(2026, 10, 26)
    assert any("未登记复议决定书送达日期" in line for line in assumed.explanation)
    with on(client, date(2026, 10, 20)):
        html = page(client, decision)
        assert "未登记送达日期，暂按复议决定日期" in html
        assert "期限至 2026年10月26日" in html

    # Received Tuesday 13 October: 15 days to Wednesday 28 October (行政诉讼法 第四十五条).
    post_reconsideration(
        client,
        decision,
        applied_on=date(2026, 8, 20),
        decided_on=date(2026, 10, 9),
        received_on=date(2026, 10, 13),
        outcome="upheld",
    )
    decision.refresh_from_db()
    assert decision.reconsideration_received_on == date(2026, 10, 13)
    window = legal.suit_window(decision)
    assert window.due == date(2026, 10, 28)
    assert not any("未登记" in line for line in window.explanation)
    assert "第四十五条" in window.explanation[0]
    with on(client, date(2026, 10, 20)):
        listed = deadlines_page(client)
        assert "2026-10-28" in listed

    response = post_reconsideration(
        client,
        decision,
        applied_on=date(2026, 8, 20),
        decided_on=date(2026, 10, 9),
        received_on=date(2026, 10, 8),
        outcome="upheld",
    )
    assert "复议决定书送达日期不能早于复议决定日期" in response.content.decode()


# --- the judgment ------------------------------------------------------------------------------


def test_a_final_judgment_gives_two_years_to_apply_for_enforcement(
    client, household, district_member
):
    decision = served(
        household, district_member, decided_on=date(2021, 8, 2), served_on=date(2021, 8, 3)
    )
    login(client, "district")
    url = reverse("projects:decision_litigation", args=[decision.pk])
    client.post(url, {"filed_on": "2021-09-01", "judgment_on": "2022-04-12", "outcome": "upheld"})
    decision.refresh_from_db()
    # Judged but not yet final (an appeal may follow): still in litigation, no window.
    assert legal.road(decision, date(2022, 4, 20)).position == "行政诉讼中"

    client.post(
        url,
        {
            "filed_on": "2021-09-01",
            "judgment_on": "2022-04-12",
            "final_on": "2022-04-28",
            "outcome": "upheld",
        },
    )
    decision.refresh_from_db()
    # 解释 第一百五十三条 counts from the final judgment's service; none recorded yet, so the
    # judgment's own date (12 April 2022, the earliest the service can be) stands in, said so:
    # 2 years end on Friday 12 April 2024, a working day.
    window = legal.application_window(decision)
    assert window.due == date(2024, 4, 12)
    assert "未登记生效判决送达日期" in " ".join(window.explanation)

    client.post(
        url,
        {
            "filed_on": "2021-09-01",
            "judgment_on": "2022-04-12",
            "final_on": "2022-04-28",
            "served_on": "2022-05-01",
            "outcome": "upheld",
        },
    )
    decision.refresh_from_db()
    # Served on 1 May 2022: 2 years end on Wednesday 1 May 2024, in the Labour Day holiday
    # (1–5 May 2024): Monday 6 May 2024.
    window = legal.application_window(decision)
    assert window.due == date(2024, 5, 6)
    assert "第一百五十三条" in window.explanation[0]
    assert "未登记" not in " ".join(window.explanation)
    with on(client, date(2023, 6, 1)):
        html = page(client, decision)
        assert "待催告" in html
        assert "2022年4月28日生效" in html
        assert "2022年5月1日送达" in html
        assert "期限至 2024年5月6日" in html
        # The cited rule is the one applied: from the service, not from the judgment's effect.
        assert "从该法律文书送达当事人之日起计算" in html
        assert "自判决发生法律效力之日起计算" not in html


# --- a decision that did not state the rights --------------------------------------------------


def test_a_decision_that_did_not_state_the_rights_gets_the_one_year_limits(
    client, household, district_member
):
    login(client, "district")
    client.post(
        reverse("projects:decision_create", args=[household.pk]),
        {
            "number": "双政征补字〔2025〕4号",
            "decided_on": "2025-09-29",
            "amount": "385000.00",
            "amount_reason": "经评估复核后确定。",
        },
    )
    decision = CompensationDecision.objects.get(household=household)
    assert decision.states_rights is False  # the box was left unticked
    client.post(reverse("projects:decision_serve", args=[decision.pk]), {"served_on": "2025-10-01"})
    decision.refresh_from_db()
    # 行政复议法 第二十条第三款 and 解释 第六十四条: one year from service on 1 October 2025 ends on
    # 1 October 2026, in the National Day holiday: Thursday 8 October 2026. The court
    # application then runs 3 months to Friday 8 January 2027.
    assert legal.reconsideration_window(decision).due == date(2026, 10, 8)
    assert legal.suit_window(decision).due == date(2026, 10, 8)
    assert legal.application_window(decision).due == date(2027, 1, 8)
    assert "第二十条第三款" in legal.reconsideration_window(decision).explanation[0]
    assert "第六十四条" in legal.suit_window(decision).explanation[0]
    with on(client, date(2026, 9, 1)):
        html = page(client, decision)
        assert "未告知" in html
        assert "期限至 2026年10月8日" in html
        assert "复议期内" in html

    # The same decision stating them: 60 days end on Sunday 30 November 2025 → Monday
    # 1 December; 6 months on Wednesday 1 April 2026.
    told = served(
        ready_for_decision(household.project),
        district_member,
        decided_on=date(2025, 9, 29),
        served_on=date(2025, 10, 1),
    )
    assert legal.reconsideration_window(told).due == date(2025, 12, 1)
    assert legal.suit_window(told).due == date(2026, 4, 1)


# --- the announcement before enforcement -------------------------------------------------------


def test_no_warning_before_the_decision_is_announced(household, district_member, office_user):
    decision = served(
        household, district_member, decided_on=date(2022, 8, 1), served_on=date(2022, 8, 2)
    )
    with pytest.raises(ValidationError) as error:
        legal.serve_warning(decision=decision, by=district_member, served_on=date(2023, 2, 3))
    assert "第二十六条" in error.value.messages[0]
    announce(decision, by=office_user, on=date(2022, 8, 3))
    decision.refresh_from_db()
    legal.serve_warning(decision=decision, by=district_member, served_on=date(2023, 2, 3))
    road = legal.road(decision, date(2023, 2, 10))
    assert road.position == "催告期内"
    announced = [step for step in road.steps if step.name == "补偿决定公告"]
    assert announced[0].done_on == date(2022, 8, 3)


# --- the decision document and its announcement ------------------------------------------------


def pdf_text(content: bytes) -> str:
    pages = PdfReader(BytesIO(content)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


def test_the_decision_and_its_announcement_come_out_as_pdf_and_docx_and_the_announcement_is_public(
    client, household, district_member, office_user
):
    decision = served(
        household,
        district_member,
        decided_on=date(2026, 8, 3),
        served_on=date(2026, 8, 4),
        reconsideration_body="邵阳市人民政府",
        court="邵阳市中级人民法院",
    )
    login(client, "district")
    response = client.get(reverse("compensation:decision_decision_pdf", args=[decision.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "双清区人民政府房屋征收补偿决定书" in text
    assert "钱某某" in text and "430502198001011235" in text
    assert "385,000.00" in text
    assert "叁拾捌万伍仟元整" in text
    # The rights, the periods and the bodies to apply to.
    assert "60日内向邵阳市人民政府申请行政复议" in text
    assert "6个月内向邵阳市中级人民法院提起行政诉讼" in text

    response = client.get(reverse("compensation:decision_decision_docx", args=[decision.pk]))
    docx = Docx(BytesIO(response.content))
    assert docx.paragraphs[0].text == "双清区人民政府房屋征收补偿决定书"
    assert "叁拾捌万伍仟元整" in "\n".join(p.text for p in docx.paragraphs)

    # The office drafts the announcement from the decision page; a district user may not.
    url = reverse("projects:decision_announce", args=[decision.pk])
    client.post(url, {"published_on": "2026-08-05"})
    decision.refresh_from_db()
    assert decision.announcement is None
    client.logout()
    login(client, "clerk")
    response = client.post(url, {"published_on": "2026-08-05"}, follow=True)
    html = response.content.decode()
    assert "补偿决定公告已起草，待领导签发后由法规科发布。" in html
    assert "已起草，未发布" in html and "领导签发（领导）" in html
    decision.refresh_from_db()
    notice = decision.announcement
    assert notice.kind == "compensation_decision" and not notice.is_published
    # Not public before a leader's sign-off and 法规科's publication.
    assert notice.title not in client.get(reverse("public:notice_list")).content.decode()
    people = reviewers()
    # 法规科 cannot publish it before the leader has signed it off.
    client.force_login(people[Section.LEGAL])
    publish = reverse("projects:notice_publish", args=[notice.pk])
    assert client.post(publish, {"published_on": "2026-08-05"}).status_code == 403
    client.force_login(people[Section.LEADER])
    client.post(reverse("projects:notice_sign_off", args=[notice.pk]), {"signoff-comment": ""})
    client.force_login(people[Section.LEGAL])
    # Not dated before the decision.
    response = client.post(publish, {"published_on": "2026-08-02"}, follow=True)
    assert "公告日期不能早于决定作出日期。" in response.content.decode()
    response = client.post(publish, {"published_on": "2026-08-05"}, follow=True)
    assert "公告已发布。" in response.content.decode()
    notice.refresh_from_db()
    assert notice.published_on == date(2026, 8, 5)
    assert notice.published_by == people[Section.LEGAL]

    response = client.get(reverse("compensation:decision_announcement_pdf", args=[decision.pk]))
    text = pdf_text(response.content)
    assert "房屋征收补偿决定公告" in text
    assert "钱*某" in text and "钱某某" not in text
    assert "六岭路12号3栋***" in text and "401室" not in text
    assert "叁拾捌万伍仟元整" in text
    assert "2026年8月5日" in text
    response = client.get(reverse("compensation:decision_announcement_docx", args=[decision.pk]))
    assert "钱*某" in "\n".join(p.text for p in Docx(BytesIO(response.content)).paragraphs)

    # On the public site, masked.
    client.logout()
    listing = client.get(reverse("public:notice_list")).content.decode()
    assert notice.title in listing
    public = client.get(reverse("public:notice_detail", args=[notice.pk])).content.decode()
    assert "补偿决定公告" in public
    assert "钱*某" in public
    assert "钱某某" not in public and "430502198001011235" not in public
    assert "401室" not in public
    assert "邵阳市中级人民法院" in public


def test_staff_edit_the_decision_template_in_the_browser(
    client, household, district_member, office_user
):
    decision = served(
        household, district_member, decided_on=date(2026, 8, 3), served_on=date(2026, 8, 4)
    )
    url = reverse("compensation:template_edit", args=[household.project_id, "decision"])
    login(client, "clerk")
    page = client.get(url).content.decode()
    assert "补偿决定书" in page and "复议机关" in page  # the placeholders are explained
    body = "{{ 区县 }}补偿决定（改）\n金额{{ 补偿金额大写 }}，可向{{ 复议机关 }}申请复议。"
    client.post(url, {"body": body})
    text = pdf_text(
        client.get(reverse("compensation:decision_decision_pdf", args=[decision.pk])).content
    )
    assert "双清区补偿决定（改）" in text
    assert "金额叁拾捌万伍仟元整，可向有管辖权的行政复议机关申请复议" in text

    response = client.post(url, {"body": "{{ 协议编号 }}"})
    assert "未知的占位符：协议编号" in response.content.decode()


def test_outsiders_cannot_download_the_decision_documents(
    client, household, district_member, outsider
):
    decision = served(
        household, district_member, decided_on=date(2026, 8, 3), served_on=date(2026, 8, 4)
    )
    login(client, "outsider")
    for name in ("decision_decision_pdf", "decision_announcement_docx"):
        assert client.get(reverse(f"compensation:{name}", args=[decision.pk])).status_code == 404
    assert (
        client.post(
            reverse("projects:decision_announce", args=[decision.pk]),
            {"published_on": "2026-08-05"},
        ).status_code
        == 404
    )


def test_the_decision_lists_the_breakdown_only_when_it_adds_up_to_the_decided_amount(
    client, project, district_member
):
    approve_plan(project)
    household = valued_household(project, area="86.50", unit_price="5000.00")
    breakdown = services.compute_breakdown(household=household, by=district_member)
    put_at_stage(project, "enforcement")
    login(client, "district")
    # The form offers the breakdown's total as the amount.
    form = client.get(reverse("projects:decision_create", args=[household.pk])).content.decode()
    assert f'value="{breakdown.total}"' in form
    decision = served(
        household, district_member, decided_on=date(2026, 8, 3), served_on=date(2026, 8, 4)
    )
    # Decided at 385,000.00, not the breakdown's total: its lines would not add up to it.
    assert decision.amount != breakdown.total
    url = reverse("compensation:decision_decision_pdf", args=[decision.pk])
    text = pdf_text(client.get(url).content)
    assert "叁拾捌万伍仟元整" in text
    assert "补偿明细" not in text and "被征收房屋价值" not in text

    decision.amount = breakdown.total
    decision.save(update_fields=["amount"])
    text = pdf_text(client.get(url).content)
    assert "补偿明细" in text and "被征收房屋价值" in text
