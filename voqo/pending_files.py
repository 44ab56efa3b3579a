"""Uploaded files kept on disk between their preview and their confirmation.

A CSV import (contacts, listings, a campaign's list) is uploaded, previewed and mapped, then
confirmed: several requests, possibly served by different web processes, so the file waits
under MEDIA_ROOT (shared by every process: README "Scaling out") named by an unguessable
token. Files left by abandoned previews are removed once a day old, whenever another file of
the same kind is stored.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

MAX_AGE_SECONDS = 24 * 3600
# token_urlsafe(24) gives 32 characters; older stores used 32 hex digits, also accepted.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class PendingFiles:
    """One kind of pending upload, in its own directory under MEDIA_ROOT."""

    def __init__(self, *directory: str) -> None:
        self._directory = directory

    @property
    def directory(self) -> Path:
        # Read at each use: MEDIA_ROOT is a setting (tests point it elsewhere).
        return Path(settings.MEDIA_ROOT, *self._directory)

    def store(self, chunks: Iterable[bytes]) -> str:
        """Write the upload's chunks to disk; returns its token."""
        directory = self.directory
        directory.mkdir(parents=True, exist_ok=True)
        self._remove_stale(directory)
        token = secrets.token_urlsafe(24)
        with open(directory / f"{token}.csv", "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        return token

    def path(self, token: str) -> Path | None:
        """The stored upload for `token`, or None (unknown, expired or malformed token)."""
        if not _TOKEN.match(token or ""):
            return None
        path = self.directory / f"{token}.csv"
        return path if path.is_file() else None

    def discard(self, token: str) -> None:
        path = self.path(token)
        if path is not None:
            path.unlink(missing_ok=True)

    @staticmethod
    def _remove_stale(directory: Path) -> None:
        cutoff = time.time() - MAX_AGE_SECONDS
        for old in directory.glob("*.csv"):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
            except FileNotFoundError:
                pass  # another process removed it first
