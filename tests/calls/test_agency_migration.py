"""Upgrading a one-agency install: its calls, SMS and webhook events move into that agency."""

BEFORE = [("calls", "0006_call_window_override"), ("agencies", "0002_default_agency")]
AFTER = [("calls", "0007_agency_on_calls_events_and_sms"), ("agencies", "0002_default_agency")]


def test_existing_calls_sms_and_events_move_into_the_first_agency(migrator):
    apps = migrator(BEFORE)
    Agency = apps.get_model("agencies", "Agency")
    first = Agency.objects.order_by("created_at").first() or Agency.objects.create(
        name="Harbour Realty", slug="harbour-realty"
    )
    Agency.objects.create(name="Later office", slug="later-office")
    Call = apps.get_model("calls", "Call")
    call = Call.objects.create(
        direction="inbound", status="completed", from_phone="+61412345678", to_phone="+6128"
    )
    apps.get_model("calls", "SmsMessage").objects.create(
        direction="outbound", call=call, from_phone="+6128", to_phone="+61412345678", sid="SM1"
    )
    apps.get_model("calls", "WebhookEvent").objects.create(
        event_type="post_call_transcription", conversation_id="conv_old", payload={}
    )

    apps = migrator(AFTER)

    for name in ("Call", "SmsMessage", "WebhookEvent"):
        model = apps.get_model("calls", name)
        assert list(model.objects.values_list("agency_id", flat=True)) == [first.pk], name


def test_an_empty_install_migrates_without_inventing_an_agency(migrator):
    apps = migrator(BEFORE)
    Agency = apps.get_model("agencies", "Agency")
    before = set(Agency.objects.values_list("pk", flat=True))

    apps = migrator(AFTER)

    assert set(apps.get_model("agencies", "Agency").objects.values_list("pk", flat=True)) == before
