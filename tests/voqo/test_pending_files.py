"""Uploaded files waiting between preview and confirmation (contacts, listings, campaigns)."""

import os
import time

import pytest

from voqo.pending_files import MAX_AGE_SECONDS, PendingFiles


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_stored_upload_is_found_by_its_token_until_discarded(media):
    store = PendingFiles("imports", "contacts")

    token = store.store(iter([b"Name,Mobile\n", b"Jo,0412 345 678\n"]))

    path = store.path(token)
    assert path == media / "imports" / "contacts" / f"{token}.csv"
    assert path.read_bytes() == b"Name,Mobile\nJo,0412 345 678\n"
    store.discard(token)
    assert store.path(token) is None
    store.discard(token)  # twice is harmless


@pytest.mark.parametrize("token", ["", "abc", "../../etc/passwd", "a" * 100, "tok en" * 5])
def test_malformed_or_unknown_tokens_find_nothing(media, token):
    store = PendingFiles("uploads")
    store.store(iter([b"x\n"]))

    assert store.path(token) is None
    assert store.path("A" * 32) is None  # well formed, never stored


def test_uploads_of_different_kinds_never_see_each_other(media):
    contacts, listings = PendingFiles("imports", "contacts"), PendingFiles("imports", "listings")

    token = listings.store(iter([b"address\n"]))

    assert listings.path(token) is not None
    assert contacts.path(token) is None


def test_storing_a_file_removes_abandoned_ones_over_a_day_old(media):
    store = PendingFiles("uploads")
    abandoned, recent = store.store(iter([b"old\n"])), store.store(iter([b"new\n"]))
    day_old = time.time() - MAX_AGE_SECONDS - 60
    os.utime(store.path(abandoned), (day_old, day_old))

    store.store(iter([b"next\n"]))

    assert store.path(abandoned) is None
    assert store.path(recent) is not None
