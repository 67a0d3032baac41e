"""The system's main navigation and the frame's other links, declared once; base.html renders
them. Their addresses depend on the URL configuration and the script prefix only, so they are
worked out once per process for each (a `{% url %}` tag costs about 35 µs of CPU on every page:
the frame's seven took 40 % of base.html's rendering, bench/frame_bench.py)."""

import functools
from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
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


# The frame's links (base.html: {{ frame_urls.todo }}), by the name the template uses.
FRAME_LINKS = {
    "home": "core:home",
    "public_home": "public:home",
    "todo": "core:todo_list",
    "nav_counts": "core:nav_counts",
    "notifications": "core:notification_list",
    "password_change": "password_change",
    "logout": "logout",
}


def _current() -> tuple[str, str]:
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


@functools.lru_cache(maxsize=8)
def _frame_urls(urlconf: str, script_prefix: str) -> MappingProxyType:
    return MappingProxyType(
        {key: reverse(name, urlconf=urlconf) for key, name in FRAME_LINKS.items()}
    )


def frame_urls() -> MappingProxyType:
    """The frame's links (FRAME_LINKS) for this request's URL configuration and prefix."""
    return _frame_urls(*_current())


@functools.lru_cache(maxsize=8)
def _urls(urlconf: str, script_prefix: str) -> tuple[str | None, ...]:
    urls = []
    for item in MAIN_NAV:
        try:
            urls.append(reverse(item.url_name, urlconf=urlconf))
        except NoReverseMatch:
            urls.append(None)
    return tuple(urls)


def _active(urls: tuple[str | None, ...], current_path: str) -> tuple[bool, ...]:
    return tuple(bool(url) and url != "/" and current_path.startswith(url) for url in urls)


def _items(urls: tuple[str | None, ...], office: bool, active: tuple[bool, ...]) -> list[dict]:
    return [
        {"label": item.label, "url": url, "active": on}
        for item, url, on in zip(MAIN_NAV, urls, active, strict=True)
        if office or not item.office_only
    ]


def nav_for(user, current_path: str) -> list[dict]:
    """The items this user may open; a module not yet installed shows as unavailable."""
    urls = _urls(*_current())
    return _items(urls, bool(user.is_office_staff), _active(urls, current_path))


@functools.lru_cache(maxsize=64)
def _main_nav_html(
    language: str, urlconf: str, script_prefix: str, office: bool, active: tuple[bool, ...]
) -> SafeString:
    items = _items(_urls(urlconf, script_prefix), office, active)
    return render_to_string("core/_main_nav.html", {"main_nav": items})


def main_nav_html(user, current_path: str) -> SafeString:
    """base.html's main navigation (core/_main_nav.html) with `nav_for`'s items. It depends on
    the language, the URL configuration and prefix, whether the user is office staff and the
    current item only, so it is rendered once per process for each (its loop was an eighth of
    base.html's rendering); with DEBUG on, on every page, so that a template edit shows."""
    urlconf, prefix = _current()
    active = _active(_urls(urlconf, prefix), current_path)
    key = (get_language(), urlconf, prefix, bool(user.is_office_staff), active)
    if settings.DEBUG:
        return _main_nav_html.__wrapped__(*key)
    return _main_nav_html(*key)
