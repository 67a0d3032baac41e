.PHONY: run test

# Set up and serve the app with demo data (SQLite, in-process Celery by default).
run:
	scripts/run

# The whole test suite on real PostgreSQL, Redis and Chromium.
test:
	scripts/test
