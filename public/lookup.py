"""A household's own look-up: 户号 and the last six characters of the resident ID number.

Decree 590 art. 29 publishes each household's compensation to the households of the same
project, not to the internet; so after a household proves who it is, it sees its own record
in full and its neighbours' masked. Failed attempts are limited per address and per
household, and the answer never says which field was wrong. The look-up session ends after
15 idle minutes.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.compiled import CompiledValues
from core.http import paginate
from core.lockouts import Lockout
from core.masking import mask_address, mask_name
from projects import legal
from projects.models import Household
from public.forms import LookupForm
from public.views import public_projects

logger = logging.getLogger(__name__)

SESSION_KEY = "public_household_id"
IDLE_SECONDS = 15 * 60
LOCKOUT = Lockout("HOUSEHOLD_LOOKUP")


def _new_session_key(session) -> None:
    """A new session key for a household that proved who it is (against session fixation),
    keeping what the session held, with one database write: the row is created when the
    response saves the session (SessionBase.cycle_key would create it now and update it then)."""
    data = dict(session.items())  # loads the session: an unknown key becomes no key
    session.flush()  # deletes the old row if there was one
    session.update(data)


@CompiledValues
def _households_in_public_project(project_id: int, code: str):
    """The households whose 户号 is `code` in any case ("v02-003" finds V02-003) in project
    `project_id` if the public may see the project (two at most: a project could hold codes
    that differ only in case): one query, whose SQL the ORM writes once per process (the
    look-up is the public site's one POST; issue 16)."""
    return (
        Household.objects.filter(
            project__in=public_projects().filter(pk=project_id).values("pk"), code__iexact=code
        )
        .order_by("pk")
        .values("pk", "id_number")[:2]
    )


@never_cache
def lookup(request):
    form = LookupForm(request.POST or None, projects=lambda: public_projects().order_by("name"))
    if request.method == "POST" and form.is_valid():
        project_id, code = form.cleaned_data["project"], form.cleaned_data["code"]
        # One count of failures for a 户号 however it is typed.
        subject = f"{project_id}:{code.upper()}"
        if LOCKOUT.is_locked(request, subject=subject):
            logger.warning("Household look-up locked for project %s code %s", project_id, code)
            form.add_error(
                None,
                _("查询失败次数过多，请%(minutes)s分钟后再试。")
                % {"minutes": LOCKOUT.window_seconds // 60},
            )
        else:
            tail = form.cleaned_data["id_tail"]
            household_id = next(
                (
                    row["pk"]
                    for row in _households_in_public_project(project_id, code)
                    if row["id_number"][-6:].upper() == tail
                ),
                None,
            )
            if household_id is None:
                LOCKOUT.record_failure(request, subject=subject)
                form.add_error(None, _("项目、户号或身份证号码后六位不正确，请核对后重试。"))
            else:
                _new_session_key(request.session)
                request.session[SESSION_KEY] = household_id
                request.session.set_expiry(IDLE_SECONDS)
                return redirect("public:lookup_result")
    return render(request, "public/lookup_form.html", {"form": form})


# The project's households a page of the look-up result lists (a project may have thousands).
NEIGHBOURS_PAGE_SIZE = 50


def neighbour_page(request, household: Household):
    """One page of the project's households by 户号 (NEIGHBOURS_PAGE_SIZE a page; ?page=,
    ?per_page= as core.http.paginate reads them), each masked except the household's own
    row: Django's Page with `rows`, a list of {"own", "code", "name", "address", "use",
    "area", "signed_on", "method"}. Reads the shown page's households only."""
    page = paginate(
        request, household.project.households.order_by("code", "pk"), NEIGHBOURS_PAGE_SIZE
    )
    page.rows = []
    for other in page.object_list:
        own = other.pk == household.pk
        page.rows.append(
            {
                "own": own,
                "code": other.code,
                "name": other.head_name if own else mask_name(other.head_name),
                "address": other.address if own else mask_address(other.address),
                "use": other.get_use_display(),
                "area": other.area,
                "signed_on": other.signed_on,
                "method": other.get_method_display(),
            }
        )
    return page


@never_cache
def lookup_result(request):
    household_id = request.session.get(SESSION_KEY)
    household = (
        Household.objects.select_related("project__district").filter(pk=household_id).first()
        if household_id
        else None
    )
    if household is None:
        messages.info(request, _("查询已超时或尚未查询，请重新输入。"))
        return redirect("public:lookup")
    # The 15 minutes are stored in the session; core.middleware.IdleSessionMiddleware renews
    # them while the household keeps reading (one write a minute at most).
    today = timezone.localdate()
    decisions = [
        {"decision": decision, "road": legal.road(decision, today)}
        for decision in household.compensation_decisions.order_by("-decided_on")
    ]
    context = {
        "household": household,
        "project": household.project,
        "decisions": decisions,
        "page": neighbour_page(request, household),
        "idle_minutes": IDLE_SECONDS // 60,
        "sections": [
            shown for shown in (section(household) for section in extra_sections()) if shown
        ],
    }
    return render(request, "public/lookup_result.html", context)


@never_cache
def lookup_end(request):
    """Ends the look-up on a POST from the result page's button (CSRF-checked), so no other
    page can end it with a link or an image. A GET (an old bookmark) ends nothing and goes back
    to the result, which asks for a look-up if there is none. Lands on the look-up form, not
    the home page: that page is cached for visitors and would not show the message."""
    if request.method != "POST":
        return redirect("public:lookup_result")
    if request.session.pop(SESSION_KEY, None) is not None:
        messages.success(request, _("查询已结束。"))
    return redirect("public:lookup")


def extra_sections():
    """What other apps show a household about itself (valuation, compensation, payments):
    functions named in settings.PUBLIC_HOUSEHOLD_SECTIONS, each returning a dict
    {"title": ..., "rows": [(label, value), ...]} or None; with "amounts": True its values
    are figures, shown right-aligned."""
    from django.utils.module_loading import import_string

    return [import_string(path) for path in getattr(settings, "PUBLIC_HOUSEHOLD_SECTIONS", [])]
