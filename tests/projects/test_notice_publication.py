"""Publishing a notice as the office lives it: the publication page lists every unmet condition
(the money in the fund included), the leader who signs off sees why it still cannot be
published, the section that must publish sees it on its to-do list, and a leader can record an
override on the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Fund
from core import signoffs
from core.models import User
from core.roles import Section
from projects import services
from projects.models import GateOverride, Notice, Project, Stage
from tests.compensation.factories import funded
from tests.factories import signed_off, staff

pytestmark = pytest.mark.django_db

NO_FUND = (
    "补偿资金未到位：尚未开设项目资金账户（《国有土地上房屋征收与补偿条例》第十二条："
    "征收补偿费用应当足额到位、专户存储、专款专用）。"
)
EMPTY_FUND = (
    "补偿资金未到位：项目资金账户尚无资金（《国有土地上房屋征收与补偿条例》第十二条："
    "征收补偿费用应当足额到位、专户存储、专款专用）。"
)


def _decision_notice(project, by):
    return services.draft_notice(
        project=project, by=by, kind=Notice.Kind.DECISION, title="征收决定公告", body="正文"
    )


def test_on_the_demo_the_publish_page_lists_every_reason_the_money_included(demo_data, client):
    """北塔区C-12 (in the survey, its plan returned, no risk assessment, no fund): the page and
    the refused post name every unmet condition, in the table's order."""
    project = Project.objects.get(code="2022-BT-C12")
    assert not Fund.objects.filter(project=project).exists()
    operations = User.objects.get(username="operations")
    notice = _decision_notice(project, operations)
    services.sign_off_notice(notice=notice, by=User.objects.get(username="leader"))
    client.force_login(operations)
    expected = [
        "项目处于「调查登记」阶段，发布征收决定公告须在「征收决定」阶段办理。",
        "补偿方案尚未经市征收办批准。",
        "补偿方案尚未公布征求意见（征求意见期不少于30日）。",
        "尚未完成社会稳定风险评估。",
        NO_FUND,
    ]
    page = client.get(notice.get_absolute_url()).content.decode()
    positions = [page.index(reason) for reason in expected]
    assert positions == sorted(positions)
    html = client.post(reverse("projects:notice_publish", args=[notice.pk]), follow=True)
    html = html.content.decode()
    for reason in expected:
        assert reason in html
    notice.refresh_from_db()
    assert not notice.is_published


def test_an_empty_fund_is_named_and_money_in_it_clears_the_reason(project, office_user):
    project.stage = Stage.DECISION
    project.save(update_fields=["stage"])
    notice = _decision_notice(project, office_user)
    from projects import gates

    action = gates.notice_action(notice)
    assert NO_FUND in gates.blockers(action, project=project, obj=notice)
    funded(project, Decimal("0"))
    assert EMPTY_FUND in gates.blockers(action, project=project, obj=notice)
    funded(project, Decimal("0.01"))  # a fen in the account; no approved plan fixes more
    reasons = gates.blockers(action, project=project, obj=notice)
    assert not [r for r in reasons if r.startswith("补偿资金")]


def _gated_decision_notice(project, office_user):
    """A 征收决定公告 drafted in 征收决定 with nothing else on file: four conditions unmet."""
    project.stage = Stage.DECISION
    project.save(update_fields=["stage"])
    return _decision_notice(project, office_user)


def test_the_leader_signing_off_sees_why_it_still_cannot_be_published(client, project, office_user):
    notice = _gated_decision_notice(project, office_user)
    boss = staff(Section.LEADER, username="boss", name="钱领导")
    client.force_login(User.objects.get(username="boss"))
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "签发后仍不能发布，因为：" in page
    assert "尚未完成社会稳定风险评估。" in page and NO_FUND in page
    response = client.post(
        reverse("projects:notice_sign_off", args=[notice.pk]), {"signoff-comment": "同意"}
    )
    assert response.status_code == 302
    assert signoffs.signoff_for(notice).acted_by == boss

    # 业务科, which must publish it, sees on its to-do list why it cannot yet.
    client.force_login(office_user)
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert "征收决定公告：征收决定公告" in todo
    assert (
        "待发布（尚不能发布：补偿方案尚未经市征收办批准；"
        "补偿方案尚未公布征求意见（征求意见期不少于30日）；尚未完成社会稳定风险评估；"
        "补偿资金未到位：尚未开设项目资金账户" in todo
    )


def test_a_publishable_notice_has_no_reason_on_the_todo_list(client, project, office_user):
    project.stage = Stage.SURVEY
    project.save(update_fields=["stage"])
    notice = services.draft_notice(
        project=project, by=office_user, kind=Notice.Kind.RANGE, title="范围公告", body="正文"
    )
    signed_off(notice)
    client.force_login(office_user)
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert "征收范围公告：范围公告" in todo
    assert "尚不能发布" not in todo


def test_a_leader_overrides_a_gated_publication_once_on_the_notice_page(
    client, project, office_user
):
    notice = _gated_decision_notice(project, office_user)
    signed_off(notice)
    staff(Section.LEADER, username="boss", name="钱领导")
    url = reverse("projects:notice_override", args=[notice.pk])

    # 业务科 (the publisher) is offered no override and is refused one.
    client.force_login(office_user)
    assert "越过办理条件（领导）" not in client.get(notice.get_absolute_url()).content.decode()
    assert client.post(url, {"override-reason": "急需"}).status_code == 403
    assert not GateOverride.objects.exists()

    client.force_login(User.objects.get(username="boss"))
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "越过办理条件（领导）" in page and NO_FUND in page
    page = client.post(url, {"override-reason": "  "}).content.decode()
    assert "越过办理条件须填写理由。" in page
    assert not GateOverride.objects.exists()
    response = client.post(
        url, {"override-reason": "市政府常务会议纪要〔2022〕12号：资金随后拨付"}, follow=True
    )
    assert "已记录越过办理条件，该公告可发布一次。" in response.content.decode()
    record = GateOverride.objects.get()
    assert record.action == "notice.decision" and record.target_id == notice.pk
    assert record.project == project and record.by.username == "boss"
    assert NO_FUND in record.blocked_by and "尚未完成社会稳定风险评估。" in record.blocked_by
    assert "钱领导已于" in response.content.decode()
    # A second override for the same publication is not offered while one waits.
    assert "越过办理条件（领导）" not in response.content.decode()

    # The to-do list no longer holds it; 业务科 publishes it once.
    client.force_login(office_user)
    assert "尚不能发布" not in client.get(reverse("core:todo_list")).content.decode()
    response = client.post(reverse("projects:notice_publish", args=[notice.pk]), follow=True)
    assert "公告已发布。" in response.content.decode()
    notice.refresh_from_db()
    record.refresh_from_db()
    assert notice.is_published and record.used_at is not None
    assert record.history.count() == 2

    # Recorded on the project page; it let one notice through, not the next.
    page = client.get(project.get_absolute_url()).content.decode()
    assert "市政府常务会议纪要〔2022〕12号：资金随后拨付" in page and "钱领导" in page
    again = _decision_notice(project, office_user)
    signed_off(again)
    response = client.post(reverse("projects:notice_publish", args=[again.pk]), follow=True)
    assert NO_FUND in response.content.decode()
    again.refresh_from_db()
    assert not again.is_published


def _todo_queries(client) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("core:todo_list")).content.decode()
    return len(queries), html


def test_the_todo_list_reads_the_gates_of_many_notices_in_a_fixed_number_of_queries(
    client, project, office_user
):
    """业务科's to-do list with one signed-off notice held by its gate, then five (one of them
    let through by a leader's override): the same number of queries."""
    from projects import gates

    first = _gated_decision_notice(project, office_user)
    signed_off(first)
    client.force_login(office_user)
    client.get(reverse("core:todo_list"))  # warm the per-process caches (content types)
    one, html = _todo_queries(client)
    assert html.count("待发布（尚不能发布：") == 1

    more = [_decision_notice(project, office_user) for _ in range(4)]
    for notice in more:
        signed_off(notice)
    boss = staff(Section.LEADER, username="boss", name="钱领导")
    gates.override(
        action=gates.notice_action(more[0]),
        by=boss,
        reason="市政府常务会议纪要：资金随后拨付",
        project=project,
        obj=more[0],
    )
    client.force_login(office_user)
    five, html = _todo_queries(client)
    assert html.count("征收决定公告：征收决定公告") == 5
    assert html.count("待发布（尚不能发布：") == 4  # the overridden one is not held
    assert five == one
