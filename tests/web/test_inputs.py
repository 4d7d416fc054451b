"""Regression tests, one per class of input that used to reach a 500 (issue #10, "Failures found").

Each request is refused with a 4xx whose message names the field, and nothing is stored.
"""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain.callbacks import MERGED_NOTES_MAX, SHORTENED_MARKER
from portal.extensions import db
from portal.models import Appointment, CallbackRequest, PolicyConfiguration
from tests.callbacks.support import add_callback, add_token, load
from tests.html import page

TOKEN = "cbt_inputs-token-1234567890"


def error_message(response) -> str:
    """The message of an error page (the layout's or the static one)."""
    found = page(response).find(data_error_page=str(response.status_code))
    assert found is not None, response.get_data(as_text=True)[:300]
    return found.one(data_error_message=True).text


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(client, world):
    client.login(world.admin.email)
    return client


# --- digits that str.isdigit() accepts and int() refuses; integers with thousands of digits ---------

@pytest.mark.parametrize("value", ["²", "١٢", "9" * 30, "9" * 5000, "-1", "1e3"])
@pytest.mark.parametrize(("url", "field"), [
    ("/callbacks/?branch={}", "Branch"), ("/callbacks/?page={}", "Page"),
    ("/appointments/?page={}", "Page"), ("/policies/?branch={}", "Branch"),
    ("/policies/simulator?level=branch&entity_id={}", "Node"),
    ("/notifications/branch/1?service={}", "Service"),
])
def test_odd_digits_in_query_values_are_a_400_naming_the_field(admin, world, url, field, value):
    response = admin.get(url.format(value).replace("/branch/1", f"/branch/{world.north.id}"))
    assert response.status_code == 400
    assert error_message(response).startswith(f"{field}:")


@pytest.mark.parametrize("value", ["²", "١", "9" * 30, "9" * 5000, " "])
def test_odd_versions_in_forms_are_a_400(app, admin, world, value):
    callback = add_callback(app, world)
    for url, data in ((f"/callbacks/{callback.id}/claim", {}),
                      (f"/policies/cancellation/branch/{world.north.id}", {"action": "reset_row"}),
                      (f"/notifications/branch/{world.north.id}/cell/reminder_24h/sms", {"action": "reset_cell"})):
        response = admin.submit(url, {**data, "version": value})
        assert response.status_code == 400, url
        assert "version" in error_message(response).lower(), url
    assert load(app, callback.id).version == callback.version


def test_unicode_digits_in_a_path_name_no_record(app, admin, world):
    callback = add_callback(app, world)
    assert admin.get(f"/callbacks/{callback.id}").status_code == 200
    arabic = str(callback.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert admin.get(f"/callbacks/{arabic}").status_code == 404
    assert admin.get("/callbacks/" + "9" * 5000).status_code == 404


def test_a_damaged_bulk_selection_is_a_400(app, admin, world):
    callback = add_callback(app, world)
    response = admin.submit("/callbacks/bulk-assign", {"callbacks": f"{callback.id}:²",
                                                        "staff_id": world.ann.id})
    assert response.status_code == 400
    assert load(app, callback.id).status == "pending"


@pytest.mark.parametrize(("value", "message"), [
    ("²", "Hours before must be a whole number"), ("9" * 5000, "Hours before must be a whole number"),
    ("99999999", "Hours before must be at most 1000000"),
])
def test_policy_values_with_odd_digits_are_refused_beside_the_field(app, admin, world, value, message):
    response = admin.submit(f"/policies/cancellation/branch/{world.north.id}",
                            {"version": "0", "mode_hours_before": "override", "value_hours_before": value})
    assert response.status_code == 400
    assert message in page(response).one(id="error-hours_before").text
    assert rows(app, PolicyConfiguration) == 0


# --- NaN and Infinity as decimals ----------------------------------------------------------------

@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-Infinity", "sNaN", "1e999999"])
def test_nan_and_infinity_are_not_numbers(app, admin, world, value):
    response = admin.get("/policies/simulator", query_string={"hours": value})
    assert response.status_code == 400
    assert "Hours of notice must be a number" in page(response).text
    response = admin.get("/policies/simulator", query_string={"hours": "5", "price": value})
    assert response.status_code == 400
    response = admin.submit(f"/policies/cancellation/branch/{world.north.id}",
                            {"version": "0", "mode_fee": "override", "value_fee": value})
    assert response.status_code == 400
    assert "Fee must be an amount" in page(response).one(id="error-fee").text
    assert rows(app, PolicyConfiguration) == 0


# --- dates at the edges of the calendar -----------------------------------------------------------

@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("url", ["/appointments/", "/appointments/modifications",
                                 "/appointments/modifications.csv"])
def test_dates_at_the_calendar_edges_are_refused_beside_the_field(admin, url, day):
    for name in ("date_from", "date_to"):
        response = admin.get(url, query_string={name: day})
        assert response.status_code == 400, (url, name)
        if not url.endswith(".csv"):
            assert "from 1900-01-01 to 2199-12-31" in page(response).text


@pytest.mark.parametrize(("moment", "message"), [
    ("9999-12-31T23:30", "Enter the new date and time"), ("0001-01-01T00:00", "Enter the new date and time"),
    ("2199-12-31T12:00", "ends after 2199-12-31"),  # in range, but the two-day booking ends past it
])
def test_a_reschedule_past_the_calendar_is_a_400(app, admin, world, bookings, moment, message):
    appointment = bookings.appointment()
    with app.app_context():  # a two-day booking (a course): its end is its start plus two days
        db.session.get(Appointment, appointment.id).ends_at = appointment.starts_at + timedelta(days=2)
        db.session.commit()
    response = admin.get(f"/appointments/{appointment.id}/reschedule", query_string={"new_time": moment})
    assert response.status_code == 400
    assert message in page(response).text
    response = admin.submit(f"/appointments/{appointment.id}/reschedule", {"new_time": moment})
    assert response.status_code == 400


# --- the intake API: deep JSON, surrogates, odd ids, mixed time windows ---------------------------

@pytest.fixture
def api(app, world, client):
    add_token(app, world, TOKEN)

    def post(raw):
        return client.post("/api/v1/callbacks", data=raw, content_type="application/json",
                           headers={"Authorization": f"Bearer {TOKEN}"})
    return post


def body(world, **changes):
    return {"customer_name": "Anna", "phone_number": "030 1234567", "branch_id": world.north.id, **changes}


@pytest.mark.parametrize("raw", ["[" * 2000, '{"a":' * 2000, '{"customer_name": ' + "[" * 50 + "]" * 50 + "}"])
def test_deep_json_is_a_400_not_a_recursion_error(app, api, raw):
    response = api(raw)
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]
    assert rows(app, CallbackRequest) == 0


@pytest.mark.parametrize("field", ["customer_name", "notes", "phone_number"])
def test_lone_surrogates_in_api_text_are_refused(app, api, world, field):
    response = api(json.dumps(body(world, **{field: "Anna \ud800"})))  # dumps writes "\ud800"
    assert response.status_code == 400
    assert "lone surrogate" in response.get_json()["error"]
    assert rows(app, CallbackRequest) == 0


@pytest.mark.parametrize("value", ["²", "١", 10**30, "9" * 5000, -1, 1.5, True, [1], {"id": 1}])
def test_odd_ids_in_the_api_are_unknown_records(app, api, world, value):
    response = api(json.dumps(body(world, branch_id=value)))
    assert response.status_code == 422
    assert response.get_json()["fields"]["branch_id"] == "Unknown branch."


def test_a_time_window_mixing_offset_aware_and_naive_times_is_a_422(app, api, world):
    window = {"start": "2026-12-01T14:00+01:00", "end": "2026-12-01T16:00"}
    response = api(json.dumps(body(world, preferred_time_window=window)))
    assert response.status_code == 422
    assert "UTC offset, or neither" in response.get_json()["fields"]["preferred_time_window"]
    window = {"start": "9999-12-31T23:00", "end": "9999-12-31T23:59"}
    assert api(json.dumps(body(world, preferred_time_window=window))).status_code == 422
    assert rows(app, CallbackRequest) == 0


@pytest.mark.parametrize("raw", ['{"customer_name": NaN}', '{"branch_id": Infinity}', "[1e999]"])
def test_json_without_real_numbers_is_refused(app, api, raw):
    assert api(raw).status_code == 400


def test_fee_tiers_written_as_deep_json_are_refused_beside_the_field(app, admin, world):
    response = admin.submit(f"/policies/cancellation/branch/{world.north.id}",
                            {"version": "0", "mode_fee_tiers": "override", "value_fee_tiers": "[" * 2000})
    assert response.status_code == 400
    assert "nested too deeply" in page(response).one(id="error-fee_tiers").text
    assert rows(app, PolicyConfiguration) == 0


# --- merged notes stay within the column, the newest note is kept ---------------------------------

def test_repeated_merges_from_one_phone_never_fail_and_keep_the_newest_note(app, api, world):
    first = api(json.dumps(body(world, notes="first " + "x" * 1990)))
    assert first.status_code == 201
    for number in range(12):  # 12 × 2,000 characters: far past the bound
        note = f"request {number} " + "y" * 1980
        response = api(json.dumps(body(world, notes=note)))
        assert response.status_code == 200, response.get_json()
        notes = load(app, first.get_json()["id"]).notes
        assert notes.endswith(note)  # the newest is kept whole
        assert len(notes) <= MERGED_NOTES_MAX
    assert notes.startswith(SHORTENED_MARKER)
    assert "first" not in notes  # the oldest gave way
    assert rows(app, CallbackRequest) == 1


# --- url_for never sees request arguments --------------------------------------------------------

@pytest.mark.parametrize("query", ["_external=1", "_anchor=x&_scheme=https", "endpoint=x", "_method=GET",
                                   "tab=open&_external=1&priority=urgent"])
def test_bulk_assign_redirects_to_the_queue_on_this_site(app, admin, world, query):
    callback = add_callback(app, world)
    response = admin.post(f"/callbacks/bulk-assign?{query}",
                          data={"callbacks": f"{callback.id}:{callback.version}", "staff_id": world.ann.id,
                                "csrf_token": admin.csrf_token("/")})
    assert response.status_code == 302
    assert response.location.startswith("/callbacks/")  # relative: _external never reached url_for
    assert load(app, callback.id).status == "assigned"
    if "priority" in query:
        assert "priority=urgent" in response.location


@pytest.mark.parametrize("url", ["/appointments/?_external=1&page=1", "/appointments/modifications?_external=1",
                                 "/appointments/?endpoint=x", "/appointments/modifications?_anchor=x",
                                 "/policies/simulator?_external=1&hours=5&customer=Customer"])
def test_links_built_from_filters_stay_on_this_site(app, admin, bookings, monkeypatch, url):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)  # two pages: the pager's links are built
    for _ in range(2):
        bookings.modification(bookings.appointment())
    response = admin.get(url)
    assert response.status_code in (200, 400)  # the simulator: several customers match (400, listed)
    links = [link for link in page(response).links() if "page=" in link or ".csv" in link or "customer=" in link]
    assert links
    assert not [link for link in links if not link.startswith("/")]  # _external never reached url_for
    assert not [link for link in links if "endpoint=" in link or "_anchor" in link or "#x" in link]


# --- what no field may hold ----------------------------------------------------------------------

def test_a_nul_or_control_character_in_any_value_is_a_400(app, admin, world):
    callback = add_callback(app, world)
    response = admin.get("/callbacks/", query_string={"q": "Anna\x00"})
    assert response.status_code == 400
    assert error_message(response).startswith("Search: contains control characters")
    response = admin.submit(f"/callbacks/{callback.id}/attempt", {"version": callback.version, "note": "a\x07b"})
    assert response.status_code == 400
    assert load(app, callback.id).contact_attempts == 0


def test_line_breaks_and_tabs_are_fine_in_text(app, admin, world):
    callback = add_callback(app, world, status="assigned", assignee=world.bob)
    response = admin.submit(f"/callbacks/{callback.id}/attempt",
                            {"version": callback.version, "note": "no answer\r\n\tvoicemail"})
    assert response.status_code == 302
    assert load(app, callback.id).contact_attempts == 1


def test_an_overlong_value_or_too_many_values_are_refused(admin):
    response = admin.get("/callbacks/", query_string={"q": "x" * 20_001})
    assert response.status_code == 413
    assert "at most 20,000 characters" in error_message(response)
    response = admin.get("/callbacks/?" + "&".join(f"k{n}=1" for n in range(301)))
    assert response.status_code == 400
    assert "too many values" in error_message(response)


def test_a_body_over_a_mebibyte_is_a_413(admin):
    response = admin.post("/callbacks/new", data={"notes": "x" * (1024 * 1024)})
    assert response.status_code == 413
