"""Settings for the expropriation office system.

One file, fed by the environment (django-environ). Unset, everything falls back to an
embedded default that runs on a laptop: SQLite, Celery tasks run in-process.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.storage import s3_options

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The default key is marked insecure so that `check --deploy` refuses it in production.
SECRET_KEY = env(
    "SECRET_KEY",
    default="django-insecure-local-development-key-never-use-in-production",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The office this deployment serves; the Office row loaded by staff overrides it.
OFFICE_NAME = env("OFFICE_NAME", default="房屋征收管理办公室")
# The office's telephone area code: put before a local number typed without one (5123456).
PHONE_AREA_CODE = env("PHONE_AREA_CODE", default="0739")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "simple_history",
    "django_htmx",
    "csp",
    "pgtrigger",
    "rules",
    "core",
    "public",
    "projects",
    "compensation",
    "appraisers",
    "petitions",
    "budget",
    "resettlement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Keeps an active session alive with one write a minute at most (not one per request).
    "core.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.BrokerUnavailableMiddleware",
    "core.middleware.StorageUnavailableMiddleware",
    # Axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.office",
            ],
        },
    },
]

# Plain widgets (<input>, <select>, <textarea>) written in Python, byte for byte Django's own
# templates; the rest through the templates (core.widgets, issue 16).
FORM_RENDERER = "core.widgets.WidgetRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that asks the server only when the connection's
    # socket says something happened (core.db.postgresql).
    DATABASES["default"]["ENGINE"] = "core.db.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Shared state (issue 15) ------------------------------------------------------------------
# The cache holds the public look-up lockouts and the public page cache: with more than one
# process or machine it must be shared (CACHE_URL=redis://host:6379/2, Django's RedisCache).
# The per-process default is for a laptop; core.deployment_checks warns when it is used with
# DEBUG off. Sessions are in the database, shared by every web node.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# The public look-ups lock a client address and the household / case asked for after this
# many failures, for this long (core.lockouts).
HOUSEHOLD_LOOKUP_MAX_FAILURES = env.int("HOUSEHOLD_LOOKUP_MAX_FAILURES", default=5)
HOUSEHOLD_LOOKUP_WINDOW_SECONDS = env.int("HOUSEHOLD_LOOKUP_WINDOW_SECONDS", default=900)
# --- end Shared state --------------------------------------------------------------------------

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # core.permissions: who may take which action, as rules predicates.
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the user's groups and district with the user (one query
    # per request instead of three). Sessions started under Django's own path end at deploy.
    "core.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Pinyin names with years, keyboard runs (issue 15).
    {"NAME": "core.passwords.ChineseWeakPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database so that logout ends them on the server; they end
# after 30 idle minutes: core.middleware.IdleSessionMiddleware pushes the expiry forward
# (one write a minute at most while the user is active).
# Django's database sessions, each write one statement (core.sessions).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False  # core.middleware.IdleSessionMiddleware renews it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Failed logins lock out one username from one address, so that a single proxy
# address cannot be used to lock out the whole office.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# The client's address for the login and look-up lockouts (issue 15): PROXY_COUNT reverse
# proxies stand in front, and core.http.client_address reads X-Forwarded-For only that deep.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"

LANGUAGE_CODE = "zh-hans"
# Digits grouped by three with commas in every table (config/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
# The office works in Simplified Chinese only: the project's own texts have no other
# translation, so a second language would only turn Django's own messages (form errors, the
# admin) into it and mix two languages on one page for a browser that prefers it.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# --- Files (issue 15) ---------------------------------------------------------------------------
# Uploaded and generated files (household archives, agreements, reports) are private: they are
# only ever served by the access-checked views (streamed), never at a public URL, in any mode.
# With several web nodes or workers on other machines they must live in a shared object store:
# STORAGE_URL (config/storage.py) puts them in an S3-compatible bucket; unset, on local disk.
STORAGE_URL = env("STORAGE_URL", default="")
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(STORAGE_URL)}
        if STORAGE_URL
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# --- end Files -----------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")
# The address people use to reach the site, for links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Security headers. HSTS is sent on every HTTPS response; the SSL redirect can be
# turned off when a proxy in front terminates TLS and redirects by itself.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Celery. Without a broker URL tasks run in-process (eagerly), so a laptop needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None,
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# --- Jobs: recovery from a dead worker or broker (issue 15) -----------------------------------
# A job is acknowledged only after it ran, so a job whose worker dies is delivered again;
# every task must therefore be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed pool process: requeued at once
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits: the longest job is the annual report build (demo year 2022, measured: 6-8 s on a
# busy 2-core machine, 2.6 s of CPU); the limits leave it a 15x margin and stop a job that hangs.
JOBS_SOFT_TIME_LIMIT_SECONDS = env.int("JOBS_SOFT_TIME_LIMIT_SECONDS", default=120)
JOBS_TIME_LIMIT_SECONDS = env.int("JOBS_TIME_LIMIT_SECONDS", default=150)
CELERY_TASK_SOFT_TIME_LIMIT = JOBS_SOFT_TIME_LIMIT_SECONDS
CELERY_TASK_TIME_LIMIT = JOBS_TIME_LIMIT_SECONDS
# Redis redelivers a job whose worker vanished (machine or whole worker killed) once it has
# been unacknowledged this long. It must exceed the hard time limit, or a job still running
# would be delivered to a second worker; every worker sweeps for such jobs every 10 s.
JOBS_VISIBILITY_TIMEOUT_SECONDS = env.int("JOBS_VISIBILITY_TIMEOUT_SECONDS", default=180)
# A run that has not moved for this long is queued again once by the beat sweep, then failed.
# Longer than the visibility timeout, so that Redis's own redelivery comes first.
JOBS_STALLED_MINUTES = env.int("JOBS_STALLED_MINUTES", default=5)
# Fail fast when the broker is down: the user gets a page within seconds instead of a hung one.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 1}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": JOBS_VISIBILITY_TIMEOUT_SECONDS,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 3,
    # A broker that vanishes without closing the connection, or hangs, must not hang a page:
    # measured, a send to a Redis that accepts but never answers gives up after this long.
    "socket_timeout": 4,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_REDIS_SOCKET_TIMEOUT = 10
# --- end Jobs ----------------------------------------------------------------------------------

CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-reports": {
        "task": "budget.tasks.requeue_stalled_reports",
        "schedule": timedelta(minutes=1),
    },
    "clear-expired-sessions": {
        "task": "core.tasks.clear_expired_sessions",
        "schedule": timedelta(hours=24),
    },
    "daily-deadline-digest": {
        "task": "projects.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "check-compensation-ledgers": {
        "task": "compensation.tasks.check_ledgers",
        "schedule": crontab(hour=2, minute=0),
    },
    "publish-fund-hashes": {
        "task": "compensation.tasks.publish_fund_hashes",
        "schedule": crontab(hour=0, minute=10),
    },
    "appraisers-prepare-quarterly-credit-list": {
        "task": "appraisers.tasks.prepare_quarterly_credit_list",
        "schedule": crontab(minute=0, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
    },
}

# Legal clocks (DESIGN.md, "The legal workflow"). Lengths follow the law by default and can be
# changed here if a local rule differs; dates are computed by core.deadlines.
LEGAL_CLOCKS = {
    # 行政复议法: reconsideration may be requested within 60 days of service.
    "RECONSIDERATION_DAYS": env.int("CLOCK_RECONSIDERATION_DAYS", default=60),
    # 行政诉讼法 art. 46: a suit within 6 months; art. 45: 15 days after a reconsideration decision.
    "SUIT_MONTHS": env.int("CLOCK_SUIT_MONTHS", default=6),
    "SUIT_AFTER_RECONSIDERATION_DAYS": env.int("CLOCK_SUIT_AFTER_RECONSIDERATION_DAYS", default=15),
    # 行政复议法 art. 20 para. 3 and 行政诉讼法解释 art. 64: when the decision did not state the
    # household's rights and periods, each window is at most one year from service.
    "RECONSIDERATION_UNTOLD_MONTHS": env.int("CLOCK_RECONSIDERATION_UNTOLD_MONTHS", default=12),
    "SUIT_UNTOLD_MONTHS": env.int("CLOCK_SUIT_UNTOLD_MONTHS", default=12),
    # 行政复议法 art. 30: the review body examines an application within 5 (working) days and
    # is taken to have accepted it when that lapses; art. 62: it decides within 60 days of
    # acceptance, extendable by at most 30.
    "REVIEW_ACCEPTANCE_WORKING_DAYS": env.int("CLOCK_REVIEW_ACCEPTANCE_WORKING_DAYS", default=5),
    "REVIEW_DAYS": env.int("CLOCK_REVIEW_DAYS", default=60),
    # 行政诉讼法解释 art. 153: a final judgment is enforced on an application within 2 years.
    "ENFORCEMENT_AFTER_JUDGMENT_MONTHS": env.int(
        "CLOCK_ENFORCEMENT_AFTER_JUDGMENT_MONTHS", default=24
    ),
    # 行政强制法 art. 54: the warning is served at least 10 days before applying to the court.
    "WARNING_DAYS": env.int("CLOCK_WARNING_DAYS", default=10),
    # 行政强制法 art. 53: apply within 3 months after the suit window closes.
    "ENFORCEMENT_APPLICATION_MONTHS": env.int("CLOCK_ENFORCEMENT_APPLICATION_MONTHS", default=3),
    # Objections raised in a 一榜/二榜 period are answered within this many days.
    "OBJECTION_ANSWER_DAYS": env.int("CLOCK_OBJECTION_ANSWER_DAYS", default=10),
}
# Social stability risk: the share of surveyed households opposed (percent) from which the
# risk is medium, and high. A project with a high risk cannot get its expropriation decision.
RISK_MEDIUM_FROM_PERCENT = env.int("RISK_MEDIUM_FROM_PERCENT", default=10)
RISK_HIGH_FROM_PERCENT = env.int("RISK_HIGH_FROM_PERCENT", default=30)
# Appraisal firms: the lowest credit grade a firm may hold to be a candidate, how many
# candidates a selection publishes at least, and the share of households a negotiated
# choice must exceed.
APPRAISER_MIN_GRADE = env("APPRAISER_MIN_GRADE", default="B")
APPRAISER_MIN_CANDIDATES = env.int("APPRAISER_MIN_CANDIDATES", default=3)
APPRAISER_NEGOTIATION_MIN_SHARE = env("APPRAISER_NEGOTIATION_MIN_SHARE", default="0.5")
# Petitions (信访工作条例, 2022): accept within 15 days of receipt; reply within 60 days of
# acceptance, extendable once by up to 30; review (复查) and second review (复核) each
# requested within 30 days and answered within 30. Look-ups lock after 5 failures.
PETITION_ACCEPT_DAYS = env.int("PETITION_ACCEPT_DAYS", default=15)
PETITION_REPLY_DAYS = env.int("PETITION_REPLY_DAYS", default=60)
PETITION_EXTENSION_MAX_DAYS = env.int("PETITION_EXTENSION_MAX_DAYS", default=30)
PETITION_REVIEW_REQUEST_DAYS = env.int("PETITION_REVIEW_REQUEST_DAYS", default=30)
PETITION_REVIEW_DAYS = env.int("PETITION_REVIEW_DAYS", default=30)
PETITION_RECHECK_REQUEST_DAYS = env.int("PETITION_RECHECK_REQUEST_DAYS", default=30)
PETITION_RECHECK_DAYS = env.int("PETITION_RECHECK_DAYS", default=30)
PETITION_DUE_SOON_DAYS = env.int("PETITION_DUE_SOON_DAYS", default=7)
PETITION_LOOKUP_MAX_FAILURES = env.int("PETITION_LOOKUP_MAX_FAILURES", default=5)
PETITION_LOOKUP_WINDOW_SECONDS = env.int("PETITION_LOOKUP_WINDOW_SECONDS", default=900)
# What a household sees about itself after the public look-up, besides its own record.
PUBLIC_HOUSEHOLD_SECTIONS = [
    "appraisers.public.household_section",
    "compensation.public.household_section",
    "resettlement.lookup.household_section",
]
# How far ahead the deadlines page and the daily digest look.
DEADLINES_LOOKAHEAD_DAYS = env.int("DEADLINES_LOOKAHEAD_DAYS", default=30)
DIGEST_LOOKAHEAD_DAYS = env.int("DIGEST_LOOKAHEAD_DAYS", default=7)

# The household import: a spreadsheet whose parts declare more than this unpacked is refused
# before it is parsed (a zip bomb: 209 KB can expand to 200 MB).
HOUSEHOLD_IMPORT_MAX_UNPACKED_MB = env.int("HOUSEHOLD_IMPORT_MAX_UNPACKED_MB", default=50)
# A confirmed household import of more rows than this is saved by a Celery job, with a
# progress bar on its page; smaller ones are saved within the request.
HOUSEHOLD_IMPORT_JOB_ROWS = env.int("HOUSEHOLD_IMPORT_JOB_ROWS", default=2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools log every layout step at INFO; only their problems matter.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
