"""The compensation decision (补偿决定书) and its announcement (补偿决定公告) as PDF and .docx,
from the templates the office edits per project (kinds decision and decision_notice)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from compensation import documents
from compensation.views.common import document_response
from core.http import report_validation_error
from core.scoping import get_visible_or_404
from projects.models import CompensationDecision

WRITERS = {
    "decision": documents.decision_document,
    "announcement": documents.announcement_document,
}


@login_required
def decision_file(request, pk, which, fmt):
    decision = get_visible_or_404(
        CompensationDecision.objects.select_related("household__project__district", "announcement"),
        request.user,
        pk=pk,
    )
    try:
        return document_response(WRITERS[which](decision, timezone.localdate()), fmt)
    except ValidationError as error:
        # A template that no longer renders, or a character no font has (never a PDF with boxes).
        report_validation_error(request, error)
        return redirect(decision)


urlpatterns = [
    path(
        f"decisions/<int:pk>/{which}.{fmt}",
        decision_file,
        {"which": which, "fmt": fmt},
        name=f"decision_{which}_{fmt}",
    )
    for which in WRITERS
    for fmt in ("pdf", "docx")
]
