"""The event catalog page: the 13 events by category with labels, channels, variables, timing."""
from tests.html import parse


def catalog(client, query=""):
    return parse(client.get("/notifications/" + query).get_data(as_text=True))


def test_catalog_lists_the_13_events_grouped_by_category(client, world):
    client.login(world.agent.email)
    page = catalog(client)
    assert len(page.find_all("tr", data_event=True)) == 13
    sections = page.find_all("section", data_category=True)
    assert [section["data-category"] for section in sections] == [
        "booking", "reminder", "modification", "callback", "system"]
    reminders = page.one("section", data_category="reminder")
    assert {row["data-event"] for row in reminders.find_all("tr", data_event=True)} == {
        "reminder_24h", "reminder_2h", "reminder_1week"}


def test_each_event_shows_labels_description_channels_variables_timing_and_state(client, world):
    client.login(world.admin.email)
    row = catalog(client).one("tr", data_event="reminder_24h")
    assert "Reminder 24 hours before" in row.text
    assert "Erinnerung 24 Stunden vorher" in row.text
    assert "Reminds the customer one day before the appointment." in row.text
    assert [tag.text for tag in row.find_all(data_default_channel=True)] == ["Email", "SMS", "WhatsApp"]
    variables = {code["data-variable"] for code in row.find_all("code", data_variable=True)}
    assert {"customer_name", "cancel_url"} <= variables
    assert "24 h before the appointment" in row.text
    assert row.one(data_active=True)["data-active"] == "yes"
    assert "✓ active" in row.text


def test_german_labels_lead_with_lang_de(client, world):
    client.login(world.admin.email)
    row = catalog(client, "?lang=de").one("tr", data_event="booking_confirmed").text
    assert row.index("Buchungsbestätigung") < row.index("Booking confirmed")


def test_catalog_links_to_the_company_and_branch_matrices(client, world):
    client.login(world.admin.email)
    links = catalog(client).links()
    assert f"/notifications/company/{world.company.id}" in links
    assert f"/notifications/branch/{world.south.id}" in links
