from django.utils.functional import SimpleLazyObject

from core.models import Office
from core.navigation import nav_for


def office(request):
    user = getattr(request, "user", None)
    return {
        "office_name": SimpleLazyObject(Office.page_name),
        "main_nav": (
            SimpleLazyObject(lambda: nav_for(user, request.path))
            if user is not None and user.is_authenticated
            else []
        ),
    }
