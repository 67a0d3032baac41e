"""`{% pager page %}`: the pager under every list (templates/core/_pagination.html), for a page
from core.http.paginate.

Written in Python with format_html: the same markup as a template, at a tenth of the cost (the
template version cost a list page about 0.4 ms of CPU, more than its rows' query)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def pager(page) -> SafeString | str:
    """Links to the first, previous, next and last pages (each keeping the list's filters,
    `page.query`), "第 n / m 页" and the page sizes offered (`page.sizes`); nothing when the
    whole list fits on a page of the smallest size."""
    sizes = getattr(page, "sizes", None)  # a page core.http.paginate made, or nothing
    if not sizes or page.paginator.count <= sizes[0][0]:
        return ""
    prefix = f"?{page.query}&page=" if page.query else "?page="
    before = after = ""
    if page.has_previous():
        before = format_html(
            '<a href="{}1">{}</a>\n  <a href="{}{}" rel="prev">{}</a>',
            prefix,
            _("第一页"),
            prefix,
            page.previous_page_number(),
            _("上一页"),
        )
    if page.has_next():
        after = format_html(
            '<a href="{}{}" rel="next">{}</a>\n  <a href="{}{}">{}</a>',
            prefix,
            page.next_page_number(),
            _("下一页"),
            prefix,
            page.paginator.num_pages,
            _("最后一页"),
        )
    size_links = format_html_join(
        "",
        " {}",
        (
            (
                format_html('<strong aria-current="true">{}</strong>', size)
                if current
                else format_html('<a href="?{}">{}</a>', query, size),
            )
            for size, query, current in sizes
        ),
    )
    number = _("第 %(number)s / %(total)s 页") % {
        "number": page.number,
        "total": page.paginator.num_pages,
    }
    return format_html(
        '<nav class="pagination" aria-label="{}">\n  {}\n  <span>{}</span>\n  {}\n'
        '  <span class="page-sizes">{}{} {}</span>\n</nav>',
        _("分页"),
        before,
        number,
        after,
        _("每页"),
        size_links,
        _("条"),
    )
