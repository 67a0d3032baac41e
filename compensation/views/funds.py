"""The funds and their ledgers: list, account page with its entries and latest hash, deposits,
disbursement requests and their approval, reversals, exports."""

from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compensation import exports, reports, services
from compensation.forms import (
    DecisionNoteForm,
    DepositForm,
    DisbursementRequestForm,
    FundOpenForm,
    ReversalForm,
)
from compensation.models import (
    Agreement,
    Category,
    DisbursementRequest,
    FinalAccount,
    Fund,
    HardshipSubsidy,
    LedgerCheck,
    LedgerEntry,
    PayeeKind,
)
from compensation.views.common import project_for, xlsx_response
from core import history as core_history
from core import permissions
from core.compiled import CompiledValues, field_names, instance
from core.formatting import decimal_text
from core.http import (
    address_by_pk,
    bound_data,
    form_page,
    paginate,
    report_form_errors,
    report_validation_error,
)
from core.labels import html_labels, labels
from core.markup import html_format
from core.models import District, User
from core.scoping import get_visible_or_404, visible_row, visible_to
from projects.models import Project
from projects.views.gates import refused_page


def fund_for(request, pk) -> Fund:
    return get_visible_or_404(Fund.objects.select_related("project__district"), request.user, pk=pk)


def _fund_refusal(fund: Fund) -> dict:
    """`refused_page`'s arguments for a fund's form: its breadcrumbs lead back to the fund."""
    return {"template": "compensation/fund_gate_refused.html", "context": {"fund": fund}}


@login_required
def fund_list(request):
    funds = (
        visible_to(Fund, request.user)
        .select_related("project__district")
        .annotate(pending=Count("requests", filter=Q(requests__status="pending")))
        # Projects not started yet first on every database, as PostgreSQL sorts NULL descending.
        .order_by(F("project__started_on").desc(nulls_first=True), "project__code")
    )
    without_fund = visible_to(Project, request.user).filter(fund__isnull=True)
    latest_check = LedgerCheck.objects.first() if request.user.is_office_staff else None
    return render(
        request,
        "compensation/fund_list.html",
        {
            "page": paginate(request, funds),
            "without_fund": without_fund.select_related("district").order_by("code"),
            "today": timezone.localdate(),
            "can_open": permissions.allowed(request.user, "compensation.keep_fund"),
            "pending_count": visible_to(
                DisbursementRequest.objects.pending(), request.user
            ).count(),
            "latest_check": latest_check,
        },
    )


@login_required
@require_POST
def fund_open(request, pk):
    project = project_for(request, pk)
    if refused := refused_page(request, "fund.open", project=project):
        return refused
    form = FundOpenForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("compensation:fund_list")
    try:
        fund = services.open_fund(project=project, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
        return redirect("compensation:fund_list")
    messages.success(request, _("已开设%(fund)s。") % {"fund": fund})
    return redirect(fund)


@login_required
def fund_detail(request, pk):
    """The fund's account page: its totals (kept on the fund row), the project's compensation
    summary, pending requests, finance's buttons to the deposit and request forms (their own
    pages, which check the gates) and one page of entries, newest first. Reads the same rows
    however long the ledger is."""
    user = request.user
    project, books_closed = _fund_page_project(user, pk)
    fund = project.fund
    is_finance = permissions.allowed(user, "compensation.keep_fund")
    # The fund row knows how many entries it has: no COUNT over the ledger. The paginator
    # works out the page's number only; its entries are read by _page_entries.
    page = paginate(request, range(fund.entry_count), per_page=50, count=fund.entry_count)
    keeps_books = is_finance and not books_closed  # finance's buttons and reversal forms
    rows = _ledger_rows(
        _page_entries(fund, page),
        reversible=keeps_books,
        csrf=csrf_input(request) if keeps_books else "",
    )
    page.object_list = rows
    figures = reports.fund_figures(project)
    context = {
        "fund": fund,
        "project": project,
        "page": page,
        "rows": SafeString("\n".join(rows)),  # one variable for the template, not one a row
        "figures": figures,
        # The cards' figures as floatformat:2|intcomma writes them, without the filters' cost.
        "money": {name: decimal_text(getattr(figures, name)) for name in _CARDS},
        "requests": _pending_requests(fund),
        "is_finance": is_finance,
        "books_closed": books_closed,
    }
    return render(request, "compensation/fund_detail.html", context)


_CARDS = ("balance", "deposits", "disbursements", "due", "paid", "unpaid")


def _fund_page_project(user, pk) -> tuple[Project, bool]:
    """The project of fund `pk`, with its district, its fund (whose row keeps the totals, the
    entry count and the latest hash) and what is due (reports.with_due), and whether its final
    account is approved (the books closed): one query. Http404 unless `user` may read it."""
    row = visible_row(user, _fund_page_rows(pk))
    project = instance(Project, row)
    project.district = instance(District, row, "district__")
    project.fund = instance(Fund, row, "fund__")
    project.breakdown_sum, project.adjustment_sum = row["breakdown_sum"], row["adjustment_sum"]
    return project, row["final_account__status"] == FinalAccount.Status.APPROVED


@CompiledValues
def _fund_page_rows(fund: int) -> QuerySet:
    # Read unscoped, checked with core.scoping.sees_district: the ORM's select_related and
    # with_due cost about 1 ms of CPU a request to build and compile, the SQL written once
    # 0.2 ms (bench/fund_page_bench.py).
    return reports.with_due(Project.objects.filter(fund=fund)).values(
        *field_names(Project),
        *field_names(District, "district__"),
        *field_names(Fund, "fund__"),
        "final_account__status",
        "breakdown_sum",
        "adjustment_sum",
    )


def _pending_requests(fund: Fund) -> list[dict]:
    """The fund's pending requests, newest first, as what the page's table shows of each:
    pk, url, payee (the payee kind's label), household (its code or None), purpose, amount
    (Decimal, yuan), requester (a name)."""
    address = address_by_pk("compensation:request_detail")
    payees = labels(PayeeKind)
    return [
        {
            "pk": row["pk"],
            "url": address(row["pk"]),
            "payee": payees.get(row["payee_kind"], row["payee_kind"]),
            "household": row["household__code"],
            "purpose": row["purpose"],
            "amount": row["amount"],
            "requester": _full_name(row, "requested_by__"),
        }
        for row in _pending_request_rows(fund.pk)
    ]


@CompiledValues
def _pending_request_rows(fund: int) -> QuerySet:
    return (
        DisbursementRequest.objects.pending()
        .filter(fund=fund)
        .values("pk", "payee_kind", "household__code", "purpose", "amount", *_names("requested_by"))
    )


def _names(user: str) -> list[str]:
    """The lookups of what User.get_full_name reads, through the relation `user`."""
    return [f"{user}__{name}" for name in ("username", "name", "first_name", "last_name")]


def _full_name(row: dict, prefix: str) -> str:
    """User.get_full_name of the user whose `_names` columns `row` holds under `prefix`."""
    return User(
        username=row[prefix + "username"],
        name=row[prefix + "name"],
        first_name=row[prefix + "first_name"],
        last_name=row[prefix + "last_name"],
    ).get_full_name()


def _page_entries(fund: Fund, page) -> list[dict]:
    """The entries of `page` (newest first) of the fund's ledger, as dicts of what the table
    shows. A fund's sequences run from 1 to its entry_count without a gap
    (ledger.append_entry numbers them under the fund's row lock; entries are never deleted),
    so page N is a range of sequences, read through the (fund, sequence) index, instead of an
    OFFSET past the newer entries (which PostgreSQL joins before skipping them: 120 ms for the
    middle of 50,000)."""
    size = page.paginator.per_page
    newest = fund.entry_count - (page.number - 1) * size
    return _entry_range(fund.pk, max(newest - size, 0), newest)


@CompiledValues
def _entry_range(fund: int, after: int, upto: int) -> QuerySet:
    """The entries of fund `fund` numbered after `after` up to `upto`, newest first (the SQL
    written once: core.compiled)."""
    return (
        LedgerEntry.objects.filter(fund=fund, sequence__gt=after, sequence__lte=upto)
        .order_by("-sequence")
        .values(*_ENTRY_FIELDS)
    )


_ENTRY_FIELDS = (
    "pk",
    "sequence",
    "kind",
    "amount",
    "balance_after",
    "occurred_on",
    "source",
    "voucher_number",
    "payee_name",
    "category",
    "purpose",
    "recorded_at",
    "hash",
    "recorded_by_id",
    *_names("recorded_by"),
    "reverses__sequence",
    "reversed_by__sequence",
)


# One row of the ledger table (fund_detail.html's <tbody>), written in Python: a template
# spends about 0.1 ms of CPU a row on its twenty variables and conditions, half the page's own
# work at 50 rows. What people typed (voucher number or payee, purpose, the recorder's name),
# the kind and the hash are escaped with html.escape; the labels are html_labels' (escaped
# once); numbers and dates are written here. core.markup.html_format, which escapes every
# field, cost 1.9 of the 2.9 ms that 100 rows took (cProfile).
_ROW = (
    '<tr id="entry-{sequence}" class="kind-{kind}"><td class="num">{sequence}</td>'
    '<td class="nowrap">{date}</td><td>{kind_label}{notes}</td><td>{source}</td>'
    '<td>{reference}</td><td>{purpose}</td><td class="num">{inflow}</td>'
    '<td class="num">{outflow}</td><td class="num">{balance}</td>'
    '<td class="nowrap" title="{recorded_at}">{recorded_by}</td>'
    '<td><code class="hash" title="{hash}">{short_hash}</code></td>{action}</tr>'
)
_REVERSES = '<br><span class="muted">{}</span>'
_REVERSED_BY = '<br><span class="warn">{}</span>'
_REVERSAL_FORM = (
    '<td><details class="inline-form"><summary>{label}</summary>'
    '<form method="post" action="{url}">{csrf}'
    '<input type="text" name="reason" maxlength="150" required placeholder="{reason}"'
    ' aria-label="{reason}"><button type="submit" class="danger">{label}</button>'
    "</form></details></td>"
)


def _ledger_rows(entries, *, reversible: bool, csrf: str = "") -> list[SafeString]:
    """The ledger table's rows (HTML) from `_page_entries`' dicts: labels from one dictionary
    each, each recorder's name once, one reverse() for the reversal forms. `reversible`: each
    row has a last cell, holding a reversal form (with `csrf`, the request's hidden token
    input, SafeString) when the entry may be reversed."""
    address = address_by_pk("compensation:entry_reverse")
    kinds, sources = html_labels(LedgerEntry.Kind), html_labels(LedgerEntry.Source)
    categories = html_labels(Category)
    no_action = "<td></td>" if reversible else ""
    # The reversal form around its address, its labels and token written once.
    form_head, form_tail = html_format(
        _REVERSAL_FORM, label=_("冲正"), url=SafeString("\0"), csrf=csrf, reason=_("冲正原因")
    ).split("\0")
    # Each hash as truncatechars:11 writes it, in the active language's ellipsis, worked out
    # once (Truncator costs about 30 µs a call): hashes are 64 hex characters.
    sample = Truncator("0" * 64).chars(11)
    ellipsis = escape(sample.lstrip("0"))
    kept = len(sample) - len(sample.lstrip("0"))
    local = timezone.get_current_timezone()  # timezone.localtime's, looked up once
    names = {}
    rows = []
    for entry in entries:
        recorder = entry["recorded_by_id"]
        if recorder not in names:
            names[recorder] = escape(_full_name(entry, "recorded_by__"))
        kind, amount, source = entry["kind"], entry["amount"], entry["source"]
        reverses, reversed_by = entry["reverses__sequence"], entry["reversed_by__sequence"]
        notes = ""
        if reverses:
            notes += html_format(_REVERSES, _("冲正第%(n)s笔") % {"n": reverses})
        if reversed_by:
            notes += html_format(_REVERSED_BY, _("已被第%(n)s笔冲正") % {"n": reversed_by})
        action = no_action
        if reversible and kind != LedgerEntry.Kind.REVERSAL and not reversed_by:
            action = form_head + address(entry["pk"]) + form_tail
        if source:
            source_label = sources.get(source) or escape(source)
        else:
            source_label = categories.get(entry["category"]) or escape(entry["category"])
        hash_text = escape(entry["hash"])
        row = _ROW.format(
            sequence=int(entry["sequence"]),
            kind=escape(kind),
            date=entry["occurred_on"].isoformat(),
            kind_label=kinds.get(kind) or escape(kind),
            notes=notes,
            source=source_label,
            reference=escape(entry["voucher_number"] or entry["payee_name"]),
            purpose=escape(entry["purpose"]),
            # LedgerEntry.inflow and outflow.
            inflow=decimal_text(amount) if amount > 0 else "",
            outflow=decimal_text(-amount) if amount < 0 else "",
            balance=decimal_text(entry["balance_after"]),
            recorded_at=entry["recorded_at"].astimezone(local).strftime("%Y-%m-%d %H:%M:%S"),
            recorded_by=names[recorder],
            hash=hash_text,
            short_hash=hash_text[:kept] + ellipsis,
            action=action,
        )
        rows.append(SafeString(row))
    return rows


@login_required
def deposit_create(request, pk):
    """归集 (finance only): GET shows the form, reached from the fund's page; a valid POST records
    the deposit and goes back to the fund's page with the new balance in a message."""
    fund = fund_for(request, pk)
    services.ensure_finance(request.user)
    if refused := refused_page(
        request, "fund.deposit", project=fund.project, **_fund_refusal(fund)
    ):
        return refused
    form = DepositForm(*bound_data(request), initial={"received_on": timezone.localdate()})
    return form_page(
        request,
        form,
        services.record_deposit,
        page=lambda form: render(
            request,
            "compensation/deposit_form.html",
            {"fund": fund, "project": fund.project, "form": form},
        ),
        redirect_to=fund,
        success=lambda entry: (
            _("已归集%(amount)s元，余额%(balance)s元。")
            % {"amount": f"{entry.amount:,.2f}", "balance": f"{entry.balance_after:,.2f}"}
        ),
        fund=fund,
    )


@login_required
def request_create(request, pk):
    """A disbursement request: to the district office, or (?agreement= / ?subsidy=) to a
    household on an approved agreement or a payable hardship subsidy."""
    fund = fund_for(request, pk)
    services.ensure_finance(request.user)
    agreement = subsidy = None
    if request.GET.get("agreement"):
        agreement = get_visible_or_404(
            Agreement.objects.select_related("household"),
            request.user,
            pk=request.GET["agreement"],
            household__project=fund.project,
        )
    elif request.GET.get("subsidy"):
        subsidy = get_visible_or_404(
            HardshipSubsidy.objects.select_related("household", "notice"),
            request.user,
            pk=request.GET["subsidy"],
            household__project=fund.project,
        )
    target = agreement or subsidy
    household = target.household if target is not None else None
    refused = refused_page(
        request,
        "disbursement.household" if household else "disbursement.district",
        project=fund.project,
        household=household,
        **_fund_refusal(fund),
    )
    if refused:
        return refused
    initial = {"paid_on": timezone.localdate()}
    if target is not None:
        initial["amount"] = target.unpaid
        initial["purpose"] = (
            _("%(code)s户补偿款（协议%(number)s）")
            % {"code": agreement.household.code, "number": agreement.number}
            if agreement
            else _("%(code)s户困难补助") % {"code": subsidy.household.code}
        )
    form = DisbursementRequestForm(
        request.POST or None,
        initial=initial,
        fixed_category="hardship" if subsidy else None,
        choose_category=target is None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_disbursement(
                fund=fund,
                by=request.user,
                agreement=agreement,
                subsidy=subsidy,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("划拨申请已提交，等待领导审批。"))
            return redirect(created)
    return render(
        request,
        "compensation/disbursementrequest_form.html",
        {"fund": fund, "project": fund.project, "form": form, "target": target},
    )


@login_required
def request_list(request):
    requests = (
        visible_to(DisbursementRequest, request.user)
        .select_related("fund__project__district", "requested_by", "decided_by", "household")
        .select_related("agreement")
    )
    status = request.GET.get("status", "pending")
    if status in DisbursementRequest.Status.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "compensation/disbursementrequest_list.html",
        {
            "page": paginate(request, requests),
            "status": status,
            "statuses": DisbursementRequest.Status.choices,
            "query": f"status={status}",
        },
    )


@login_required
def request_detail(request, pk):
    disbursement = get_visible_or_404(
        DisbursementRequest.objects.select_related(
            "fund__project__district",
            "requested_by",
            "decided_by",
            "household",
            "agreement",
            "subsidy",
        ),
        request.user,
        pk=pk,
    )
    user = request.user
    return render(
        request,
        "compensation/disbursementrequest_detail.html",
        {
            "disbursement": disbursement,
            "fund": disbursement.fund,
            "project": disbursement.fund.project,
            "entry": LedgerEntry.objects.filter(request=disbursement).first(),
            "history": core_history.for_object(disbursement),
            "can_decide": disbursement.is_pending
            and permissions.allowed(user, "compensation.approve_payment")
            and disbursement.requested_by_id != user.pk,
            "reject_form": DecisionNoteForm(),
        },
    )


def _request_for(request, pk) -> DisbursementRequest:
    return get_visible_or_404(
        DisbursementRequest.objects.select_related("fund__project"), request.user, pk=pk
    )


@login_required
@require_POST
def request_approve(request, pk):
    disbursement = _request_for(request, pk)
    try:
        entry = services.approve_disbursement(request=disbursement, approved_by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("已划拨%(amount)s元（第%(sequence)s笔），账户余额%(balance)s元。")
            % {
                "amount": f"{-entry.amount:,.2f}",
                "sequence": entry.sequence,
                "balance": f"{entry.balance_after:,.2f}",
            },
        )
    return redirect(disbursement)


@login_required
@require_POST
def request_reject(request, pk):
    disbursement = _request_for(request, pk)
    form = DecisionNoteForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(disbursement)
    try:
        services.reject_disbursement(
            request=disbursement, by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已驳回该划拨申请。"))
    return redirect(disbursement)


@login_required
@require_POST
def entry_reverse(request, pk):
    entry = get_visible_or_404(
        LedgerEntry.objects.select_related("fund__project"), request.user, pk=pk
    )
    form = ReversalForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(entry.fund)
    try:
        reversal = services.reverse_entry(
            entry=entry, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("已冲正第%(original)s笔（冲正账目为第%(sequence)s笔）。")
            % {"original": entry.sequence, "sequence": reversal.sequence},
        )
    return redirect(entry.fund)


@login_required
def ledger_export(request, pk) -> HttpResponse:
    fund = fund_for(request, pk)
    return xlsx_response(exports.ledger_workbook(fund=fund), exports.ledger_filename(fund))


urlpatterns = [
    path("", fund_list, name="fund_list"),
    path("projects/<int:pk>/fund/open/", fund_open, name="fund_open"),
    path("funds/<int:pk>/", fund_detail, name="fund_detail"),
    path("funds/<int:pk>/deposits/", deposit_create, name="deposit_create"),
    path("funds/<int:pk>/requests/new/", request_create, name="request_create"),
    path("funds/<int:pk>/ledger.xlsx", ledger_export, name="ledger_export"),
    path("requests/", request_list, name="request_list"),
    path("requests/<int:pk>/", request_detail, name="request_detail"),
    path("requests/<int:pk>/approve/", request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", request_reject, name="request_reject"),
    path("entries/<int:pk>/reverse/", entry_reverse, name="entry_reverse"),
]
