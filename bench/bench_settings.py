"""Settings for the served benchmarks: the production settings plus one trivial view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
