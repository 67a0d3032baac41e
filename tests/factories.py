import datetime

import factory
from django.contrib.auth.models import Group

from core.models import District, User
from core.roles import Section

PASSWORD = "Test-password-2022"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    office_name = factory.LazyAttribute(lambda d: f"{d.name}房屋征收管理办公室")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"测试员{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        for section in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=Section(section).value)[0])
        if create:
            self.save()


def staff(section=Section.OPERATIONS, **kwargs) -> User:
    return UserFactory(sections=[section], **kwargs)


def district_user(district: District, **kwargs) -> User:
    return UserFactory(district=district, **kwargs)


def fullwidth(text: str) -> str:
    """`text` with its ASCII letters, digits and punctuation in their full-width forms, as
    some input methods type them (430502 → ４３０５０２)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def resident_id(n: int, region: str = "430502", born: str = "19800101") -> str:
    """A made-up resident ID number with a correct GB 11643 check digit."""
    from stdnum.cn import ric

    body = f"{region}{born}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Project"

    code = factory.Sequence(lambda n: f"2022-P{n:03d}")
    name = factory.Sequence(lambda n: f"测试棚改项目{n}")
    district = factory.SubFactory(DistrictFactory)
    kind = "shantytown"


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Household"

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"H{n:04d}")
    head_name = factory.Sequence(lambda n: f"测试户{n}")
    id_number = factory.Sequence(resident_id)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    address = factory.Sequence(lambda n: f"测试路{n}号")
    use = "residential"
    area = factory.Sequence(lambda n: f"{80 + n % 40}.50")
    # Registered long before any year a test looks at, so that a household counts in every
    # year's figures unless a test gives it a registration date of its own.
    registered_on = datetime.date(2000, 1, 1)


class NoticeFactory(factory.django.DjangoModelFactory):
    """A published notice (made directly: for tests about what comes after it)."""

    class Meta:
        model = "projects.Notice"

    project = factory.SubFactory(ProjectFactory)
    kind = "other"
    title = factory.LazyAttribute(lambda n: f"{n.project.name}公告")
    body = "公告正文。"
    published_on = datetime.date(2022, 3, 1)


# What each stage has published on file once a project has reached it (a 二榜 that has run).
_STAGE_NOTICES = {
    "decision": ("decision", datetime.date(2020, 3, 1), None),
    "signing": ("second_list", datetime.date(2020, 4, 1), datetime.date(2020, 4, 11)),
}


def put_at_stage(project, stage: str):
    """Move a test project straight to `stage`, with the published 征收决定公告 and a run-out
    二榜 that projects.gates asks of the stages it passed. A shortcut for tests about the later
    stages; tests/projects/helpers.advance_to walks the stages through the services instead."""
    from projects.models import Notice, Stage

    target = Stage(stage)
    for reached, (kind, published_on, ends_on) in _STAGE_NOTICES.items():
        if (
            target.position >= Stage(reached).position
            and not Notice.objects.filter(project=project, kind=kind).exists()
        ):
            NoticeFactory(project=project, kind=kind, published_on=published_on, ends_on=ends_on)
    project.stage = target
    project.save(update_fields=["stage"])
    return project


def reviewers() -> dict:
    """One office user per section, for walking items through their sign-off chains."""
    return {
        section: staff(
            section, username=f"signer-{section.name.lower()}", name=f"{section.label}签署人"
        )
        for section in Section
    }


def approve_plan_fully(plan, **comments):
    """Take a submitted plan through its review chain (业务科 → 法规科 → 领导)."""
    from projects import services

    people = reviewers()
    for section in (Section.OPERATIONS, Section.LEGAL, Section.LEADER):
        plan = services.approve_plan(
            plan=plan, by=people[section], comment=comments.get(section.name, "")
        )
    return plan


def signed_off(notice):
    """A leader signs the draft off (签发): its responsible section may publish it."""
    from projects import services

    return services.sign_off_notice(notice=notice, by=reviewers()[Section.LEADER])


def sign_off_and_publish(notice, *, on=None, by=None):
    """A leader signs the draft off; its responsible section (or `by`) publishes it."""
    from core import signoffs
    from projects import services

    people = reviewers()
    signed_off(notice)
    publisher = by or people[signoffs.notice_section(notice.kind)]
    return services.publish_notice(notice=notice, by=publisher, on=on)


def announce(decision, *, by, on):
    """The office drafts a compensation decision's 补偿决定公告 (projects.legal); a leader signs
    it off and 法规科 publishes it on `on`."""
    from projects import legal

    notice = legal.announce_decision(decision=decision, by=by, published_on=on)
    return sign_off_and_publish(notice, on=on)
