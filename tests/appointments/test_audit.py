"""The modifications audit page: filters, totals, CSV export, one record's details."""
import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.appointments.support import now_seconds
from tests.html import field_errors, parse


@pytest.fixture
def trail(bookings, world):
    """Four modifications: in/out of policy, with and without fees, two branches, two customers."""
    now = now_seconds()
    anna, otto = bookings.customer(name="Anna Auditee"), bookings.customer(name="Otto Other")
    north = bookings.appointment(anna)
    south = bookings.appointment(otto, branch=world.south, staff="cy")
    return {
        "within_free": bookings.modification(north, "cancel", at=now - timedelta(days=1),
                                             reason="free cancel"),
        "forced_fee": bookings.modification(north, "cancel", at=now - timedelta(days=2), within_policy=False,
                                            fee="15.00", reason="forced with fee",
                                            meta={"hours_notice": 4.9, "forced": True}),
        "reschedule_fee": bookings.modification(south, "reschedule", at=now - timedelta(days=3), fee="7.50",
                                                reason="moved south"),
        "old": bookings.modification(south, "cancel", at=now - timedelta(days=40), within_policy=False,
                                     reason="=HYPERLINK(\"x\")"),
    }


def shown(client, query=""):
    response = client.get("/appointments/modifications" + query)
    assert response.status_code == 200, response.status_code
    page = parse(response.get_data(as_text=True))
    rows = " ".join(row.text for row in page.find_all("tr", data_modification=True))
    return {name for name, reason in (("within_free", "free cancel"), ("forced_fee", "forced with fee"),
                                      ("reschedule_fee", "moved south"), ("old", "HYPERLINK"))
            if reason in rows}, page


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"within_free", "forced_fee", "reschedule_fee", "old"}),
    ("?type=reschedule", {"reschedule_fee"}),
    ("?within_policy=no", {"forced_fee", "old"}),
    ("?within_policy=yes", {"within_free", "reschedule_fee"}),
    ("?fee_charged=yes", {"forced_fee", "reschedule_fee"}),
    ("?fee_charged=no", {"within_free", "old"}),
    ("?customer=otto", {"reschedule_fee", "old"}),
    ("?type=cancel&within_policy=no&fee_charged=yes", {"forced_fee"}),
])
def test_filters_narrow_the_trail(client, world, trail, query, expected):
    client.login(world.admin.email)
    assert shown(client, query)[0] == expected


def test_branch_and_date_filters(client, world, trail):
    client.login(world.admin.email)
    assert shown(client, f"?branch={world.south.id}")[0] == {"reschedule_fee", "old"}
    today = now_seconds().date()
    week_ago = (today - timedelta(days=7)).isoformat()
    assert shown(client, f"?date_from={week_ago}")[0] == {"within_free", "forced_fee", "reschedule_fee"}
    month_ago = (today - timedelta(days=30)).isoformat()
    assert shown(client, f"?date_to={month_ago}")[0] == {"old"}


def test_totals_count_and_sum_the_fees_of_the_filtered_set(client, world, trail):
    client.login(world.admin.email)
    _, page = shown(client)
    assert page.one(data_total="count").text == "4"
    assert page.one(data_total="fees").text == "€22.50"
    _, page = shown(client, "?within_policy=no")
    assert page.one(data_total="count").text == "2"
    assert page.one(data_total="fees").text == "€15.00"


def test_out_of_policy_rows_are_marked_and_show_their_fee(client, world, trail):
    client.login(world.admin.email)
    _, page = shown(client, "?within_policy=no&type=cancel&fee_charged=yes")
    row = page.one("tr", data_modification=True)
    assert row.one(data_policy=True)["data-policy"] == "out"
    assert "out of policy" in row.text
    assert "€15.00" in row.text


def test_csv_export_has_the_filtered_rows_and_defuses_formulas(client, world, trail):
    client.login(world.admin.email)
    response = client.get("/appointments/modifications.csv?within_policy=no")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["reason"] for row in rows] == ["forced with fee", "'=HYPERLINK(\"x\")"]
    assert rows[0]["fee_charged_eur"] == "15.00"
    assert rows[0]["within_policy"] == "no"
    assert rows[0]["forced"] == "yes"
    assert rows[0]["customer"] == "Anna Auditee"


def test_csv_export_streams_more_than_one_chunk(client, world, bookings):
    appointment = bookings.appointment()
    for n in range(520):
        bookings.modification(appointment, at=now_seconds() - timedelta(minutes=n))
    client.login(world.admin.email)
    rows = list(csv.reader(io.StringIO(client.get("/appointments/modifications.csv").get_data(as_text=True))))
    assert len(rows) == 521  # header + every row


@pytest.mark.parametrize("query", ["?date_from=yesterday", "?within_policy=maybe", "?branch=north",
                                   "?type=delete", "?date_from=2026-05-02&date_to=2026-05-01"])
def test_bad_filters_get_a_message_and_a_400(client, world, trail, query):
    client.login(world.admin.email)
    for url in ("/appointments/modifications", "/appointments/modifications.csv"):
        response = client.get(url + query)
        assert response.status_code == 400
        assert field_errors(parse(response.get_data(as_text=True)))


def test_the_page_only_reads(client, world, trail):
    client.login(world.admin.email)
    assert client.submit("/appointments/modifications", {}).status_code == 405


def test_pages_through_a_long_trail_by_links_that_seek(client, world, bookings):
    appointment = bookings.appointment()
    for n in range(30):
        bookings.modification(appointment, at=now_seconds() - timedelta(minutes=n), reason=f"reason-{n:02d}")
    client.login(world.admin.email)
    first = shown(client, "?type=cancel")[1]
    assert "reason-00" in first.text
    assert "reason-29" not in first.text
    assert first.find("a", rel="prev") is None
    older = first.one("a", rel="next")["href"]
    assert "type=cancel" in older  # the filters travel with the page position
    second = parse(client.get(older).get_data(as_text=True))
    assert "reason-29" in second.text
    assert "reason-00" not in second.text
    assert second.find("a", rel="next") is None
    back = parse(client.get(second.one("a", rel="prev")["href"]).get_data(as_text=True))
    rows = [row["data-modification"] for row in back.find_all("tr", data_modification=True)]
    assert rows == [row["data-modification"] for row in first.find_all("tr", data_modification=True)]
    assert client.get("/appointments/modifications?older=not-a-token").status_code == 400


def test_a_record_shows_what_the_rules_said(client, world, bookings):
    appointment = bookings.appointment()
    record = bookings.modification(appointment, within_policy=False, fee="15.00", reason="late", meta={
        "hours_notice": 4.9, "policy_required": 24, "forced": True,
        "fee_rule": "15.00 EUR: fixed fee (Company X)",
        "original_time": appointment.starts_at.isoformat(), "new_time": None,
        "checks": [{"rule": "hours_before", "passed": False,
                    "text": "Cancellation needs 24 h notice; 4.9 h remain"}],
        "policy": {"cancellation.hours_before": {"value": 24, "source": "Company X", "level": "company"}}})
    client.login(world.manager.email)
    page = parse(client.get(f"/appointments/modifications/{record.id}").get_data(as_text=True))
    for text in ("out of policy", "Cancellation needs 24 h notice; 4.9 h remain",
                 "forced and recorded as out of policy", "(24 h needed)"):
        assert text in page.text, text
    rule = page.one("tr", data_rule="cancellation")
    assert [cell.text for cell in rule.find_all("td")] == [
        "Hours before · cancellation", "24 h", "company X"]  # the level once, then the name


def test_a_record_says_its_fee_rule_and_checks_in_the_readers_language(app, client, world, bookings):
    """A modification keeps the decision's texts as message data beside their English, so a German
    reader sees them in German, an English one in English."""
    from sqlalchemy import update

    from portal.extensions import db
    from portal.models import Appointment, Company
    from portal.services.modifications.change import Change, record_metadata
    from portal.services.modifications.policy import propose
    from tests.appointments.support import now_seconds

    bookings.policy("company", world.company.id, {"hours_before": 24, "fee": "15.00"})
    appointment = bookings.appointment(hours_ahead=5)
    now = now_seconds()
    with app.app_context():
        loaded = db.session.get(Appointment, appointment.id)
        proposal = propose(loaded, "cancel", now)
        change = Change("cancel", False, None, "late", True, False, "", seen=None)
        meta = record_metadata(proposal, change, loaded.starts_at, proposal.decision.fee, False, now)
    record = bookings.modification(appointment, within_policy=False, fee="15.00", reason="late", meta=meta)
    client.login(world.manager.email)
    english = parse(client.get(f"/appointments/modifications/{record.id}").get_data(as_text=True)).text
    assert "fixed fee" in english
    assert "needs 24 h notice" in english
    with app.app_context():
        db.session.execute(update(Company).where(Company.id == world.company.id).values(default_language="de"))
        db.session.commit()
    german = parse(client.get(f"/appointments/modifications/{record.id}").get_data(as_text=True)).text
    assert "fixed fee" not in german
    assert "needs 24 h notice" not in german
    assert "€: feste Gebühr (Unternehmen" in german
    assert "braucht 24 Std. Vorlauf" in german


def test_the_totals_of_ended_months_are_counted_once_and_this_months_on_every_view(app, bookings, world):
    """A modification is only ever added at the moment it is made, so a month that has ended is
    final: its sum is kept, the current month is added up again on every view. A record stamped
    into an ended month after it was counted is not seen (nothing does that but this test)."""
    from portal.services.modifications.audit import AuditFilters, audit_totals
    from portal.services.scope import Scope

    now = now_seconds()
    appointment = bookings.appointment(status="cancelled")
    bookings.modification(appointment, at=now - timedelta(days=70), fee="15.00", within_policy=False)
    scope, everything = Scope.company(world.company.id), AuditFilters()
    with app.app_context():
        assert audit_totals(scope, everything, "UTC") == (1, Decimal("15.00"))
    bookings.modification(appointment, at=now - timedelta(days=70), fee="7.50", within_policy=False)
    bookings.modification(appointment, at=now - timedelta(seconds=5), fee="2.50", within_policy=False)
    with app.app_context():
        assert audit_totals(scope, everything, "UTC") == (2, Decimal("17.50"))  # this month's is seen
        assert audit_totals(Scope(world.company.id, world.south.id), everything, "UTC") == (0, Decimal("0.00"))


def test_a_waived_fee_row_shows_the_waiver_and_its_reason_and_others_the_fee_alone(client, world, bookings):
    appointment = bookings.appointment()
    waived = bookings.modification(appointment, reason="waived one", meta={
        "fee_waived": True, "fee_computed": "15.00", "fee_waiver_reason": "Regular customer"})
    charged = bookings.modification(appointment, within_policy=False, fee="7.50", reason="charged one")
    client.login(world.admin.email)
    _, page = shown(client)
    waived_row = page.one("tr", data_modification=str(waived.id))
    charged_row = page.one("tr", data_modification=str(charged.id))
    assert waived_row.find(data_fee_waived="yes") is not None
    assert "€15.00 waived: Regular customer" in waived_row.text
    assert waived_row.one(data_policy=True)["data-policy"] == "within"
    assert charged_row.find(data_fee_waived="yes") is None
    assert "waived" not in charged_row.text
    assert "€7.50" in charged_row.text
    assert charged_row.one(data_policy=True)["data-policy"] == "out"
