"""The production files agree with each other (there is no Docker engine here to run them)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_image_installs_exactly_the_runtime_debian_packages_of_the_list():
    listed = set()
    for line in (ROOT / "scripts/apt-packages.txt").read_text().splitlines():
        words = line.split()
        if words and not words[0].startswith("#") and "test" not in words[1:]:
            listed.add(words[0])
    install = re.search(
        r"apt-get install -y --no-install-recommends \\\s*\n\s*(.+?)\s*\\",
        (ROOT / "Dockerfile").read_text(),
    )
    assert set(install.group(1).split()) == listed


def test_two_web_replicas_stand_behind_the_proxy_and_share_database_redis_and_bucket():
    services = compose()["services"]
    upstream = (ROOT / "deploy/nginx.conf").read_text()
    webs = [name for name, service in services.items() if "gunicorn" in str(service.get("command"))]
    assert webs == ["web1", "web2"]
    for name in webs:
        assert f"server {name}:8000" in upstream
        assert "ports" not in services[name]  # reached through the proxy only
    assert services["proxy"]["image"].startswith("nginx")
    for name in [*webs, "worker", "beat", "migrate"]:
        environment = services[name]["environment"]
        assert environment["CACHE_URL"].startswith("redis://redis:")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert (
            environment["STORAGE_URL"].startswith("s3+http://")
            and "@minio:9000/" in (environment["STORAGE_URL"])
        )
        assert environment["PROXY_COUNT"] == "${PROXY_COUNT:-1}"
    assert "create_media_bucket" in " ".join(services["migrate"]["command"])


def test_the_proxy_serves_no_stored_file_and_passes_one_forwarded_hop():
    config = (ROOT / "deploy/nginx.conf").read_text()
    assert "/media" not in config.replace("# /media/", "")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config


def test_the_image_gets_no_secret_or_local_data_from_the_build_folder(tmp_path):
    """docker build sends the folder beside docker-compose.yml, where README puts .env and the
    TLS key: .dockerignore (read with Docker's own matching, docker-py) keeps them out."""
    from docker.utils.build import exclude_paths

    kept_out = [
        ".env",
        "deploy/certs/privkey.pem",
        "media/households/2026/11/证.pdf",
        "db.sqlite3",
        ".venv/bin/python",
        ".git/config",
        "core/__pycache__/models.cpython-311.pyc",
    ]
    shipped = ["manage.py", "config/settings.py", "deploy/nginx.conf", "static/css/app.css"]
    for name in [*kept_out, *shipped]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    context = set(exclude_paths(str(tmp_path), patterns, dockerfile="Dockerfile"))
    assert context.isdisjoint(kept_out)
    assert context.issuperset(shipped)
