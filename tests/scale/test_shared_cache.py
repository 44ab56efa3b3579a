"""With REDIS_URL every web and worker process shares one cache, so clearing a cached value
(a called number's owner, an agency's settings) in one process clears it in all of them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (make test-postgres)")


def _in_a_process(code: str) -> str:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "voqo.settings",
        "REDIS_URL": settings.REDIS_URL,
    }
    output = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return output.stdout.strip()


def test_a_value_cleared_in_one_process_is_gone_in_another():
    key = f"scale-test-{uuid.uuid4().hex}"
    setup = "from django.core.cache import cache; "

    _in_a_process(setup + f"cache.set({key!r}, 'cached', 60)")
    assert _in_a_process(setup + f"print(cache.get({key!r}))") == "cached"
    _in_a_process(setup + f"cache.delete({key!r})")
    assert _in_a_process(setup + f"print(cache.get({key!r}))") == "None"
