import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("expropriation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def import_pdf_engine(**_kwargs):
    """A worker imports WeasyPrint once as it starts (before the prefork pool forks, so every
    child has it), not inside its first report or letter job: the import is most of a cold
    build's start-up. Web processes and commands import it only when they make a PDF."""
    import weasyprint  # noqa: F401
