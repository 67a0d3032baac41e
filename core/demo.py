"""Demo data for the foundation: the Shaoyang office, its districts, sections and demo users.

Names of people are invented. Running it twice changes nothing and prints no password
for users that already exist (unless asked to reset them).
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group

from core.models import District, Office, User
from core.roles import Section

OFFICE = {
    "name": "邵阳市人民政府房屋征收管理办公室",
    "short_name": "市征收办",
    "parent_body": "邵阳市住房和城乡建设局",
}

DISTRICTS = [
    ("shuangqing", "双清区", District.Kind.DISTRICT),
    ("daxiang", "大祥区", District.Kind.DISTRICT),
    ("beita", "北塔区", District.Kind.DISTRICT),
    ("jingkai", "邵阳经济技术开发区", District.Kind.ZONE),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    section: Section | None = None
    district_code: str | None = None
    is_superuser: bool = False


USERS = [
    DemoUser("finance", "陈思远", section=Section.FINANCE),
    DemoUser("legal", "刘静怡", section=Section.LEGAL),
    DemoUser("secretariat", "赵文博", section=Section.SECRETARIAT),
    DemoUser("operations", "孙浩然", section=Section.OPERATIONS),
    DemoUser("leader", "周建华", section=Section.LEADER),
    DemoUser("shuangqing", "吴晓东", district_code="shuangqing"),
    DemoUser("daxiang", "郑雅琴", district_code="daxiang"),
    DemoUser("beita", "冯志强", district_code="beita"),
    DemoUser("jingkai", "何丽娜", district_code="jingkai"),
    DemoUser("admin", "系统管理员", is_superuser=True),
]


def _new_password() -> str:
    return f"Demo-{secrets.token_urlsafe(9)}"


def load(*, reset_passwords: bool = False) -> list[tuple[DemoUser, str | None]]:
    """Create what is missing; return each demo user with the password set now (or None)."""
    office = Office.objects.order_by("pk").first()
    if office is None:
        Office.objects.create(**OFFICE)

    for order, (code, name, kind) in enumerate(DISTRICTS, start=1):
        District.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "office_name": f"{name}房屋征收管理办公室",
                "sort_order": order,
            },
        )
    groups = {section: Group.objects.get_or_create(name=section.value)[0] for section in Section}

    logins = []
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        password = None
        if user is None:
            user = User(username=spec.username, name=spec.name)
            user.district = (
                District.objects.get(code=spec.district_code) if spec.district_code else None
            )
            user.is_superuser = user.is_staff = spec.is_superuser
            password = _new_password()
            user.set_password(password)
            user.save()
            if spec.section:
                user.groups.add(groups[spec.section])
        elif reset_passwords:
            password = _new_password()
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append((spec, password))
    return logins
