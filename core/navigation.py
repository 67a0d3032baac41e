"""The system's main navigation, declared once; base.html renders it."""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
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


@functools.lru_cache(maxsize=8)
def _urls(urlconf: str, script_prefix: str) -> tuple[str | None, ...]:
    # The items' addresses depend on the URL configuration and the script prefix only: worked
    # out once per process for each, not on every page.
    urls = []
    for item in MAIN_NAV:
        try:
            urls.append(reverse(item.url_name, urlconf=urlconf))
        except NoReverseMatch:
            urls.append(None)
    return tuple(urls)


def nav_for(user, current_path: str) -> list[dict]:
    """The items this user may open; a module not yet installed shows as unavailable."""
    items = []
    urls = _urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    for item, url in zip(MAIN_NAV, urls, strict=True):
        if item.office_only and not user.is_office_staff:
            continue
        items.append(
            {
                "label": item.label,
                "url": url,
                "active": bool(url) and url != "/" and current_path.startswith(url),
            }
        )
    return items
