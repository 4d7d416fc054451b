"""The event catalog page: the 13 events by category with labels, channels, variables, timing."""
import re


def test_catalog_lists_the_13_events_grouped_by_category(client, world):
    client.login(world.agent.email)
    page = client.get("/notifications/").get_data(as_text=True)
    assert len(re.findall(r'<tr id="event-', page)) == 13
    headings = re.findall(r'<h2 id="cat-(\w+)"', page)
    assert headings == ["booking", "reminder", "modification", "callback", "system"]
    reminders = page[page.index('id="cat-reminder"'):page.index('id="cat-modification"')]
    assert all(f'id="event-{e}"' in reminders for e in ("reminder_24h", "reminder_2h", "reminder_1week"))


def test_each_event_shows_labels_description_channels_variables_timing_and_state(client, world):
    client.login(world.admin.email)
    page = client.get("/notifications/").get_data(as_text=True)
    row = page[page.index('id="event-reminder_24h"'):]
    row = row[:row.index("</tr>")]
    assert "Reminder 24 hours before" in row and "Erinnerung 24 Stunden vorher" in row
    assert "Reminds the customer one day before the appointment." in row
    assert [channel for channel in ("Email", "SMS", "WhatsApp", "Push") if f">{channel}</span>" in row] == [
        "Email", "SMS", "WhatsApp"]
    assert "<code>customer_name</code>" in row and "<code>cancel_url</code>" in row
    assert "24 h before the appointment" in row and "✓ active" in row


def test_german_labels_lead_with_lang_de(client, world):
    client.login(world.admin.email)
    page = client.get("/notifications/?lang=de").get_data(as_text=True)
    row = page[page.index('id="event-booking_confirmed"'):]
    assert row.index("Buchungsbestätigung") < row.index("Booking confirmed")


def test_catalog_links_to_the_company_and_branch_matrices(client, world):
    client.login(world.admin.email)
    page = client.get("/notifications/").get_data(as_text=True)
    assert f'href="/notifications/company/{world.company.id}"' in page
    assert f'href="/notifications/branch/{world.south.id}"' in page
