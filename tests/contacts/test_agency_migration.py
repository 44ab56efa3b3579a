"""Upgrading a one-agency install: its contacts, memories, suppressed numbers and import
mappings move into the first agency."""

import uuid

from django.utils import timezone

AGENCIES = ("agencies", "0002_default_agency")
BEFORE = [("contacts", "0005_suppressed_numbers"), AGENCIES]
AFTER = [("contacts", "0006_scope_to_agency"), AGENCIES]


def test_existing_rows_move_into_the_first_agency(migrator):
    apps = migrator(BEFORE)
    Agency = apps.get_model("agencies", "Agency")
    Agency.objects.all().delete()
    first = Agency.objects.create(name="Harbour Realty", slug="harbour-realty")
    Agency.objects.create(name="Later Agency", slug="later")
    Contact = apps.get_model("contacts", "Contact")
    priya = Contact.objects.create(id=uuid.uuid4(), name="Priya", phone="+61412345678")
    apps.get_model("contacts", "Memory").objects.create(
        id=uuid.uuid4(), contact=priya, content="Budget around $1.8M"
    )
    apps.get_model("contacts", "SuppressedNumber").objects.create(
        id=uuid.uuid4(), phone="+61499000111", suppressed_at=timezone.now(), source="sms"
    )
    apps.get_model("contacts", "ImportMapping").objects.create(
        id=uuid.uuid4(), kind="contacts", headers_key="k" * 64, headers=["a"], roles=["name"]
    )

    apps = migrator(AFTER)

    for name in ("Contact", "Memory", "SuppressedNumber", "ImportMapping"):
        agency_ids = set(apps.get_model("contacts", name).objects.values_list("agency", flat=True))
        assert agency_ids == {first.pk}, name


def test_an_empty_install_migrates_without_making_an_agency(migrator):
    apps = migrator(BEFORE)
    apps.get_model("agencies", "Agency").objects.all().delete()

    apps = migrator(AFTER)

    assert not apps.get_model("agencies", "Agency").objects.exists()
