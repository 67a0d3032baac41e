"""What the compensation views share: reading a project through the scoping rule, file responses."""

from django.db.models import QuerySet
from django.http import HttpResponse

from core.scoping import get_visible_or_404
from core.spreadsheets import XLSX_CONTENT_TYPE
from projects.models import Project


def project_for(request, pk, projects: QuerySet[Project] | None = None) -> Project:
    """Project `pk` read from `projects` (by default with its district) when the user may see
    it; Http404 otherwise."""
    if projects is None:
        projects = Project.objects.select_related("district")
    return get_visible_or_404(projects, request.user, pk=pk)


def can_edit(user, project: Project) -> bool:
    return user.is_office_staff or user.district_id == project.district_id


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    from compensation.documents import content_disposition

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def document_response(document, fmt: str) -> HttpResponse:
    """A rendered compensation.documents.Document as a .docx (fmt "docx") or PDF download."""
    from compensation import documents

    if fmt == "docx":
        return file_response(
            documents.document_docx(document),
            documents.DOCX_CONTENT_TYPE,
            f"{document.filename}.docx",
        )
    return file_response(
        documents.document_pdf(document), "application/pdf", f"{document.filename}.pdf"
    )


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, XLSX_CONTENT_TYPE, filename)
