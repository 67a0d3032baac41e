from django.urls import reverse

from tests.factories import PASSWORD


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    """Log in through the real login form (so that django-axes sees the attempt)."""
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )
