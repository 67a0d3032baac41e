"""Create the object-store bucket STORAGE_URL names, if it does not exist yet (safe to repeat).

Exit status 0 when the bucket exists afterwards (or files are on local disk), 1 with the
store's error on stderr otherwise."""

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the media bucket named by STORAGE_URL (no-op for local disk)."

    def handle(self, *args, **options):
        bucket_name = getattr(default_storage, "bucket_name", None)
        if bucket_name is None:
            self.stdout.write("文件保存在本机磁盘，无需创建存储桶。")
            return
        client = default_storage.connection.meta.client
        try:
            existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
            if bucket_name not in existing:
                client.create_bucket(Bucket=bucket_name)
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"Cannot create bucket {bucket_name}: {error}") from error
        self.stdout.write(f"存储桶 {bucket_name} 已就绪。")
