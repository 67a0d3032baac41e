"""The project page: a fixed number of queries whatever the project holds, and its inline risk
form behind the same gate as before (the 办理条件 panel, the leader's override)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Section
from projects import gates
from projects.models import Stage
from tests.auth import login
from tests.factories import (
    HouseholdFactory,
    NoticeFactory,
    put_at_stage,
    staff,
)

pytestmark = pytest.mark.django_db

# What the page reads, the frame included (session, user, groups, office name); issue 16 found
# 37 before its gates asked each check once and its overrides and plans were read once, 29
# before its plans and notices were prefetched for the gates' checks and its own lists (23
# then; 22 since the frame reads the user with its groups in one statement; 23 with the final
# accounts' check that every signed household was paid; 13 since the gates' other checks and
# the page's counts are read as projects.facts in one query, and the staffing form moved to a
# page of its own; 12 since the paid-in-full check's count is one of those facts).
MAX_QUERIES = 12


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_project_page_takes_the_same_queries_for_one_and_many_households_and_notices(
    client, office_user, project
):
    put_at_stage(project, Stage.ENFORCEMENT)
    HouseholdFactory(project=project)
    leader = staff(Section.LEADER, username="boss", name="钱领导")
    login(client, "clerk")
    client.get(project.get_absolute_url())  # the session's first touch writes it
    one = _query_count(client, project.get_absolute_url())

    HouseholdFactory.create_batch(30, project=project)
    for n in range(8):
        NoticeFactory(project=project, kind="first_list" if n % 2 else "other", title=f"公告{n}")
    for action in ("plan.submit", "household.import", "risk.record"):
        gates.override(action=action, by=leader, reason="专题会议决定", project=project)
    many = _query_count(client, project.get_absolute_url())

    assert many == one
    assert one <= MAX_QUERIES


def test_the_risk_form_is_refused_outside_its_stages_until_a_leader_overrides(
    client, office_user, project
):
    put_at_stage(project, Stage.DECISION)
    leader = staff(Section.LEADER, username="boss", name="钱领导")
    login(client, "boss")

    html = client.get(project.get_absolute_url()).content.decode()
    risk_panel = html.split("登记风险评估", 1)[1].split("</details>", 1)[0]
    assert 'id="gate-refusal"' in risk_panel
    assert "登记社会稳定风险评估须在「调查登记」、「补偿方案」阶段办理" in risk_panel
    assert 'name="action" value="risk.record"' in risk_panel  # the leader may override
    assert 'name="households_surveyed"' not in risk_panel

    gates.override(action="risk.record", by=leader, reason="专题会议决定", project=project)
    html = client.get(project.get_absolute_url()).content.decode()
    risk_panel = html.split("登记风险评估", 1)[1].split("</details>", 1)[0]
    assert 'id="gate-refusal"' not in risk_panel
    assert 'name="households_surveyed"' in risk_panel


def test_office_staff_who_are_not_leaders_see_the_refusal_without_the_override_form(
    client, office_user, project
):
    put_at_stage(project, Stage.DECISION)
    login(client, "clerk")
    html = client.get(project.get_absolute_url()).content.decode()
    risk_panel = html.split("登记风险评估", 1)[1].split("</details>", 1)[0]
    assert 'id="gate-refusal"' in risk_panel
    assert 'name="action" value="risk.record"' not in risk_panel


IMPORT_REFUSED = "项目处于「征收决定」阶段，导入调查登记表须在「立项启动」、「调查登记」阶段办理。"


def _import_link(html: str, inside=('<nav class="subnav">', "</nav>")) -> str:
    """The 导入调查登记表 link between the `inside` markers: by default the project
    navigation's entry."""
    start, end = inside
    part = html.split(start, 1)[1].split(end, 1)[0]
    return re.search(r"<a [^>]*>导入调查登记表.*?</a>", part, re.S).group(0)


def test_the_import_action_shows_its_refusal_where_the_stage_refuses_it(
    client, district_member, project
):
    put_at_stage(project, Stage.DECISION)
    import_url = reverse("projects:import_create", args=[project.pk])
    login(client, "district")
    html = client.get(project.get_absolute_url()).content.decode()
    link = _import_link(html)
    assert 'href="#import-gate-refusal"' in link and "暂不可办理" in link
    assert import_url not in html  # no plain link into a refusal
    panel = html.split('id="import-refused"', 1)[1].split("</details>", 1)[0]
    assert 'id="import-gate-refusal"' in panel
    assert IMPORT_REFUSED in panel
    assert 'name="action" value="household.import"' not in panel  # not a leader
    # The import page itself still refuses it, as before.
    assert "现在不能导入调查登记表" in client.get(import_url).content.decode()


@pytest.mark.parametrize("stage", [Stage.INITIATION, Stage.SURVEY])
def test_the_import_action_is_a_plain_link_in_the_stages_that_allow_it(
    client, district_member, project, stage
):
    put_at_stage(project, stage)
    login(client, "district")
    html = client.get(project.get_absolute_url()).content.decode()
    import_url = reverse("projects:import_create", args=[project.pk])
    assert f'href="{import_url}"' in _import_link(html)
    assert "暂不可办理" not in _import_link(html)
    assert 'id="import-refused"' not in html


def test_a_leader_overrides_the_refused_import_and_the_link_comes_back(client, project):
    put_at_stage(project, Stage.DECISION)
    leader = staff(Section.LEADER, username="boss", name="钱领导")
    login(client, "boss")
    html = client.get(project.get_absolute_url()).content.decode()
    panel = html.split('id="import-refused"', 1)[1].split("</details>", 1)[0]
    assert 'name="action" value="household.import"' in panel

    gates.override(action="household.import", by=leader, reason="补充登记遗漏户", project=project)
    html = client.get(project.get_absolute_url()).content.decode()
    import_url = reverse("projects:import_create", args=[project.pk])
    assert f'href="{import_url}"' in _import_link(html)
    assert 'id="import-refused"' not in html


def test_the_staffing_form_lists_the_same_options_as_its_fields_querysets_in_one_query(
    office_user, district_member, project, django_assert_num_queries
):
    from django import forms

    from core.models import User
    from projects.forms.projects import ProjectStaffingForm

    leader = staff(Section.LEADER, username="boss", name="钱领导")
    staff(Section.LEADER, username="gone", name="离职领导")
    User.objects.filter(username="gone").update(is_active=False)
    project.liaison, project.leader = office_user, leader
    form = ProjectStaffingForm(instance=project)
    with django_assert_num_queries(1):
        rendered = str(form["liaison"]) + str(form["leader"])

    class Plain(forms.ModelForm):  # what ModelChoiceField itself renders (a query per field)
        class Meta:
            model = type(project)
            fields = ["liaison", "leader"]

    plain = Plain(instance=project)
    plain.fields["liaison"].queryset = form.fields["liaison"].queryset
    plain.fields["leader"].queryset = form.fields["leader"].queryset
    assert rendered == str(plain["liaison"]) + str(plain["leader"])
    assert rendered.count("selected") == 2  # the liaison and the leader on file
    assert "钱领导" in str(form["leader"]) and "离职领导" not in rendered
    assert district_member.get_full_name() not in rendered


@pytest.mark.parametrize("stage", [Stage.INITIATION, Stage.PLAN, Stage.SIGNING, Stage.ENFORCEMENT])
def test_the_gates_answer_the_same_from_the_pages_prefetched_plans_and_notices(
    office_user, project, stage
):
    """The page prefetches the project's plans and notices; the gates' and stages' checks read
    those instead of asking again, and must say what they say without them."""
    from datetime import date

    from django.db.models import Prefetch

    from projects import stages
    from projects.models import CompensationPlan, Notice, Project
    from tests.compensation.factories import PLAN

    put_at_stage(project, stage)
    HouseholdFactory.create_batch(2, project=project)
    NoticeFactory(project=project, kind="plan_comment", period_days=30, published_on=None)
    NoticeFactory(project=project, kind="first_list", published_on=date(2022, 2, 1))
    for version, status in [(1, "approved"), (2, "submitted")]:
        CompensationPlan.objects.create(project=project, version=version, status=status, **PLAN)
    today = date(2022, 6, 1)

    prefetched = Project.objects.prefetch_related(
        "plans", Prefetch("notices", Notice.objects.defer("body"))
    ).get(pk=project.pk)
    plain = Project.objects.get(pk=project.pk)

    def answers(p):
        found = gates.statuses(project=p, today=today, overrides=[])
        return [(s.action, s.missing) for s in found], stages.missing_to_leave(p, today)

    assert answers(prefetched) == answers(plain)
    assert stages.approved_plan(prefetched).version == 1


def test_the_notices_panel_shows_the_five_newest_notices_newest_first(client, office_user, project):
    """The panel lists drafts, then published notices newest first, at most five (as before the
    notices were prefetched; the prefetch's COUNT of objections must not lose the order)."""
    import datetime

    from projects.models import Notice

    for n, day in enumerate((5, 1, 9, 3, 7, 2, 8)):
        NoticeFactory(project=project, title=f"公告{n}", published_on=datetime.date(2022, 3, day))
    draft = NoticeFactory(project=project, title="草稿公告", published_on=None)
    login(client, "clerk")
    response = client.get(project.get_absolute_url())

    shown = [notice.pk for notice in response.context["notices"]]
    expected = list(
        Notice.objects.filter(project=project)
        .order_by("-published_on", "-pk")
        .values_list("pk", flat=True)[:5]
    )
    assert shown == expected
    assert shown[0] == draft.pk
    titles = [notice.title for notice in response.context["notices"]][1:]
    assert titles == ["公告2", "公告6", "公告4", "公告0"]
    html = response.content.decode()
    assert re.findall(r">(草稿公告|公告\d)</a>", html) == [
        "草稿公告",
        "公告2",
        "公告6",
        "公告4",
        "公告0",
    ]


def test_the_legal_panel_lists_the_published_lists_in_the_order_they_were_posted(
    client, office_user, project
):
    """一榜 before 二榜 (oldest first), each with its objections' count; a draft is left out."""
    import datetime

    from projects.models import Objection

    second = NoticeFactory(
        project=project, kind="second_list", published_on=datetime.date(2022, 6, 1)
    )
    first = NoticeFactory(
        project=project, kind="first_list", published_on=datetime.date(2022, 3, 1)
    )
    NoticeFactory(project=project, kind="first_list", published_on=None)
    household = HouseholdFactory(project=project)
    for notice, count in ((first, 1), (second, 2)):
        for _ in range(count):
            Objection.objects.create(
                notice=notice, household=household, raised_on=notice.published_on, content="异议"
            )
    login(client, "clerk")
    response = client.get(project.get_absolute_url())

    listed = response.context["list_notices"]
    assert [notice.pk for notice in listed] == [first.pk, second.pk]
    assert [notice.objection_count for notice in listed] == [1, 2]
    html = response.content.decode()
    assert html.index("异议 1 件（公示期至") < html.index("异议 2 件（公示期至")
    assert "异议 0 件" not in html  # the draft


def test_the_lists_read_by_compiled_sql_show_what_the_orm_would(client, office_user, project):
    """Stage changes, overrides, the latest risk assessment and suspension notices, each with
    the user it names (or none), as the page showed them when the ORM read them."""
    import datetime

    from projects.models import RiskAssessment, StageChange, SuspensionNotice

    put_at_stage(project, Stage.DECISION)
    StageChange.objects.all().delete()
    leader = staff(Section.LEADER, username="boss", name="钱领导")
    StageChange.objects.create(project=project, to_stage="survey", changed_by=office_user)
    StageChange.objects.create(project=project, from_stage="survey", to_stage="plan", note="无人")
    gates.override(action="plan.submit", by=leader, reason="专题会议决定", project=project)
    for day, opposed in ((1, 5), (9, 2)):
        RiskAssessment.objects.create(
            project=project,
            assessed_on=datetime.date(2022, 4, day),
            households_surveyed=100,
            households_opposed=opposed,
            level="low",
        )
    SuspensionNotice.objects.create(
        project=project,
        number="暂字1号",
        issued_on=datetime.date(2022, 3, 1),
        months=12,
        expires_on=datetime.date(2023, 3, 1),
        agencies="住建局",
        scope="新建",
        recorded_by=office_user,
    )
    login(client, "clerk")
    response = client.get(project.get_absolute_url())
    html = response.content.decode()

    changes = response.context["changes"]
    assert [c.changed_by and c.changed_by.get_full_name() for c in changes] == [
        office_user.get_full_name(),
        None,
    ]
    assert "调查登记 → 补偿方案" in html and "无人" in html
    assert [o.by.get_full_name() for o in response.context["gate_overrides"]] == ["钱领导"]
    assert "专题会议决定" in html
    risk = response.context["risk"]
    assert (risk.assessed_on, risk.households_opposed) == (datetime.date(2022, 4, 9), 2)
    assert "2022年4月9日" in html
    assert "暂字1号：2022-03-01 至 2023-03-01" in html


def _register_import_link(html: str) -> str:
    """The household register's 导入调查登记表 button."""
    return _import_link(html, inside=('<div class="actions">', "</div>"))


def test_the_household_register_marks_the_refused_import_as_the_project_page_does(
    client, district_member, project
):
    put_at_stage(project, Stage.DECISION)
    import_url = reverse("projects:import_create", args=[project.pk])
    login(client, "district")
    html = client.get(reverse("projects:household_list", args=[project.pk])).content.decode()
    link = _register_import_link(html)
    assert 'href="#import-gate-refusal"' in link and "暂不可办理" in link
    assert import_url not in html  # no active button into a refusal
    panel = html.split('id="import-refused"', 1)[1].split("</details>", 1)[0]
    assert 'id="import-gate-refusal"' in panel
    assert IMPORT_REFUSED in panel


@pytest.mark.parametrize("stage", [Stage.INITIATION, Stage.SURVEY])
def test_the_household_register_offers_the_import_in_the_stages_that_allow_it(
    client, district_member, project, stage
):
    put_at_stage(project, stage)
    login(client, "district")
    html = client.get(reverse("projects:household_list", args=[project.pk])).content.decode()
    link = _register_import_link(html)
    assert f'href="{reverse("projects:import_create", args=[project.pk])}"' in link
    assert "暂不可办理" not in link
    assert 'id="import-refused"' not in html


def test_the_project_page_reads_its_plans_and_notices_by_sql_written_once(
    client, office_user, project
):
    from compensation.models import CompensationPlan
    from core.compiled import logged_sql
    from projects.models import Notice

    put_at_stage(project, Stage.ENFORCEMENT)
    NoticeFactory(project=project, kind="other", title="公告甲")
    login(client, "clerk")
    client.get(project.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        html = client.get(project.get_absolute_url()).content.decode()
    assert "公告甲" in html
    for model in (Notice, CompensationPlan):
        table = f'FROM "{model._meta.db_table}"'
        reads = [q["sql"] for q in captured if table in logged_sql(q["sql"])]
        assert reads and all(sql.startswith("EXECUTE compiled_values_") for sql in reads), reads
