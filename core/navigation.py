"""The system's main navigation, declared once; base.html renders it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    office_only: bool = False


MAIN_NAV = [
    NavItem(_("项目"), "projects:project_list"),
    NavItem(_("补偿资金"), "compensation:fund_list"),
    NavItem(_("评估机构"), "appraisers:firm_list", office_only=True),
    NavItem(_("安置房源"), "resettlement:estate_list"),
    NavItem(_("信访"), "petitions:petition_list"),
    NavItem(_("预算绩效"), "budget:year_list", office_only=True),
    NavItem(_("信息公开"), "public:home"),
]


def nav_for(user, current_path: str) -> list[dict]:
    """The items this user may open; a module not yet installed shows as unavailable."""
    items = []
    for item in MAIN_NAV:
        if item.office_only and not user.is_office_staff:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            url = None
        items.append(
            {
                "label": item.label,
                "url": url,
                "active": bool(url) and url != "/" and current_path.startswith(url),
            }
        )
    return items
