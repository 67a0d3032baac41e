"""Agreements (补偿协议): drafting from a fresh breakdown, signing (then locked), the office's
review, supplements, the PDF and .docx, and the template the office edits per project."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compensation import documents, services, supplements
from compensation.forms import (
    AgreementDraftForm,
    ReviewForm,
    SignAgreementForm,
    SupplementForm,
    SwapSupplementForm,
    TemplateForm,
)
from compensation.models import Agreement, DocumentTemplate
from compensation.views.common import can_edit, document_response, project_for
from compensation.views.households import household_for
from core import permissions
from core.http import report_form_errors, report_validation_error
from core.scoping import get_visible_or_404
from projects.views.gates import gate_refusal, refused_page


def agreement_for(request, pk) -> Agreement:
    return get_visible_or_404(
        Agreement.objects.select_related(
            "household__project__district",
            "breakdown__plan",
            "breakdown__valuation",
            "drafted_by",
            "reviewed_by",
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_POST
def agreement_draft(request, pk):
    household = household_for(request, pk)
    refused = refused_page(
        request, "agreement.draft", project=household.project, household=household
    )
    if refused:
        return refused
    form = AgreementDraftForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("compensation:household_detail", pk=household.pk)
    try:
        agreements = services.draft_agreements(
            household=household, by=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        report_validation_error(request, error)
        return redirect("compensation:household_detail", pk=household.pk)
    messages.success(request, _("补偿协议草稿已生成，请核对后打印签订。"))
    return redirect(agreements[0])


@login_required
def agreement_detail(request, pk):
    agreement = agreement_for(request, pk)
    household = agreement.household
    user = request.user
    try:
        document = documents.agreement_document(agreement, timezone.localdate())
        template_error = None
    except ValidationError as error:
        document, template_error = None, error.messages
    return render(
        request,
        "compensation/agreement_detail.html",
        {
            "agreement": agreement,
            "household": household,
            "project": household.project,
            "document": document,
            "template_error": template_error,
            "supplements": agreement.supplements.select_related("recorded_by"),
            "can_edit": can_edit(user, household.project),
            "is_reviewer": permissions.allowed(user, "compensation.review_agreement"),
            "is_finance": permissions.allowed(user, "compensation.keep_fund"),
            "sign_form": SignAgreementForm(initial={"signed_on": timezone.localdate()}),
            "review_form": ReviewForm(),
            "supplement_form": SupplementForm(initial={"signed_on": timezone.localdate()}),
            "fund": getattr(household.project, "fund", None),
            "refusal": _refusal(user, agreement),
            **swap_supplement_context(user, agreement),
            "supplement_refusal": gate_refusal(
                user, "agreement.supplement", project=household.project, household=household
            )
            if agreement.is_locked
            else None,
        },
    )


def swap_supplement_context(user, agreement: Agreement) -> dict:
    """The agreement page's "选房后差价需签补充协议" box: the difference and, for 业务科 (and
    those who record supplements), the form that records it."""
    due, error = supplements.swap_due_or_error(agreement)
    return {
        "swap_due": due,
        "swap_due_error": error,
        "can_settle_swap": permissions.allowed(user, "compensation.settle_swap_supplement"),
        "swap_supplement_form": SwapSupplementForm(
            initial={
                "number": supplements.supplement_number(agreement),
                "signed_on": timezone.localdate(),
            }
        )
        if due
        else None,
    }


def _gated_action(agreement: Agreement) -> str | None:
    """The gated action the agreement page's form takes now, if any."""
    if agreement.status == Agreement.Status.DRAFT:
        household = agreement.household
        if agreement.party == Agreement.Party.HOUSEHOLD and not household.is_signed:
            return "household.sign"
        return None
    if agreement.status == Agreement.Status.SIGNED:
        return "agreement.approve"
    return None


def _refusal(user, agreement: Agreement):
    action = _gated_action(agreement)
    if action is None:
        return None
    household = agreement.household
    return gate_refusal(user, action, project=household.project, household=household)


def _refused(request, agreement: Agreement, action: str | None):
    if action is None:
        return None
    household = agreement.household
    return refused_page(request, action, project=household.project, household=household)


@login_required
@require_POST
def agreement_sign(request, pk):
    agreement = agreement_for(request, pk)
    if agreement.status == Agreement.Status.DRAFT and (
        refused := _refused(request, agreement, _gated_action(agreement))
    ):
        return refused
    form = SignAgreementForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(agreement)
    try:
        agreement = services.sign_agreement(
            agreement=agreement, by=request.user, signed_on=form.cleaned_data["signed_on"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("协议已签订并锁定，协议金额%(amount)s元；待市征收办审核后方可划拨。")
            % {"amount": f"{agreement.amount:,.2f}"},
        )
    return redirect(agreement)


@login_required
@require_POST
def agreement_approve(request, pk):
    agreement = agreement_for(request, pk)
    if agreement.status == Agreement.Status.SIGNED and (
        refused := _refused(request, agreement, "agreement.approve")
    ):
        return refused
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.approve_agreement(agreement=agreement, by=request.user, note=note)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("协议已审核通过，可以申请划拨。"))
    return redirect(agreement)


@login_required
@require_POST
def supplement_create(request, pk):
    agreement = agreement_for(request, pk)
    if agreement.is_locked and (refused := _refused(request, agreement, "agreement.supplement")):
        return refused
    form = SupplementForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(agreement)
    try:
        services.add_supplement(agreement=agreement, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("补充协议已登记。"))
    return redirect(agreement)


@login_required
@require_POST
def swap_supplement_create(request, pk):
    agreement = agreement_for(request, pk)
    if agreement.is_locked and (refused := _refused(request, agreement, "agreement.supplement")):
        return refused
    form = SwapSupplementForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(agreement)
    try:
        supplement = supplements.settle_swap_difference(
            agreement=agreement, by=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("补充协议%(number)s已登记，选房后差价已结算：%(reason)s")
            % {"number": supplement.number, "reason": supplement.reason},
        )
    return redirect(agreement)


@login_required
def agreement_file(request, pk, fmt):
    agreement = agreement_for(request, pk)
    try:
        document = documents.agreement_document(agreement, timezone.localdate())
        return document_response(document, fmt)
    except ValidationError as error:
        # A template that no longer renders, or a character no font has (never a PDF with boxes).
        report_validation_error(request, error)
        return redirect(agreement)


@login_required
def template_edit(request, pk, kind):
    project = project_for(request, pk)
    if kind not in DocumentTemplate.Kind.values:
        kind = DocumentTemplate.Kind.AGREEMENT
    editable = request.user.is_office_staff
    form = TemplateForm(
        request.POST or None, initial={"body": documents.template_source(project, kind)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_document_template(
                project=project, by=request.user, kind=kind, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("模板已保存。"))
            return redirect("compensation:template_edit", pk=project.pk, kind=kind)
    return render(
        request,
        "compensation/documenttemplate_form.html",
        {
            "project": project,
            "kind": kind,
            "kind_label": DocumentTemplate.Kind(kind).label,
            "kinds": DocumentTemplate.Kind.choices,
            "form": form,
            "placeholders": documents.placeholder_help(kind),
            "syntax_help": _(
                "在模板中写 %(variable)s，生成文书时替换为该户的数据；列表用 %(loop)s 逐行输出。"
                "只允许 if、for、with 等少数标签，不能加载其他模板或代码。"
            )
            % {"variable": "{{ 占位符 }}", "loop": "{% for 行 in 明细 %}…{% endfor %}"},
            "can_edit": editable,
        },
    )


urlpatterns = [
    path("households/<int:pk>/agreements/", agreement_draft, name="agreement_draft"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/sign/", agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/approve/", agreement_approve, name="agreement_approve"),
    path("agreements/<int:pk>/supplements/", supplement_create, name="supplement_create"),
    path(
        "agreements/<int:pk>/swap-supplement/",
        swap_supplement_create,
        name="swap_supplement_create",
    ),
    path("agreements/<int:pk>/agreement.pdf", agreement_file, {"fmt": "pdf"}, name="agreement_pdf"),
    path(
        "agreements/<int:pk>/agreement.docx",
        agreement_file,
        {"fmt": "docx"},
        name="agreement_docx",
    ),
    path("projects/<int:pk>/templates/<slug:kind>/", template_edit, name="template_edit"),
]
