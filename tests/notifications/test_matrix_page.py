"""The matrix page: said once per page, cached as HTML per language and editability, and its links
keep the tree position."""
import pytest
from flask_babel import force_locale

from portal.notifications.matrix_view import matrix_rows
from portal.notifications.presenters import cell_view
from portal.services.notifications.read import node_matrix
from portal.services.policies.read import node_ref
from portal.translations.runtime import translated
from tests.html import parse
from tests.notifications.conftest import matrix_cell, node_url, shown


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_matrix_cell_says_what_the_cell_alone_says(app, world, add_cell, language):
    add_cell("company", world.company.id, "booking_confirmed", "email", retry_count=1, locked=True)
    add_cell("branch", world.north.id, "reminder_24h", "sms", fallback_channel="email", is_enabled=False)
    add_cell("staff", world.ann.id, "booking_confirmed", "email", is_enabled=False)
    with app.test_request_context("/"), force_locale(language):
        ref = node_ref(world.company.id, "staff", world.ann.id, service_id=world.cut.id)
        matrix = node_matrix(world.company.id, ref)
        rows = [row for _category, group in matrix_rows(matrix, "staff", world.ann.id) for row in group]
        assert len(rows) * 4 == len(matrix.cells)
        for row in rows:
            for cell in row.cells:
                alone = cell_view(matrix, cell.event_type, cell.channel, "staff", world.ann.id)
                assert [(v.key, v.label, v.value, v.provenance, v.kind, v.short) for v in cell.values] == [
                    (v.key, translated(v.label), translated(v.value), translated(v.provenance), v.kind,
                     translated(v.short)) for v in alone.values]
                assert [mark.words for mark in cell.marks] == [translated(mark.words) for mark in alone.marks]
                assert (cell.lock, cell.ignored) == (alone.lock and translated(alone.lock),
                                                     alone.ignored and translated(alone.ignored))
        locked = next(c for row in rows for c in row.cells if (c.event_type, c.channel) == (
            "booking_confirmed", "email"))
        assert locked.ignored
        assert locked.lock


def test_a_reader_never_gets_the_admins_cached_matrix(client, world):
    url = node_url("branch", world.north.id)
    client.login(world.admin.email)
    assert parse(client.get(url).get_data(as_text=True)).find_all("a", class_="nbulk-link")
    client.logout()
    client.login(world.manager.email)
    page = parse(client.get(url).get_data(as_text=True))
    assert page.find_all("td", data_cell=True)
    assert not page.find_all("a", class_="nbulk-link")
    assert "change all" not in page.one(id="notification-matrix").text


def test_the_cached_matrix_speaks_the_readers_language(client, world):
    url = node_url("company", world.company.id)
    client.login(world.admin.email)
    assert "✓ On" in client.get(url).get_data(as_text=True)
    assert client.submit("/language", {"language": "de"}).status_code in (302, 303)  # nothing else changes
    page = parse(client.get(url).get_data(as_text=True))
    reminder = matrix_cell(page, "reminder_24h", "sms")
    assert "✓ An" in reminder.text or "✓ Ein" in reminder.text
    assert shown(reminder, "retry_count")[2] != "default from the event catalog"


def test_a_change_shows_in_the_cached_matrix_at_once(client, world):
    url = node_url("staff", world.ann.id, service=world.cut.id)
    client.login(world.admin.email)
    assert shown(matrix_cell(client.get(url).get_data(as_text=True), "reminder_24h", "sms"),
                 "retry_count")[0] == "3"
    response = client.submit(f"/notifications/branch/{world.north.id}/cell/reminder_24h/sms", data={
        "action": "save", "version": "0", "mode_retry_count": "set", "value_retry_count": "6"})
    assert response.status_code == 302
    assert shown(matrix_cell(client.get(url).get_data(as_text=True), "reminder_24h", "sms"),
                 "retry_count") == ("6", "inherited", "inherited from Branch North")


def test_bulk_links_and_form_keep_the_tree_position(client, world):
    client.login(world.admin.email)
    page = parse(client.get(node_url("staff", world.ann.id, service=world.cut.id)).get_data(as_text=True))
    bulk = [href for href in page.links() if "/bulk" in href]
    assert bulk
    assert all(href.count("?") == 1 and f"service={world.cut.id}" in href for href in bulk)
    assert f"/notifications/staff/{world.ann.id}/bulk?service={world.cut.id}&events=reminder_24h&enabled=off" in bulk
    form = page.one("form", class_="nbulk filters")
    assert form.one("input", name="service")["value"] == str(world.cut.id)
    assert client.get(f"/notifications/staff/{world.ann.id}/bulk?service={world.cut.id}"
                      f"&events=reminder_24h&enabled=off").status_code == 200


def test_the_cached_matrix_page_reads_neither_rows_nor_the_whole_matrix_back(app, client, world, monkeypatch):
    from portal.extensions import db
    from portal.notifications import routes
    from tests.support import QueryCounter

    url = node_url("staff", world.ann.id, service=world.cut.id)
    client.login(world.admin.email)
    first = client.get(url).get_data(as_text=True)

    def unwanted(*args):
        raise AssertionError("the matrix was read back for a page whose HTML is cached")

    monkeypatch.setattr(routes, "node_matrix", unwanted)
    with app.app_context(), QueryCounter(db.engine) as counter:
        again = client.get(url)
    assert again.status_code == 200
    assert again.get_data(as_text=True).count('data-cell="') == first.count('data-cell="') == 13 * 4
    assert not [s for s in counter.statements if "notification_configurations" in s]
