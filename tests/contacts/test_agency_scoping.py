"""Contacts belong to an agency: another agency's ids are not found, a read-only member
changes nothing, one number can be a contact of two agencies, and a STOP is per agency."""

import io

import pytest
from django.urls import reverse

from agencies.models import Membership
from calls.models import Call
from contacts.imports import import_contacts_csv
from contacts.models import Contact, ImportMapping, Memory, SuppressedNumber
from contacts.opt_out import is_suppressed, opt_in_number, opt_out_number, suppressed_numbers
from tests.factories import (
    default_agency,
    make_agency,
    make_agent,
    make_contact,
    make_memory,
    make_staff_user,
)

pytestmark = pytest.mark.django_db
PHONE = "+61412345678"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def other_agency():
    return make_agency(name="Coastal Homes")


@pytest.fixture
def theirs(other_agency):
    """A contact with a memory in another agency than the test user's."""
    contact = make_contact(agency=other_agency, name="Their Priya", phone=PHONE)
    return contact, make_memory(contact, "Their secret budget")


def member_client(client, *, role: str, agency=None, username: str = "member"):
    user = make_staff_user(username, PASSWORD, agency=agency or default_agency(), role=role)
    client.force_login(user)
    return client


def contact_urls(contact, memory) -> list[tuple[str, str]]:
    """(method, url) of every contacts page that takes an object id."""
    c, m = contact.id, memory.id
    return [
        ("get", reverse("contacts:detail", args=[c])),
        ("get", reverse("contacts:card", args=[c])),
        ("get", reverse("contacts:edit", args=[c])),
        ("post", reverse("contacts:edit", args=[c])),
        ("get", reverse("contacts:delete", args=[c])),
        ("post", reverse("contacts:delete", args=[c])),
        ("post", reverse("contacts:opt_out", args=[c])),
        ("post", reverse("contacts:opt_in", args=[c])),
        ("post", reverse("contacts:call", args=[c])),
        ("post", reverse("contacts:memory_add", args=[c])),
        ("get", reverse("contacts:memory", args=[c, m])),
        ("get", reverse("contacts:memory_edit", args=[c, m])),
        ("post", reverse("contacts:memory_edit", args=[c, m])),
        ("get", reverse("contacts:memory_delete", args=[c, m])),
        ("post", reverse("contacts:memory_delete", args=[c, m])),
    ]


# --- Another agency's ids --------------------------------------------------------------


def test_every_contact_page_answers_404_for_another_agencys_ids(client, theirs):
    member_client(client, role=Membership.Role.OWNER)
    contact, memory = theirs
    for method, url in contact_urls(contact, memory):
        data = {"name": "Hijacked", "phone": "0499 000 111", "content": "x", "agent": "1"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, (method, url)
        assert b"Their Priya" not in response.content
    contact.refresh_from_db()
    assert contact.name == "Their Priya" and not contact.is_opted_out
    assert Memory.objects.filter(pk=memory.pk, content="Their secret budget").exists()


def test_a_memory_under_another_agencys_contact_is_not_found_through_ones_own(client, theirs):
    member_client(client, role=Membership.Role.OWNER)
    mine = make_contact(name="Mine")
    _, memory = theirs
    for name in ("memory", "memory_edit", "memory_delete"):
        url = reverse(f"contacts:{name}", args=[mine.id, memory.id])
        assert client.get(url).status_code == 404


def test_lists_search_tags_and_export_show_only_the_current_agency(client, theirs):
    member_client(client, role=Membership.Role.READ_ONLY)
    make_contact(name="Our Sam", phone="+61413000001", tags=["ours"])
    make_contact(agency=theirs[0].agency, name="Their Tom", phone="+61413000002", tags=["theirs"])

    page = client.get(reverse("contacts:list"))
    assert [c.name for c in page.context["page"].object_list] == ["Our Sam"]
    assert page.context["known_tags"] == ["ours"]
    assert not client.get(reverse("contacts:list"), {"q": "0412 345 678"}).context["page"]
    export = b"".join(client.get(reverse("contacts:export")).streaming_content).decode()
    assert "Our Sam" in export and "Their" not in export


def test_the_list_costs_the_same_queries_for_many_contacts(
    client, other_agency, django_assert_max_num_queries
):
    member_client(client, role=Membership.Role.STAFF)
    for n in range(3):
        make_contact(name=f"Ours {n}")
        make_contact(agency=other_agency, name=f"Theirs {n}")
    client.get(reverse("contacts:list"))  # warms the tag cache
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("contacts:list"))
    for n in range(3, 30):
        make_contact(name=f"Ours {n}")
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("contacts:list"))


# --- Roles -----------------------------------------------------------------------------


def test_a_read_only_member_is_refused_every_change(client):
    member_client(client, role=Membership.Role.READ_ONLY)
    contact = make_contact(name="Priya", phone=PHONE)
    memory = make_memory(contact, "Budget around $1.8M")
    changes = [(m, u) for m, u in contact_urls(contact, memory) if m == "post"] + [
        ("get", reverse("contacts:add")),
        ("post", reverse("contacts:add")),
        ("get", reverse("contacts:call_number")),
        ("post", reverse("contacts:call_number")),
        ("get", reverse("contacts:import")),
        ("post", reverse("contacts:import")),
        ("post", reverse("contacts:import_map", args=["0" * 32])),
    ]
    for method, url in changes:
        data = {"name": "Changed", "phone": "0499 000 111", "content": "x"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, (method, url)
    contact.refresh_from_db()
    assert contact.name == "Priya" and not contact.is_opted_out
    assert Memory.objects.filter(pk=memory.pk).exists()


def test_a_read_only_member_sees_a_contact_without_change_buttons(client):
    member_client(client, role=Membership.Role.READ_ONLY)
    contact = make_contact(name="Priya", phone=PHONE)
    make_memory(contact, "Budget around $1.8M")

    html = client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert "Priya" in html and "Budget around $1.8M" in html
    assert "Edit details" not in html and "Delete contact" not in html
    assert "Mark as opted out" not in html and "Add memory" not in html
    assert "read-only" in html
    listing = client.get(reverse("contacts:list")).content.decode()
    assert "Export CSV" in listing
    assert "Add contact" not in listing and "Import CSV" not in listing


def test_a_staff_member_may_add_edit_and_opt_out(client):
    member_client(client, role=Membership.Role.STAFF)
    response = client.post(reverse("contacts:add"), {"name": "Priya", "phone": "0412 345 678"})
    contact = Contact.objects.get()
    assert response.status_code == 302 and contact.agency == default_agency()
    client.post(reverse("contacts:opt_out", args=[contact.id]))
    assert SuppressedNumber.objects.get().agency == default_agency()
    client.post(reverse("contacts:memory_add", args=[contact.id]), {"content": "Likes dogs"})
    assert Memory.objects.get().agency == default_agency()


# --- One number, two agencies -----------------------------------------------------------


def test_a_number_another_agency_has_can_be_added_here(client, theirs):
    member_client(client, role=Membership.Role.STAFF)
    response = client.post(reverse("contacts:add"), {"name": "Our Priya", "phone": "0412 345 678"})
    assert response.status_code == 302
    assert Contact.objects.filter(phone=PHONE).count() == 2


def test_a_number_this_agency_has_is_refused_with_the_contacts_name(client):
    member_client(client, role=Membership.Role.STAFF)
    make_contact(name="Our Priya", phone=PHONE)
    response = client.post(reverse("contacts:add"), {"name": "Again", "phone": "0412 345 678"})
    assert response.status_code == 200
    assert "Our Priya already has this number." in response.content.decode()


def test_an_import_adds_numbers_another_agency_has_and_writes_the_agency(theirs):
    make_contact(name="Our Sam", phone="+61413000001")
    csv = b"name,phone\nPriya,0412 345 678\nSam,0413 000 001\nNew,0413 000 002\n"

    report = import_contacts_csv(io.BytesIO(csv), commit=True, agency=default_agency())

    assert (report.created, report.existing_rows) == (2, 1)
    ours = Contact.objects.filter(agency=default_agency())
    assert sorted(ours.values_list("name", flat=True)) == ["New", "Our Sam", "Priya"]
    assert Contact.objects.get(pk=theirs[0].pk).name == "Their Priya"


def test_an_import_preview_counts_only_this_agencys_contacts_as_existing(theirs):
    csv = b"name,phone\nPriya,0412 345 678\n"
    report = import_contacts_csv(io.BytesIO(csv), commit=False, agency=default_agency())
    assert (report.new_rows, report.existing_rows) == (1, 0)


def test_column_mappings_are_remembered_per_agency(client, other_agency):
    member_client(client, role=Membership.Role.STAFF)
    csv = b"Full name,Mobile,Comments\nPriya,0412 345 678,Likes dogs\n"
    import_contacts_csv(
        io.BytesIO(csv), commit=True, agency=other_agency, roles=["name", "phone_1", "ignore"]
    )
    assert ImportMapping.objects.get().agency == other_agency

    upload = io.BytesIO(csv)
    upload.name = "contacts.csv"
    response = client.post(reverse("contacts:import"), {"file": upload}, follow=True)
    assert response.context["remembered"] is False


# --- Opt-outs per agency ------------------------------------------------------------------


def test_a_stop_to_one_agency_does_not_suppress_the_number_for_another(theirs):
    ours = make_contact(name="Our Priya", phone=PHONE)
    their_contact = theirs[0]

    assert opt_out_number(phone=PHONE, by="sms", agency=their_contact.agency)

    their_contact.refresh_from_db()
    ours.refresh_from_db()
    assert their_contact.is_opted_out and not ours.is_opted_out
    assert is_suppressed(PHONE, agency=their_contact.agency)
    assert not is_suppressed(PHONE, agency=default_agency())
    assert suppressed_numbers([PHONE], agency=default_agency()) == set()


def test_an_opt_in_to_one_agency_leaves_the_other_agencys_opt_out(theirs):
    ours = make_contact(name="Our Priya", phone=PHONE)
    opt_out_number(phone=PHONE, by="sms", agency=default_agency())
    opt_out_number(phone=PHONE, by="sms", agency=theirs[0].agency)

    opt_in_number(phone=PHONE, agency=theirs[0].agency)

    ours.refresh_from_db()
    assert ours.is_opted_out and is_suppressed(PHONE, agency=default_agency())
    assert not is_suppressed(PHONE, agency=theirs[0].agency)


def test_a_new_contact_inherits_only_its_own_agencys_suppression(other_agency):
    opt_out_number(phone=PHONE, by="sms", agency=other_agency)
    assert not make_contact(phone=PHONE).is_opted_out
    assert make_contact(agency=other_agency, phone=PHONE).is_opted_out


def test_an_import_keeps_only_this_agencys_suppressions(other_agency):
    opt_out_number(phone=PHONE, by="sms", agency=other_agency)
    csv = b"name,phone\nPriya,0412 345 678\n"
    import_contacts_csv(io.BytesIO(csv), commit=True, agency=default_agency())
    assert not Contact.objects.get(agency=default_agency()).is_opted_out


# --- Calling ---------------------------------------------------------------------------


def test_a_suspended_agency_places_no_call(client):
    agency = default_agency()
    member_client(client, role=Membership.Role.STAFF, agency=agency)
    agency.active = False
    agency.save(update_fields=["active"])
    agent = make_agent(elevenlabs_agent_id="agent_8701k3example", sync_status="synced")
    contact = make_contact(name="Priya", phone=PHONE)

    response = client.post(
        reverse("contacts:call", args=[contact.id]), {"agent": agent.pk}, follow=True
    )

    assert "is suspended, so Voqo places no calls" in response.content.decode()
    assert not Call.objects.exists()


# --- The initiation webhook ----------------------------------------------------------------


def _ask(client, agent_id: str) -> dict:
    return client.post(
        "/webhooks/elevenlabs/initiation",
        {"caller_id": PHONE, "agent_id": agent_id, "called_number": "+61280001234"},
        content_type="application/json",
        headers={"Authorization": "Bearer init-token-test"},
    ).json()


def test_the_initiation_answer_uses_the_called_agents_agency_contact(client, theirs):
    make_memory(make_contact(name="Our Priya", phone=PHONE), "Our note")
    make_agent(elevenlabs_agent_id="agent_ours", agency=default_agency())
    make_agent(elevenlabs_agent_id="agent_theirs", agency=theirs[0].agency)

    ours = _ask(client, "agent_ours")["dynamic_variables"]
    their = _ask(client, "agent_theirs")["dynamic_variables"]

    assert ours["caller_name"] == "Our Priya" and "Our note" in ours["caller_context"]
    assert their["caller_name"] == "Their Priya" and "Our note" not in their["caller_context"]


def test_an_unknown_agent_learns_nothing_about_any_agencys_caller(client, theirs):
    variables = _ask(client, "agent_nobody")["dynamic_variables"]
    assert variables["caller_name"] == "there" and variables["caller_context"] == ""


def test_the_scoped_initiation_lookup_is_one_query(client, theirs, django_assert_max_num_queries):
    make_agent(elevenlabs_agent_id="agent_theirs", agency=theirs[0].agency)
    _ask(client, "agent_theirs")  # warms the settings and agent caches
    with django_assert_max_num_queries(1):
        assert _ask(client, "agent_theirs")["dynamic_variables"]["caller_name"] == "Their Priya"


def test_an_upload_made_in_one_agency_is_not_imported_into_another_after_a_switch(
    client, other_agency
):
    from agencies.current import SESSION_KEY

    user = make_staff_user("both", PASSWORD, role=Membership.Role.STAFF)
    Membership.objects.create(user=user, agency=other_agency, role=Membership.Role.STAFF)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = str(default_agency().pk)
    session.save()
    upload = io.BytesIO(b"name,phone\nPriya,0412 345 678\n")
    upload.name = "contacts.csv"
    mapping_url = client.post(reverse("contacts:import"), {"file": upload})["Location"]

    session = client.session
    session[SESSION_KEY] = str(other_agency.pk)
    session.save()
    response = client.post(mapping_url, {"confirm": ""}, follow=True)

    assert "That upload has expired" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_admin_filters_contacts_by_agency(admin_client, theirs):
    make_contact(name="Our Sam", phone="+61413000001")
    url = reverse("admin:contacts_contact_changelist")
    response = admin_client.get(url, {"agency__id__exact": str(theirs[0].agency.pk)})
    assert response.status_code == 200
    assert [c.name for c in response.context["cl"].result_list] == ["Their Priya"]
