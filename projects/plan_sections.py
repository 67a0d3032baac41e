"""Sections other apps add to a compensation plan's page (e.g. resettlement's swap selection
rules): an app registers `render(request, plan) -> str` (HTML, escaped by its own template)
from its AppConfig.ready(), so the projects app never imports the apps that extend its plan."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

PlanSection = Callable[..., str]
_SECTIONS: list[PlanSection] = []


def plan_section(function: PlanSection) -> PlanSection:
    """Register `function(request, plan) -> str` (rendered template HTML)."""
    if function not in _SECTIONS:
        _SECTIONS.append(function)
    return function


def render_sections(request, plan) -> list[SafeString]:
    """Every registered section for this plan, in registration order; empty ones left out."""
    rendered = (section(request, plan) for section in _SECTIONS)
    # The sections are rendered templates, autoescaped by Django.
    return [mark_safe(html) for html in rendered if html]  # noqa: S308
