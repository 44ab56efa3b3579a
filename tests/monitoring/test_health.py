"""/health checks the database, the queue's broker and the worker's heartbeat, and answers
503 naming the failing part."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from monitoring.heartbeat import EXPECTED_SINCE_KEY, HEARTBEAT_KEY
from voqo.models import Setting

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_worker_check(settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = 300
    settings.WORKER_HEARTBEAT_GRACE = 900


def test_all_well_answers_200_with_each_part(client, strict_worker_check):
    async_task("monitoring.tasks.heartbeat")  # tests run tasks inline: the worker beats

    response = client.get(reverse("health"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker"}
    assert body["checks"]["worker"]["detail"].startswith("ok (heartbeat")


def test_a_stale_heartbeat_answers_503_naming_the_worker(client, strict_worker_check):
    with time_machine.travel(timezone.now() - timedelta(minutes=6)):
        async_task("monitoring.tasks.heartbeat")

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["status"] == "failing: worker"
    assert "is qcluster running?" in response.json()["checks"]["worker"]["detail"]


def test_a_worker_that_never_beat_fails_once_the_grace_period_is_over(client, strict_worker_check):
    Setting.objects.filter(key=HEARTBEAT_KEY).delete()
    Setting.set_install_value(EXPECTED_SINCE_KEY, timezone.now().isoformat())
    assert client.get(reverse("health")).status_code == 200  # just migrated: starting

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["detail"] == (
        "no heartbeat yet (is qcluster running?)"
    )


def test_an_unreachable_redis_broker_answers_503_naming_the_broker(client, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:9/0"}
    settings.Q_CLUSTER.pop("orm", None)
    settings.Q_CLUSTER.pop("broker_class", None)  # voqo/settings.py sets none with Redis
    from django_q.conf import Conf

    saved = Conf.DJANGO_REDIS, Conf.REDIS, Conf.ORM, Conf.BROKER_CLASS
    Conf.DJANGO_REDIS, Conf.REDIS, Conf.ORM = None, "redis://127.0.0.1:9/0", None
    Conf.BROKER_CLASS = None
    try:
        response = client.get(reverse("health"))
    finally:
        Conf.DJANGO_REDIS, Conf.REDIS, Conf.ORM, Conf.BROKER_CLASS = saved

    assert response.status_code == 503
    assert response.json()["status"] == "failing: broker"
    assert response.json()["checks"]["broker"]["detail"].startswith("redis broker unreachable")


def test_the_heartbeat_schedule_runs_every_minute():
    call_command("migrate", "django_q", verbosity=0)
    schedule = Schedule.objects.get(func="monitoring.tasks.heartbeat")
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1
