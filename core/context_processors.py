from django.utils.functional import SimpleLazyObject

from core.models import Office
from core.navigation import frame_urls, main_nav_html


def office(request):
    user = getattr(request, "user", None)
    return {
        "office_name": SimpleLazyObject(Office.page_name),
        "frame_urls": frame_urls(),
        "main_nav": (
            SimpleLazyObject(lambda: main_nav_html(user, request.path))
            if user is not None and user.is_authenticated
            else ""
        ),
    }
