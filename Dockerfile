# Production image: the web app (gunicorn), the Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# Keep this list in step with scripts/apt-packages.txt (the packages not marked "test"):
# CJK fonts (Noto, and HanaMin for the extension planes) and WeasyPrint's libraries for the PDF reports, poppler for checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       fonts-noto-cjk fonts-hanazono libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --home /app app \
    && mkdir -p /data/media && chown app /data/media
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
