"""Set-up helpers for petition tests: cases, visits and rosters made through the services."""

from datetime import date

from core.roles import Section
from petitions import services
from petitions.models import Category, Channel
from tests.factories import resident_id, staff

TODAY = date(2022, 12, 31)


def leader_user(**kwargs):
    return staff(Section.LEADER, **{"username": "boss", "name": "周领导", **kwargs})


def petitioner(n: int = 1, **overrides) -> dict:
    return {
        "name": f"测试信访人{n}",
        "id_number": resident_id(100 + n),
        "phone": f"1390739{n:04d}",
        "address": f"双清区测试巷{n}号",
        "is_representative": False,
        **overrides,
    }


def register(
    *,
    by,
    district=None,
    project=None,
    received_on=date(2022, 3, 1),
    channel=Channel.LETTER,
    category=Category.STANDARD,
    request="反映征收补偿标准偏低，要求重新评估。",
    petitioners=None,
    today=TODAY,
    **fields,
):
    """A registered case; returns services.Registration (the case and its look-up code)."""
    return services.register_petition(
        by=by,
        district=district,
        project=project,
        received_on=received_on,
        channel=channel,
        category=category,
        request=request,
        petitioners=petitioners or [petitioner()],
        today=today,
        **fields,
    )


def accepted(*, by, accepted_on=date(2022, 3, 3), today=TODAY, **fields):
    petition = register(by=by, today=today, **fields).petition
    return services.accept_petition(petition=petition, by=by, on=accepted_on, today=today)


def replied(*, by, replied_on=date(2022, 4, 1), today=TODAY, **fields):
    petition = accepted(by=by, today=today, **fields)
    return services.reply_to_petition(
        petition=petition,
        by=by,
        on=replied_on,
        number="邵征信复〔2022〕1号",
        findings="经调查，该户房屋面积已按产权证认定。",
        opinion="维持原补偿方案确定的补偿标准。",
        review_body="邵阳市住房和城乡建设局",
        today=today,
    )


def visit(*, by, district=None, project=None, visited_on=date(2022, 3, 1), **fields):
    return services.record_visit(
        by=by,
        today=TODAY,
        visited_on=visited_on,
        district=district,
        project=project,
        people_count=fields.pop("people_count", 1),
        visitor_name=fields.pop("visitor_name", "测试来访人"),
        visitor_id_number=fields.pop("visitor_id_number", ""),
        visitor_phone=fields.pop("visitor_phone", ""),
        summary=fields.pop("summary", "咨询安置房分配进度。"),
        handling=fields.pop("handling", ""),
        **fields,
    )
