"""Backups: one timestamped archive holding a consistent copy of the database and the media
files, and its restore into an empty install.

The archive (`voqo-backup-<UTC time>.tar.gz`) holds `manifest.json` (engine, row counts
of every table as copied, a SHA-256 of every media file), the database (`database.sqlite3`
copied with SQLite's online backup API, or `database.pgdump` from `pg_dump`) and `media/`.

Consistency: the database copy is one snapshot (SQLite's backup runs as one read
transaction, which in WAL mode never blocks writers; on PostgreSQL `pg_dump` uses a snapshot
exported by the transaction that counts the rows). Media files are copied after the
snapshot, so every file a copied row names was already written; files that arrive later are
left out.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why and what to do."""


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_checksums(root: Path) -> dict[str, str]:
    """Every file under `root` (relative name → SHA-256)."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _copy_media(root: Path, target: Path) -> dict[str, str]:
    """Copy every file under `root` to `target`; relative name → SHA-256 of what was copied."""
    checksums = {}
    for path in sorted(root.rglob("*")) if root.exists() else []:
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with path.open("rb") as source, destination.open("wb") as copy:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
                copy.write(chunk)
        checksums[name] = digest.hexdigest()
    return checksums


def _sqlite_tables(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def _pg_env() -> dict[str, str]:
    """libpq's environment for the default database (so no password is on a command line)."""
    db = settings.DATABASES["default"]
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db.get("NAME") or "",
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} is not installed, and Voqo needs it to back up or restore PostgreSQL. "
            "Install the PostgreSQL client tools of your server's major version (Debian: "
            "apt-get install postgresql-client), or use your database host's own backups "
            "and back up MEDIA_ROOT separately."
        )
    return path


def _copy_sqlite(target: Path) -> dict[str, int]:
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
    try:
        with sqlite3.connect(target) as copy:
            # pages=-1: the whole database in one step, one read transaction — a snapshot.
            source.backup(copy, pages=-1)
    finally:
        source.close()
    return _sqlite_tables(target)


def _dump_postgresql(target: Path) -> dict[str, int]:
    pg_dump = _require("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        # Count the rows in the snapshot pg_dump will copy: the manifest matches the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        result = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}", "-f", target],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts


def create_backup(*, directory: Path | None = None) -> Path:
    """Write one archive of the database and the media files; return its path."""
    engine = _engine()
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    archive = directory / f"voqo-backup-{stamp}.tar.gz"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="voqo-backup-") as work:
        work = Path(work)
        if engine == "sqlite":
            database_name, counts = SQLITE_NAME, _copy_sqlite(work / SQLITE_NAME)
        else:
            database_name, counts = PG_NAME, _dump_postgresql(work / PG_NAME)
        # After the snapshot: every file a copied row names exists already. Each file is
        # read once, into the archive's copy and its checksum together, so a file still being
        # written (a row not in the snapshot) can never disagree with its checksum.
        media = _copy_media(media_root, work / "media")
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "database": database_name,
            "row_counts": counts,
            "media": media,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / database_name, arcname=database_name)
            for name in media:
                tar.add(work / "media" / name, arcname=f"media/{name}")
        partial.rename(archive)  # a half-written archive never looks like a backup
    return archive


# -- restore -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreReport:
    engine: str
    tables: int
    rows: int
    media_files: int


def _install_is_empty() -> bool:
    """No tables yet, or tables without a login, a contact or a call in them."""
    tables = set(connection.introspection.table_names())
    if not tables:
        return True
    with connection.cursor() as cursor:
        for table in ("auth_user", "contacts", "calls"):
            if table in tables:
                cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')
                if cursor.fetchone():
                    return False
    return True


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError("This is not a Voqo backup: it has no readable manifest.json.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def _restore_sqlite(path: Path) -> None:
    target = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    source = sqlite3.connect(path)
    try:
        with sqlite3.connect(target) as copy:
            source.backup(copy, pages=-1)
    finally:
        source.close()


def _restore_postgresql(path: Path) -> None:
    pg_restore = _require("pg_restore")
    connections.close_all()
    result = subprocess.run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _pg_env()["PGDATABASE"],
            path,
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def restore_backup(*, archive: Path) -> RestoreReport:
    """Restore `archive` into this install, which must be empty (never overwrites data)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No backup archive at {archive}.")
    engine = _engine()
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive} is not a readable .tar.gz archive: {error}") from error
    with tar, tempfile.TemporaryDirectory(prefix="voqo-restore-") as work:
        manifest = _read_manifest(tar)
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup is of a {manifest['engine']} database and this install uses "
                f"{engine}: restore it into an install with the same database engine."
            )
        if not _install_is_empty():
            raise BackupError(
                "This install already holds data (logins, contacts or calls). Restore into "
                "an empty install: a new DATABASE_URL, or a database file that does not exist."
            )
        media_root = Path(settings.MEDIA_ROOT)
        existing = media_checksums(media_root)
        clashes = sorted(set(existing) & set(manifest["media"]))
        if clashes:
            raise BackupError(f"MEDIA_ROOT ({media_root}) already holds {clashes[0]}: empty it.")
        # The "data" filter refuses absolute paths, links out of the tree and device files.
        tar.extractall(work, filter="data")
        work = Path(work)
        if engine == "sqlite":
            _restore_sqlite(work / manifest["database"])
        else:
            _restore_postgresql(work / manifest["database"])
        restored = media_checksums(work / "media")
        if restored != manifest["media"]:
            raise BackupError("The archive's media files do not match its manifest.")
        for name in restored:
            destination = media_root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / "media" / name, destination)
    counts = manifest["row_counts"]
    return RestoreReport(
        engine=engine, tables=len(counts), rows=sum(counts.values()), media_files=len(restored)
    )
