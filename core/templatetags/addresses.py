"""`{% pk_url "app:view" pk %}`: `{% url "app:view" pk %}` for a route taking one <int:pk>, its
address worked out once per process (core.http.address_by_pk) instead of by a reverse() on
every render: the shared sub-navigations and breadcrumbs of the project pages link six or
seven such routes."""

from django import template

from core.http import address_by_pk

register = template.Library()


@register.simple_tag
def pk_url(viewname: str, pk: int) -> str:
    """The address of `viewname` for `pk` (as {% url %} writes it, escaped by the template)."""
    return address_by_pk(viewname)(pk)
