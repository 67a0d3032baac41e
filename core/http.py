"""Small helpers that views of every app share."""

import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

# The page sizes a list offers (?per_page=N); any other value gives the view's own size.
PAGE_SIZES = (25, 50, 100)


def paginate(request, queryset, per_page: int = 25, *, count: int | None = None):
    """The page the request asks for (?page=N, counted from 1) of `per_page` rows, or of
    ?per_page=N rows when N is one of PAGE_SIZES. A page number past the end gives the last
    page; one below 1 (0, -1) or not a number gives the first, never an error.

    `count`, when the caller keeps it (e.g. a fund's entry_count), saves the COUNT(*).

    The page carries what its links need: `page.query`, the request's query string without
    `page` (filters, search and the chosen size, urlencoded), and `page.sizes`, a list of
    (size, query string for it, is it the current size)."""
    chosen = request.GET.get("per_page", "")
    size = int(chosen) if chosen.isdigit() and int(chosen) in PAGE_SIZES else per_page
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    page = paginator.get_page(_page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    page.query = query.urlencode()
    query.pop("per_page", None)
    page.sizes = []
    for option in sorted({per_page, *PAGE_SIZES}):
        query["per_page"] = str(option)
        page.sizes.append((option, query.urlencode(), option == size))
    return page


def _page_number(raw: str | None) -> int:
    """?page= as a page number from 1 for Paginator.get_page, which would turn 0 and -1 into
    the last page: below 1 or not a number (a, 1.5, ²) gives 1; a number past the end stays
    past it (get_page gives the last page), however many digits it has."""
    text = (raw or "").strip()
    if not re.fullmatch(r"[+-]?[0-9]+", text) or text.startswith("-"):
        return 1
    digits = text.lstrip("+").lstrip("0")
    if not digits:
        return 1  # 0, 000
    return int(digits) if len(digits) <= 18 else 10**18  # int() refuses 4,300 digits and more


def address_by_pk(viewname: str) -> Callable[[int], str]:
    """pk → the address of `viewname`, a route taking one <int:pk>. The address around the pk
    is worked out once per process for each URL configuration and script prefix (a reverse()
    costs about 30 µs of CPU, as much as the rest of a table row; a page of 50 rows linking
    each to its page, or a sub-navigation of six links, would pay it each time). Raises
    NoReverseMatch as reverse() does."""
    head, tail = _address_parts(
        viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    )
    return lambda pk: f"{head}{pk}{tail}"


@functools.lru_cache(maxsize=512)
def _address_parts(viewname: str, urlconf: str, script_prefix: str) -> tuple[str, str]:
    marker = 987654321
    head, tail = reverse(viewname, args=[marker], urlconf=urlconf).split(str(marker))
    return head, tail


def error_messages(error: ValidationError | PermissionDenied) -> list[str]:
    """The Chinese messages of a service's refusal (a PermissionDenied carries one)."""
    if isinstance(error, PermissionDenied):
        return [str(error) or _("您无权进行此操作。")]
    return [str(message) for message in error.messages]


def download(
    field_file, filename: str | None = None, *, ascii_filename: str | None = None
) -> FileResponse:
    """Serve a stored file as an attachment (after the view has checked access).

    A name that is not ASCII goes in RFC 5987's filename* (Django's FileResponse); with
    `ascii_filename` the header also carries filename="…" for clients that cannot read it
    (RFC 6266: a browser that can prefers filename*)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    name = filename or field_file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    if ascii_filename and not name.isascii():
        extended = content_disposition_header(True, name).removeprefix("attachment; ")
        response["Content-Disposition"] = (
            f"{content_disposition_header(True, ascii_filename)}; {extended}"
        )
    return response


def report_form_errors(request, form) -> None:
    """Show a small inline form's errors as messages (for forms posted from a detail page)."""
    from django.contrib import messages

    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def report_validation_error(request, error: ValidationError | PermissionDenied) -> None:
    from django.contrib import messages

    for message in error_messages(error):
        messages.error(request, message)


def post_to_service(request, form, service, *, redirect_to, success=None, invalid=None, **kwargs):
    """The shape of a small form posted from a detail page: validate `form`, call
    `service(by=request.user, **kwargs, **form.cleaned_data)`, and redirect to `redirect_to`
    (a model with get_absolute_url, or a URL) with the outcome as a message.

    - `success`: the message after the service ran, or a function of the service's result that
      returns it (e.g. "approved" or "passed on to the next step");
    - `invalid`: a function of the bound form that renders the page again with the form's
      errors under its fields; without it the errors become messages on the page redirected to;
    - the service's ValidationError becomes its Chinese messages; a PermissionDenied is left to
      Django (a 403 with its reason).

    Returns the HttpResponse."""
    from django.contrib import messages
    from django.shortcuts import redirect

    if not form.is_valid():
        if invalid is not None:
            return invalid(form)
        report_form_errors(request, form)
        return redirect(redirect_to)
    try:
        result = service(by=request.user, **kwargs, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        message = success(result) if callable(success) else success
        if message:
            messages.success(request, message)
    return redirect(redirect_to)


def bound_data(request) -> tuple:
    """A form's (data, files): the request's on a POST (even an empty one, so that its
    required fields are reported), (None, None) otherwise: an unbound form."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def form_page(request, form, service, *, page, redirect_to, success, **kwargs):
    """The shape of a form on a page of its own: GET (an unbound `form`) shows it through
    `page(form)`; a valid POST calls `service(by=request.user, **kwargs, **form.cleaned_data)`
    and redirects to `redirect_to` with `success` (a message, or a function of the service's
    result returning it); an invalid form, or the service's ValidationError under its fields
    (`add_service_error`), is shown again by `page` with what was typed. A PermissionDenied is
    left to Django (a 403 with its reason). Returns the HttpResponse."""
    from django.contrib import messages
    from django.shortcuts import redirect

    if request.method == "POST" and form.is_valid():
        try:
            result = service(by=request.user, **kwargs, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(redirect_to)
    return page(form)


def add_service_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under its field when the form has it,
    otherwise above the form (a model-level or constraint message)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def client_address(request) -> str:
    """The client's IP address, for the login and look-up lockouts (AXES_CLIENT_IP_CALLABLE).

    settings.PROXY_COUNT reverse proxies stand in front; each appends the address it was
    reached from to X-Forwarded-For, and the last one is REMOTE_ADDR. So the client is the
    PROXY_COUNT-th address from the right; whatever the client wrote further left is ignored.
    Without proxies the header is the client's own say and is not read at all."""
    count = settings.PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")
