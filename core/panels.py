"""Cards other apps put on the dashboard and the home page: due and overdue clocks, open
hazards, petitions falling due. An app registers a provider from its AppConfig.ready(); the
pages show nothing for a source that is not installed, never a made-up number.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    """A card of the dashboard filled by another app.

    `tone` is "" (plain), "warn" or "alert"; `url` leads to the list behind the count.
    """

    title: str
    value: int
    unit: str = ""
    note: str = ""
    url: str | None = None
    tone: str = ""


PanelProvider = Callable[..., list[Panel]]
_PANEL_PROVIDERS: list[PanelProvider] = []


def panel_provider(function: PanelProvider) -> PanelProvider:
    """Register `function(*, year, user) -> list[Panel]`; call it from an AppConfig.ready()
    (or a module it imports), like the stage requirements of projects.stages."""
    if function not in _PANEL_PROVIDERS:
        _PANEL_PROVIDERS.append(function)
    return function


def panels_for(*, year: int, user) -> list[Panel]:
    """The panels every installed source gives for `year`; none when no source is installed."""
    panels: list[Panel] = []
    for provider in _PANEL_PROVIDERS:
        panels.extend(provider(year=year, user=user))
    return panels
