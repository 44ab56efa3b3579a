"""LOG_FORMAT=json makes every log line one JSON object."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (
    "import django, logging; django.setup(); "
    "logging.getLogger('voqo.test').warning('hello %s', 'there', extra={'call_id': 'c1'})"
)


def _log_line(log_format: str) -> str:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voqo.settings",
        "LOG_FORMAT": log_format,
        "SECRET_KEY": "x" * 50,
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr.strip().splitlines()[-1]


def test_json_log_lines_carry_level_logger_message_and_extras():
    entry = json.loads(_log_line("json"))
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "voqo.test"
    assert entry["message"] == "hello there"
    assert entry["call_id"] == "c1"
    assert "time" in entry


def test_plain_logs_stay_the_default_and_a_bad_format_is_refused():
    assert _log_line("plain").endswith("WARNING voqo.test hello there")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "voqo.settings", "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be 'plain' or 'json'" in result.stderr
