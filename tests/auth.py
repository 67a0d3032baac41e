from django.urls import reverse

from tests.factories import PASSWORD


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    """Log in through the real login form (so that django-axes sees the attempt)."""
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def log_in_browser(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page in a Playwright page."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
