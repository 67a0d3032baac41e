"""Checks on uploaded files, one place for every form that takes a document.

The extension is what the user typed; the first bytes tell a renamed executable or HTML page
from a real document. Messages are for people (Chinese, translatable).
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

UPLOAD_LIMIT = 10 * 1024 * 1024

# What a file of each accepted kind starts with. The extension alone is what the
# user typed; the first bytes tell a renamed executable or HTML page from a document.
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .doc / .xls (Office 97-2003)
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".doc": _OLE,
    ".docx": _ZIP,
    ".xls": _OLE,
    ".xlsx": _ZIP,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
}
DOCUMENT_TYPES = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".jpg",
    ".jpeg",
    ".png",
    ".tif",
    ".tiff",
)
DOCUMENT_TYPES_LABEL = gettext_lazy("PDF、Word、Excel 或图片（JPG/PNG/TIF）")


def check_upload(upload, *, types: tuple[str, ...], types_label: str):
    """Refuse a file over 10 MB, or one whose name or content is not of an accepted type."""
    if not upload:
        return upload
    if upload.size > UPLOAD_LIMIT:
        raise ValidationError(_("文件不能超过10MB。"), code="too_large")
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in types:
        raise ValidationError(_("只接受%(types)s文件。") % {"types": types_label}, code="file_type")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        raise ValidationError(
            _("文件内容与扩展名%(suffix)s不符，请上传原始文件。") % {"suffix": suffix},
            code="file_content",
        )
    return upload


def check_document(upload):
    """Any office document or scan: PDF, Word, Excel or an image, at most 10 MB."""
    return check_upload(upload, types=DOCUMENT_TYPES, types_label=DOCUMENT_TYPES_LABEL)
