"""The contacts list, add, detail, inline edit, memories, opt-out and delete."""

import pytest
from django.urls import reverse

from calls.models import Call
from contacts.models import Contact, Memory
from tests.factories import make_call, make_contact, make_memory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


# --- List and search -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["0412 345 678", "+61 412 345 678", "61412345678", "0412-345-678", "0412 345", "345678"],
)
def test_search_finds_a_number_however_it_is_typed(staff_client, typed):
    make_contact(name="Priya", phone="+61412345678")
    make_contact(name="Someone else", phone="+61499000111")
    response = staff_client.get(reverse("contacts:list"), {"q": typed})
    assert names(response) == ["Priya"]


def test_search_matches_part_of_a_name_in_any_case(staff_client):
    make_contact(name="Priya Sharma")
    make_contact(name="Tom Jones")
    assert names(staff_client.get(reverse("contacts:list"), {"q": "shar"})) == ["Priya Sharma"]


def test_live_search_answers_htmx_with_the_results_partial_only(staff_client):
    make_contact(name="Priya")
    response = staff_client.get(
        reverse("contacts:list"), {"q": "pri"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Priya" in html
    assert "<html" not in html and "contact-search" not in html


def test_tag_filter_shows_only_contacts_with_that_tag(staff_client):
    make_contact(name="Buyer", tags=["buyer", "vip"])
    make_contact(name="Renter", tags=["renter"])
    make_contact(name="Buyer-ish", tags=["buyers"])
    assert names(staff_client.get(reverse("contacts:list"), {"tag": "buyer"})) == ["Buyer"]


def test_list_shows_last_call_date_and_opt_out_badge(staff_client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    make_contact(
        name="Called",
        last_call_at=datetime(2026, 3, 4, 10, tzinfo=ZoneInfo("Australia/Sydney")),
    )
    make_contact(name="Stopped", opted_out_at=datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC")))
    html = staff_client.get(reverse("contacts:list")).content.decode()
    assert "4 Mar 2026" in html
    assert "Opted out" in html


def test_list_query_count_does_not_grow_with_contacts(staff_client, django_assert_max_num_queries):
    for _ in range(30):
        make_contact(tags=["a"])
    staff_client.get(reverse("contacts:list"))  # warm the session, settings and tag caches
    # Constant: the owner filter's choices are one query, whatever the number of contacts.
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("contacts:list"))
    assert len(response.context["page"].object_list) == 30


# --- Add and edit --------------------------------------------------------------------


def test_adding_a_contact_stores_the_number_normalised(staff_client):
    response = staff_client.post(
        reverse("contacts:add"),
        {"name": "Priya", "phone": "0412 345 678", "notes": "", "tags": "buyer, VIP, vip, "},
    )
    contact = Contact.objects.get()
    assert response["Location"] == reverse("contacts:detail", args=[contact.id])
    assert contact.phone == "+61412345678"
    assert contact.tags == ["buyer", "VIP"]


def test_a_duplicate_number_is_refused_with_a_link_to_the_existing_contact(staff_client):
    existing = make_contact(name="Priya", phone="+61412345678")
    response = staff_client.post(
        reverse("contacts:add"), {"name": "Other", "phone": "+61 412 345 678"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Priya already has this number." in html
    assert reverse("contacts:detail", args=[existing.id]) in html
    assert Contact.objects.count() == 1


def test_an_invalid_number_is_refused_with_the_reason(staff_client):
    response = staff_client.post(reverse("contacts:add"), {"name": "X", "phone": "12345"})
    assert "is not a valid phone number" in response.content.decode()


def test_a_contact_keeps_an_e_mail_and_refuses_a_malformed_one(staff_client):
    response = staff_client.post(
        reverse("contacts:add"), {"name": "X", "phone": "0412 345 678", "email": "not-mail"}
    )
    assert "Enter a valid email address." in response.content.decode()

    response = staff_client.post(
        reverse("contacts:add"),
        {"name": "X", "phone": "0412 345 678", "email": "x@example.com"},
    )
    page = staff_client.get(response["Location"]).content.decode()
    assert 'href="mailto:x@example.com"' in page


def test_inline_edit_swaps_a_form_in_and_the_saved_card_back(staff_client):
    contact = make_contact(name="Priya", phone="+61412345678")
    htmx = {"HX-Request": "true"}
    form = staff_client.get(reverse("contacts:edit", args=[contact.id]), headers=htmx)
    assert 'id="contact-card"' in form.content.decode()
    assert 'name="phone"' in form.content.decode()

    saved = staff_client.post(
        reverse("contacts:edit", args=[contact.id]),
        {"name": "Priya S", "phone": "0412 345 678", "notes": "Has a dog", "tags": "buyer"},
        headers=htmx,
    )
    html = saved.content.decode()
    assert "Priya S" in html and "Has a dog" in html and 'name="phone"' not in html
    contact.refresh_from_db()
    assert (contact.name, contact.notes, contact.tags) == ("Priya S", "Has a dog", ["buyer"])


def test_a_contacts_state_is_saved_and_shown(staff_client):
    contact = make_contact(name="Wes", phone="+61412345678")
    form = {"name": "Wes", "phone": "0412 345 678", "state": "WA", "notes": "", "tags": ""}
    staff_client.post(reverse("contacts:edit", args=[contact.id]), form)
    contact.refresh_from_db()
    assert contact.state == "WA"
    page = staff_client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert "Western Australia" in page

    refused = staff_client.post(
        reverse("contacts:edit", args=[contact.id]), {**form, "state": "Perth"}
    )
    assert "Select a valid choice" in refused.content.decode()


def test_edit_form_prefills_tags_as_comma_separated_text(staff_client):
    contact = make_contact(tags=["buyer", "vip"])
    html = staff_client.get(reverse("contacts:edit", args=[contact.id])).content.decode()
    assert 'value="buyer, vip"' in html


# --- Detail, memories ------------------------------------------------------------------


def test_detail_shows_notes_memories_and_call_history(staff_client):
    contact = make_contact(name="Priya", notes="Prefers SMS")
    make_memory(contact, "Budget around $1.2M")
    call = make_call(contact=contact, summary="Asked about 12 Ocean St")
    html = staff_client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert "Prefers SMS" in html and "Budget around $1.2M" in html
    assert "Asked about 12 Ocean St" in html
    try:
        expected = reverse("calls:detail", args=[call.id])
    except Exception:
        expected = reverse("calls:list")
    assert f'href="{expected}"' in html


def test_adding_a_memory_with_htmx_returns_the_updated_list(staff_client):
    contact = make_contact()
    response = staff_client.post(
        reverse("contacts:memory_add", args=[contact.id]),
        {"content": "  Has two kids  "},
        headers={"HX-Request": "true"},
    )
    assert "Has two kids" in response.content.decode()
    memory = Memory.objects.get()
    assert (memory.content, memory.source, memory.contact) == ("Has two kids", "manual", contact)


def test_an_empty_memory_is_refused(staff_client):
    contact = make_contact()
    response = staff_client.post(
        reverse("contacts:memory_add", args=[contact.id]),
        {"content": " "},
        headers={"HX-Request": "true"},
    )
    assert "This field is required." in response.content.decode()
    assert not Memory.objects.exists()


def test_editing_and_deleting_a_memory(staff_client):
    contact = make_contact()
    memory = make_memory(contact, "Old fact")
    htmx = {"HX-Request": "true"}
    response = staff_client.post(
        reverse("contacts:memory_edit", args=[contact.id, memory.id]),
        {"content": "New fact"},
        headers=htmx,
    )
    assert "New fact" in response.content.decode()
    memory.refresh_from_db()
    assert memory.content == "New fact"

    response = staff_client.post(
        reverse("contacts:memory_delete", args=[contact.id, memory.id]), headers=htmx
    )
    assert "No memories yet." in response.content.decode()
    assert not Memory.objects.exists()


def test_memories_of_another_contact_cannot_be_edited_through_this_one(staff_client):
    memory = make_memory(make_contact(), "Private")
    other = make_contact()
    response = staff_client.post(reverse("contacts:memory_delete", args=[other.id, memory.id]))
    assert response.status_code == 404
    assert Memory.objects.exists()


# --- Delete ----------------------------------------------------------------------------


def test_deleting_a_contact_removes_memories_but_keeps_calls(staff_client):
    contact = make_contact(phone="+61412345678")
    make_memory(contact)
    call = make_call(contact=contact, from_phone="+61412345678")
    confirm = staff_client.get(reverse("contacts:delete", args=[contact.id]))
    assert "This cannot be undone" in confirm.content.decode()
    assert Contact.objects.exists()

    response = staff_client.post(reverse("contacts:delete", args=[contact.id]))
    assert response["Location"] == reverse("contacts:list")
    assert not Contact.objects.exists() and not Memory.objects.exists()
    call = Call.objects.get(pk=call.pk)
    assert call.contact is None and call.external_phone == "+61412345678"
    assert "0412 345 678" in staff_client.get(reverse("calls:list")).content.decode()


# --- Opt-out ---------------------------------------------------------------------------


def test_staff_can_opt_a_contact_out_and_undo_it(staff_client, staff_user):
    contact = make_contact()
    staff_client.post(reverse("contacts:opt_out", args=[contact.id]))
    contact.refresh_from_db()
    assert contact.opted_out_at is not None and contact.opted_out_by == staff_user.username
    html = staff_client.get(reverse("contacts:detail", args=[contact.id])).content.decode()
    assert "Opted out" in html and f"by {staff_user.username}" in html
    assert "Undo opt-out" in html

    staff_client.post(reverse("contacts:opt_in", args=[contact.id]))
    contact.refresh_from_db()
    assert contact.opted_out_at is None and contact.opted_out_by == ""


def test_opt_out_needs_a_post(staff_client):
    contact = make_contact()
    assert staff_client.get(reverse("contacts:opt_out", args=[contact.id])).status_code == 405
