"""STORAGE_URL → django-storages' S3 options (an S3-compatible object store: MinIO, Ceph, AWS).

    s3://KEY:SECRET@host[:port]/bucket[?region=cn-north-1]       HTTPS endpoint
    s3+http://KEY:SECRET@host[:port]/bucket                       plain HTTP (a private network)

Key and secret are URL-encoded when they hold reserved characters.
"""

from urllib.parse import parse_qs, unquote, urlsplit

# Seconds a signed URL stays valid, should a view ever hand one out instead of streaming.
SIGNED_URL_SECONDS = 300


def s3_options(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("s3", "s3+http"):
        raise ValueError(f"STORAGE_URL must start with s3:// or s3+http://, not {parts.scheme}://")
    bucket = parts.path.strip("/")
    if not bucket or not parts.hostname:
        raise ValueError("STORAGE_URL must name a host and a bucket: s3://KEY:SECRET@host/bucket")
    protocol = "http" if parts.scheme == "s3+http" else "https"
    port = f":{parts.port}" if parts.port else ""
    query = parse_qs(parts.query)
    return {
        "bucket_name": bucket,
        "endpoint_url": f"{protocol}://{parts.hostname}{port}",
        "access_key": unquote(parts.username or ""),
        "secret_key": unquote(parts.password or ""),
        "region_name": query.get("region", ["us-east-1"])[0],
        "addressing_style": "path",  # MinIO and most self-hosted servers
        "signature_version": "s3v4",
        # Private: no public-read ACL, every URL signed and short-lived; our views stream
        # files after their access check, so browsers never need to reach the bucket at all.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        # As on disk: a new upload with a taken name gets another name, never overwrites.
        "file_overwrite": False,
    }
