# ruff: noqa: E501  (the template the pager replaced, as it was written)
"""{% pager %} (core.templatetags.pagination) writes what the template it replaced wrote."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from core.http import paginate

# templates/core/_pagination.html before the pager was written in Python.
TEMPLATE_IT_REPLACED = """{% load i18n %}
{% if page.paginator.count > page.sizes.0.0 %}
<nav class="pagination" aria-label="{% translate '分页' %}">
  {% if page.has_previous %}<a href="?{% if page.query %}{{ page.query }}&amp;{% endif %}page=1">{% translate '第一页' %}</a>
  <a href="?{% if page.query %}{{ page.query }}&amp;{% endif %}page={{ page.previous_page_number }}" rel="prev">{% translate '上一页' %}</a>{% endif %}
  <span>{% blocktranslate with number=page.number total=page.paginator.num_pages %}第 {{ number }} / {{ total }} 页{% endblocktranslate %}</span>
  {% if page.has_next %}<a href="?{% if page.query %}{{ page.query }}&amp;{% endif %}page={{ page.next_page_number }}" rel="next">{% translate '下一页' %}</a>
  <a href="?{% if page.query %}{{ page.query }}&amp;{% endif %}page={{ page.paginator.num_pages }}">{% translate '最后一页' %}</a>{% endif %}
  <span class="page-sizes">{% translate '每页' %}{% for size, size_query, current in page.sizes %} {% if current %}<strong aria-current="true">{{ size }}</strong>{% else %}<a href="?{{ size_query }}">{{ size }}</a>{% endif %}{% endfor %} {% translate '条' %}</span>
</nav>
{% endif %}"""


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"page": "1"},
        {"page": "2"},
        {"page": "5"},
        {"page": "99"},
        {"q": "六岭&<路>", "page": "3"},
        {"per_page": "50", "page": "2"},
        {"per_page": "100"},
        {"per_page": "7", "status": "open"},
    ],
)
@pytest.mark.parametrize("rows", [0, 1, 25, 26, 120])
def test_the_pager_writes_what_the_template_it_replaced_wrote(query, rows):
    request = RequestFactory().get("/list/", query)
    page = paginate(request, list(range(rows)), per_page=25)
    context = Context({"page": page})
    expected = _squeezed(Template(TEMPLATE_IT_REPLACED).render(context))
    assert _squeezed(Template("{% include 'core/_pagination.html' %}").render(context)) == expected
    if rows > 25:
        assert "第 " in expected  # the cases compare real pagers, not two empty strings


def test_a_context_without_a_page_gets_no_pager():
    assert Template("{% include 'core/_pagination.html' %}").render(Context({})).strip() == ""
