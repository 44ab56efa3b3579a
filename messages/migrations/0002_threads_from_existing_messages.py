"""One thread per (agency, number) for the SMS stored before threads existed, all read."""

from django.db import migrations


def build_threads(apps, schema_editor):
    SmsMessage = apps.get_model("calls", "SmsMessage")
    Thread = apps.get_model("sms_threads", "Thread")
    latest = {}
    rows = SmsMessage.objects.order_by("created_at").values_list(
        "agency_id", "direction", "from_phone", "to_phone", "contact_id", "body", "created_at"
    )
    for agency_id, direction, from_phone, to_phone, contact_id, body, created_at in rows.iterator():
        phone = from_phone if direction == "inbound" else to_phone
        previous = latest.get((agency_id, phone))
        latest[(agency_id, phone)] = Thread(
            agency_id=agency_id,
            phone=phone,
            contact_id=contact_id or (previous.contact_id if previous else None),
            last_message_at=created_at,
            last_body=body[:200],
            last_direction=direction,
            unread_count=0,
        )
    Thread.objects.bulk_create(latest.values(), batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("sms_threads", "0001_threads_and_templates"),
        ("calls", "0008_result_unknown_and_sms_thread_indexes"),
    ]

    operations = [migrations.RunPython(build_threads, migrations.RunPython.noop)]
