import hashlib
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.models import User
from core.validators import validate_phone, validate_resident_id
from projects import demo, figures
from projects.models import (
    Approval,
    CompensationPlan,
    Household,
    Notice,
    PlanReview,
    Project,
    Stage,
    StageChange,
)
from tests.auth import login

pytestmark = pytest.mark.django_db

SEED_PEOPLE = ["曾国强", "杨光斗", "曾新林"]


def load_demo():
    call_command("load_demo", stdout=StringIO())


def fingerprint() -> str:
    """A digest of every demo row that matters to the figures and to the people in it."""
    rows = Household.objects.order_by("project__code", "code").values_list(
        "project__code",
        "code",
        "head_name",
        "id_number",
        "phone",
        "address",
        "use",
        "area",
        "hardship",
        "signed_on",
        "method",
    )
    projects = Project.objects.order_by("code").values_list(
        "code", "name", "district__name", "stage", "started_on", "completed_on"
    )
    text = repr(list(projects)) + repr(list(rows))
    return hashlib.sha256(text.encode()).hexdigest()


def test_demo_reproduces_the_seeds_2022_figures(demo_data):
    staff = User.objects.get(username="operations")
    result = figures.year_figures(2022, user=staff)
    assert result.new == figures.Totals(count=2, households=42, area=Decimal("9472.00"))
    assert result.in_progress == figures.Totals(
        count=10, households=1497, area=Decimal("149500.00")
    )
    assert result.in_progress.area_wan == Decimal("14.95")
    assert result.signed.households == 1006
    assert result.signed.area == Decimal("101200.00")
    assert result.signed.area_wan == Decimal("10.12")
    names = {row.name for row in result.projects}
    assert {"六岭棚改", "水利局棚改", "中驰棚改", "青云街棚改"} <= names
    assert {"北塔区C-12地块", "三里桥道路改造工程"} <= names


def test_the_2022_dashboard_shows_the_seeds_figures(demo_data, client, office_user):
    login(client, "clerk")
    html = client.get(reverse("projects:dashboard"), {"year": 2022}).content.decode()
    for figure in ["9472", "14.95", "10.12", "1497", "1006"]:
        assert figure in html
    assert (
        "2022年新增房屋征收项目2个，共42户，面积9472平方米；"
        "正在实施的项目10个，共1497户，面积14.95万平方米，"
        "已完成签约1006户，面积10.12万平方米。"
    ) in html
    assert "新增项目" in html and "正在实施" in html and "已签约" in html


def test_the_new_projects_are_c12_and_sanliqiao_in_the_survey(demo_data):
    new = Project.objects.new_in(2022)
    assert set(new.values_list("name", flat=True)) == {"北塔区C-12地块", "三里桥道路改造工程"}
    assert new.get(name="北塔区C-12地块").district.name == "北塔区"
    assert set(new.values_list("stage", flat=True)) == {Stage.SURVEY}
    assert new.get(name="三里桥道路改造工程").kind == Project.Kind.ROAD
    assert Household.objects.filter(project__in=new, signed_on__isnull=False).count() == 0


def test_one_demo_project_was_completed_in_2021_and_is_not_in_progress_in_2022(demo_data):
    completed = Project.objects.get(completed_on__isnull=False)
    assert completed.completed_on.year == 2021
    assert completed.stage == Stage.ARCHIVED
    assert completed not in Project.objects.in_progress_in(2022)
    assert completed in Project.objects.in_progress_in(2021)
    assert Project.objects.count() == 11


def test_the_ten_projects_cover_the_four_districts(demo_data):
    districts = set(Project.objects.in_progress_in(2022).values_list("district__name", flat=True))
    assert districts == {"双清区", "大祥区", "北塔区", "邵阳经济技术开发区"}
    stages = list(Project.objects.in_progress_in(2022).values_list("stage", flat=True))
    assert stages.count(Stage.SIGNING) + stages.count(Stage.ENFORCEMENT) == 8


def test_every_project_has_its_paperwork_people_and_timeline(demo_data):
    operations = User.objects.get(username="operations")
    leader = User.objects.get(username="leader")
    for project in Project.objects.all():
        approvals = project.approvals.all()
        assert {a.kind for a in approvals} == set(Approval.Kind), project
        assert all(a.is_verified for a in approvals), project
        start = project.notices.get(kind=Notice.Kind.START)
        assert start.published_on == project.started_on, project
        assert project.liaison == operations and project.leader == leader
        changes = list(project.stage_changes.order_by("changed_at"))
        assert changes[0].from_stage == "" and changes[-1].to_stage == project.stage
        assert [c.to_stage for c in changes] == [
            stage.value for stage in Stage.ordered()[: project.stage_enum.position + 1]
        ]
        if project.stage_enum.position > Stage.PLAN.position:
            plan = project.plans.get()
            assert plan.status == CompensationPlan.Status.APPROVED
            assert plan.document.name
            assert [r.action for r in plan.reviews.all()] == [
                PlanReview.Action.SUBMIT,
                PlanReview.Action.APPROVE,
            ]


def test_demo_households_have_valid_invented_details(demo_data):
    households = list(Household.objects.select_related("project"))
    assert len(households) == 1497 + 46
    for household in households:
        household.clean_fields()
        validate_resident_id(household.id_number)
        validate_phone(household.phone)
        assert household.id_number[:6] in {"430502", "430503", "430511"}
        assert household.area == household.area.quantize(Decimal("0.01"))
        if household.signed_on:
            assert household.signed_on <= date(2022, 12, 31)
            assert household.method in {Household.Method.MONETARY, Household.Method.SWAP}
        else:
            assert household.method == ""
    uses = {h.use for h in households}
    assert uses == {Household.Use.RESIDENTIAL, Household.Use.NON_RESIDENTIAL}
    assert {h.hardship for h in households} > {""}
    assert {h.method for h in households} >= {Household.Method.MONETARY, Household.Method.SWAP}
    assert Household.history.count() == len(households)


def test_demo_never_names_the_people_in_the_seed(demo_data):
    texts = [
        *Household.objects.values_list("head_name", flat=True),
        *Project.objects.values_list("name", flat=True),
        *Project.objects.values_list("description", flat=True),
        *Notice.objects.values_list("body", flat=True),
        *User.objects.values_list("name", flat=True),
    ]
    for name in SEED_PEOPLE:
        assert not [text for text in texts if name in text]
    assert set(SEED_PEOPLE) == set(demo.FORBIDDEN_NAMES)


def test_load_demo_twice_changes_nothing(demo_data):
    before = fingerprint()
    counts = [
        model.objects.count()
        for model in (Project, Household, Notice, Approval, StageChange, CompensationPlan)
    ]
    history = Household.history.count()
    load_demo()
    assert fingerprint() == before
    assert counts == [
        model.objects.count()
        for model in (Project, Household, Notice, Approval, StageChange, CompensationPlan)
    ]
    assert Household.history.count() == history


def test_demo_data_is_the_same_on_every_fresh_load(demo_data):
    """The session's demo was loaded into a fresh database; empty it (inside this test's
    transaction) and load again."""
    first = fingerprint()
    connection.check_constraints()  # fire the pending foreign-key checks before emptying
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:  # the tests' flush may turn triggers off: back on
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert not Household.objects.exists()
    load_demo()
    assert fingerprint() == first


def test_demo_has_the_legal_clocks_and_the_2022_safety_campaign(demo_data):
    from projects import legal
    from projects.models import CompensationDecision, Hazard, RiskAssessment

    load_demo()  # a second run adds nothing
    hazards = Hazard.objects.filter(inspection__started_on__year=2022)
    assert hazards.count() == 9
    assert hazards.values("category").distinct().count() == 3
    assert not hazards.exclude(status=Hazard.Status.RECTIFIED).exists()

    today = timezone.localdate()
    positions = sorted(
        legal.road(decision, today).position for decision in CompensationDecision.objects.all()
    )
    assert positions == sorted(["已申请强制执行", "行政诉讼中", "复议期内", "待催告", "行政复议中"])
    # Each decision decides the household's current breakdown (which its document itemises)
    # and names the bodies to apply to.
    for decision in CompensationDecision.objects.all():
        breakdown = decision.household.breakdowns.get(is_current=True)
        assert decision.amount == breakdown.total
        assert decision.reconsideration_body == "邵阳市人民政府"
        assert decision.court == "邵阳市中级人民法院"
    past_plan = Project.objects.exclude(stage__in=["initiation", "survey", "plan"])
    assert (
        RiskAssessment.objects.filter(project__in=past_plan).values("project").distinct().count()
        == past_plan.count()
    )
