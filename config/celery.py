import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("expropriation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def import_pdf_engine(**_kwargs):
    """A worker imports the document engines once as it starts (before the prefork pool forks,
    so every child has them), not inside its first report or letter job: WeasyPrint (0.4 s),
    and cairosvg, which draws the annual report's chart for its Word file (0.3 s: cairocffi
    parses its C declarations on import), with python-docx; then the annual report's own
    builders (budget.report.build: its figures, layouts and writers, 40 ms), which the job
    imports when it runs. They were most of a cold build's start-up. Web processes and
    commands import them only when they make a document. Django is set up by then (Celery's
    Django fix-up does it as the worker imports its modules, before worker_init)."""
    import cairosvg  # noqa: F401
    import docx  # noqa: F401
    import weasyprint  # noqa: F401

    import budget.report.build  # noqa: F401
