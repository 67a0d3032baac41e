"""Set-up helpers that move projects along through the same services users trigger."""

from datetime import date, timedelta

from core.models import User
from core.roles import Section
from projects import legal, services
from projects.models import Approval, EnforcementApplication, Notice, Project, Stage
from tests.appraisers.helpers import value_project
from tests.factories import HouseholdFactory, approve_plan_fully, sign_off_and_publish
from tests.factories import staff as office_staff

PLAN_STANDARDS = {
    "valuation_basis": "以征收决定公告之日为价值时点，由选定的评估机构评估。",
    "relocation_allowance": "1000.00",
    "temporary_rate": "12.00",
    "temporary_months": 24,
    "early_signing_bonus": "20000.00",
    "subsidy_dibao": "5000.00",
    "document": "plans/test.pdf",
}


def file_approvals(project: Project, *, district_user, staff, verify: bool = True) -> None:
    """File the three approvals as `district_user` and verify them as `staff`; when both are
    the same office user, another 业务科 member verifies (nobody verifies what they filed)."""
    if verify and district_user == staff:
        staff = User.objects.filter(username="approval-verifier").first() or office_staff(
            Section.OPERATIONS, username="approval-verifier", name="核查员"
        )
    for kind in Approval.Kind:
        approval = services.record_approval(
            project=project,
            by=district_user,
            kind=kind,
            number=f"邵发改〔2022〕{kind.value}号",
            issued_on=date(2022, 1, 10),
        )
        if verify:
            services.verify_approval(approval=approval, by=staff)


def publish(project, kind, *, staff, on, period_days=0, title=None) -> Notice:
    notice = services.draft_notice(
        project=project,
        by=staff,
        kind=kind,
        title=title or f"{project.name}{Notice.Kind(kind).label}",
        body="公告正文。",
        period_days=period_days,
    )
    return sign_off_and_publish(notice, on=on)


def advance_to(project: Project, stage: Stage, *, district_user, staff, start: date) -> date:
    """Do what each stage needs and advance until `stage`; returns the 'today' reached."""
    today = start
    while project.stage != stage:
        current = Stage(project.stage)
        if current == Stage.INITIATION:
            file_approvals(project, district_user=district_user, staff=staff)
            publish(project, Notice.Kind.START, staff=staff, on=today)
        elif current == Stage.SURVEY:
            if not project.households.exists():
                HouseholdFactory(project=project)
            notice = publish(project, Notice.Kind.FIRST_LIST, staff=staff, on=today, period_days=7)
            today = notice.ends_on + timedelta(days=1)
        elif current == Stage.PLAN:
            legal.record_risk_assessment(
                project=project,
                by=district_user,
                assessed_on=today,
                households_surveyed=100,
                households_opposed=5,
            )
            plan = services.submit_plan(project=project, by=district_user, **PLAN_STANDARDS)
            approve_plan_fully(plan)
            # The money in the project's account before the decision (Decree 590 art. 12).
            from tests.compensation.factories import funded

            funded(project, "1000000.00")
            notice = publish(
                project, Notice.Kind.PLAN_COMMENT, staff=staff, on=today, period_days=30
            )
            today = notice.ends_on + timedelta(days=1)
        elif current == Stage.DECISION:
            publish(project, Notice.Kind.DECISION, staff=staff, on=today)
        elif current == Stage.APPRAISAL:
            value_project(project, staff=staff)
            notice = publish(project, Notice.Kind.SECOND_LIST, staff=staff, on=today, period_days=7)
            today = notice.ends_on + timedelta(days=1)
        services.advance_stage(project=project, by=staff, today=today)
        project.refresh_from_db()
    return today


def enforced_by_court(decision, *, by, on: date):
    """The court applied to on `on` and the decision closed as 已强制执行 that day. The
    application is written directly: the road to it (service, announcement, windows, warning) is
    tested in tests/projects/test_legal.py."""
    EnforcementApplication.objects.create(
        decision=decision,
        filed_on=on,
        court="人民法院",
        ruling=EnforcementApplication.Ruling.GRANTED,
        ruled_on=on,
        **dict.fromkeys(legal.CHECKLIST, True),
    )
    return legal.close_decision(decision=decision, by=by, closed_on=on, closure="enforced")
