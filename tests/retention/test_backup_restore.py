"""`manage.py backup` writes one archive with a consistent copy of the database and the
media files, even while Voqo keeps writing; `manage.py restore` puts it into an empty
install with identical row counts and media checksums."""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from calls.models import Call
from retention.backups import media_checksums
from tests.factories import make_call, make_contact

ROOT = Path(__file__).resolve().parents[2]
# The write-load round trip checks the copy with sqlite3; .ci/test-postgres runs the
# PostgreSQL one (test_postgresql_round_trip).
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads the SQLite copy directly"
)


def _backup(directory: Path) -> Path:
    out = StringIO()
    call_command("backup", "--output-dir", str(directory), stdout=out)
    return Path(out.getvalue().strip())


def _manage(*args, database: Path, media: Path, **extra) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voqo.settings",
        "SECRET_KEY": "x" * 50,
        "FIELD_ENCRYPTION_KEYS": "hT8pWUKUQpH8h6zm1OpAT9sWJkEhTYwqqkJXKoTgHeA=",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(media),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in tables
            if not t.startswith("sqlite_")
        }


class Writer(threading.Thread):
    """Keeps writing calls with recordings, each row and its file in one transaction."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.warmed_up = threading.Event()
        self.written = 0
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                with transaction.atomic():
                    call = make_call()
                    audio = f"audio {call.pk}".encode() * 50
                    call.recording_file.save(f"{call.pk}.mp3", ContentFile(audio), save=True)
                self.written += 1
                if self.written == 10:
                    self.warmed_up.set()
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            self.warmed_up.set()
            connection.close()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_under_write_load_restores_identical_rows_and_media(tmp_path, settings):
    for _ in range(20):
        make_contact()
    writer = Writer()
    writer.start()
    writer.warmed_up.wait(timeout=60)  # the backup copies in the middle of the writer's work
    try:
        archive = _backup(tmp_path / "backups")
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None
    assert archive.name.startswith("voqo-backup-") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["engine"] == "sqlite"
    copied_calls = manifest["row_counts"]["calls"]
    assert 10 <= copied_calls <= Call.objects.count()

    database, media = tmp_path / "restored" / "voqo.db", tmp_path / "restored" / "media"
    database.parent.mkdir()
    restored = _manage("restore", str(archive), database=database, media=media)

    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    assert _counts(database) == manifest["row_counts"]
    restored_media = media_checksums(media)
    assert restored_media == manifest["media"]
    # Every copied call's recording is there, with the same bytes as the original.
    originals = media_checksums(Path(settings.MEDIA_ROOT))
    with sqlite3.connect(database) as db:
        named = [r[0] for r in db.execute("SELECT recording_file FROM calls") if r[0]]
    assert len(named) == copied_calls
    assert all(restored_media[name] == originals[name] for name in named)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_install_that_holds_data(tmp_path):
    make_contact()
    archive = _backup(tmp_path)

    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive))


@sqlite_only
def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    result = _manage("restore", str(junk), database=tmp_path / "x.db", media=tmp_path / "m")
    assert result.returncode != 0
    assert "is not a readable .tar.gz archive" in result.stderr

    missing = _manage(
        "restore", str(tmp_path / "nope.tar.gz"), database=tmp_path / "x.db", media=tmp_path / "m"
    )
    assert "No backup archive at" in missing.stderr


def test_postgresql_without_pg_dump_gets_a_clear_message(tmp_path):
    result = _manage(
        "backup",
        "--output-dir",
        str(tmp_path),
        database=tmp_path / "unused.db",
        media=tmp_path / "m",
        DATABASE_URL="postgres://voqo:voqo@127.0.0.1:9/voqo",
        PATH=str(tmp_path),  # no pg_dump on it
    )
    assert result.returncode != 0
    assert "pg_dump is not installed" in result.stderr
    assert "apt-get install postgresql-client" in result.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pg_dump path")
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip(tmp_path, settings):
    import psycopg

    for _ in range(5):
        call = make_call()
        call.recording_file.save(f"{call.pk}.mp3", ContentFile(b"mp3" * 100), save=True)
    archive = _backup(tmp_path / "backups")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    source = settings.DATABASES["default"]
    target = f"voqo_restore_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    url = f"postgres://{source['USER']}@{source['HOST']}:{source['PORT']}/{target}"
    try:
        environment = {**os.environ, "DATABASE_URL": url}
        restored = _manage(
            "restore",
            str(archive),
            database=tmp_path / "x",
            media=tmp_path / "m",
            DATABASE_URL=url,
            PATH=environment["PATH"],
        )
        assert restored.returncode == 0, restored.stderr
        with psycopg.connect(
            host=source["HOST"], port=source["PORT"], user=source["USER"], dbname=target
        ) as db:
            counts = {
                table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in manifest["row_counts"]
            }
        assert counts == manifest["row_counts"]
        assert manifest["row_counts"]["calls"] == 5
        assert media_checksums(tmp_path / "m") == manifest["media"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
