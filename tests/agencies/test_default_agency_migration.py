"""Upgrading an install that predates agencies: one agency, named from its settings, owned
by its staff."""

SETTINGS_BEFORE_AGENCIES = ("voqo", "0005_sms_template_for_both_directions")
BEFORE = [("agencies", "0001_agencies_and_memberships"), SETTINGS_BEFORE_AGENCIES]
AFTER = [("agencies", "0002_default_agency"), SETTINGS_BEFORE_AGENCIES]


def test_one_agency_is_created_from_the_settings_with_staff_as_owners(migrator):
    apps = migrator(BEFORE)
    apps.get_model("agencies", "Agency").objects.all().delete()
    Setting = apps.get_model("voqo", "Setting")
    Setting.objects.update_or_create(key="agency_name", defaults={"value": "Harbour Realty"})
    Setting.objects.update_or_create(key="time_zone", defaults={"value": "Australia/Perth"})
    User = apps.get_model("auth", "User")
    User.objects.create(username="staff", is_staff=True)
    User.objects.create(username="root", is_superuser=True)
    User.objects.create(username="visitor")

    apps = migrator(AFTER)

    Agency = apps.get_model("agencies", "Agency")
    agency = Agency.objects.get()
    assert (agency.name, agency.slug, agency.time_zone) == (
        "Harbour Realty",
        "harbour-realty",
        "Australia/Perth",
    )
    owners = apps.get_model("agencies", "Membership").objects.filter(agency=agency, role="owner")
    assert sorted(owners.values_list("user__username", flat=True)) == ["root", "staff"]


def test_without_settings_the_agency_is_called_my_agency(migrator):
    apps = migrator(BEFORE)
    apps.get_model("agencies", "Agency").objects.all().delete()
    apps.get_model("voqo", "Setting").objects.filter(key__in=["agency_name", "time_zone"]).delete()

    apps = migrator(AFTER)

    agency = apps.get_model("agencies", "Agency").objects.get()
    assert (agency.name, agency.slug, agency.time_zone) == (
        "My agency",
        "my-agency",
        "Australia/Sydney",
    )


def test_an_install_that_already_has_an_agency_gets_no_second_one(migrator):
    apps = migrator(BEFORE)
    Agency = apps.get_model("agencies", "Agency")
    Agency.objects.all().delete()
    Agency.objects.create(name="Existing", slug="existing")

    apps = migrator(AFTER)

    assert list(apps.get_model("agencies", "Agency").objects.values_list("slug", flat=True)) == [
        "existing"
    ]


def test_settings_move_into_the_agency_and_webhook_sightings_stay_install_wide(migrator):
    apps = migrator(BEFORE)
    apps.get_model("agencies", "Agency").objects.all().delete()
    Setting = apps.get_model("voqo", "Setting")
    Setting.objects.all().delete()
    Setting.objects.create(key="agency_name", value="Harbour Realty")
    Setting.objects.create(key="sms_enabled", value=False)
    Setting.objects.create(key="last_seen:post_call", value={"at": "2026-03-01T00:00:00+00:00"})
    Setting.objects.create(key="connection_check", value={"checks": []})

    apps = migrator([("voqo", "0006_settings_per_agency")])

    agency = apps.get_model("agencies", "Agency").objects.get()
    Setting = apps.get_model("voqo", "Setting")
    assert agency.name == "Harbour Realty"
    assert dict(Setting.objects.filter(agency=agency).values_list("key", "value")) == {
        "sms_enabled": False
    }
    assert set(Setting.objects.filter(agency__isnull=True).values_list("key", flat=True)) == {
        "last_seen:post_call",
        "connection_check",
    }
