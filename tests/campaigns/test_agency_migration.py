"""Upgrading an install that predates agencies: its campaign rows move into the first agency."""

from django.db import connection

BEFORE = [("campaigns", "0005_window_region_keys"), ("agencies", "0002_default_agency")]
AFTER = [("campaigns", "0006_agency_on_every_row")]


def _without_agencies() -> None:
    """An install that predates agencies: no agency, so nothing (settings, members) of one.
    Raw SQL: the tables are as the latest migrations left them, not as `BEFORE` describes."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, "settings")
        ]
        if "agency_id" in columns:
            cursor.execute("DELETE FROM settings WHERE agency_id IS NOT NULL")
        for table in ("memberships", "invitations", "agencies"):
            if table in tables:
                cursor.execute(f"DELETE FROM {table}")


def test_existing_campaign_rows_move_into_the_first_agency(migrator):
    apps = migrator(BEFORE)
    Agency = apps.get_model("agencies", "Agency")
    _without_agencies()
    first = Agency.objects.create(name="Harbour Realty", slug="harbour-realty")
    Agency.objects.create(name="Inland Realty", slug="inland-realty")
    campaign = apps.get_model("campaigns", "Campaign").objects.create(name="Spring")
    upload = apps.get_model("campaigns", "Upload").objects.create(
        campaign=campaign, filename="list.csv"
    )
    row = apps.get_model("campaigns", "BatchContact").objects.create(
        upload=upload, phone="+61412345678"
    )
    job = apps.get_model("campaigns", "Job").objects.create(campaign=campaign, upload=upload)
    apps.get_model("campaigns", "JobCall").objects.create(job=job, batch_contact=row)

    apps = migrator(AFTER)

    for name in ["Campaign", "Upload", "BatchContact", "Job", "JobCall"]:
        model = apps.get_model("campaigns", name)
        assert list(model.objects.values_list("agency_id", flat=True)) == [first.pk], name


def test_an_install_without_campaigns_gets_no_agency_from_this_migration(migrator):
    apps = migrator(BEFORE)
    _without_agencies()

    apps = migrator(AFTER)

    assert not apps.get_model("agencies", "Agency").objects.exists()
