"""Walk every route: anonymous visitors go to sign-in, and another company's records are 404."""
import pytest

from tests.appointments.support import appointment_records

# The one-time link page is opened before its user can sign in; tests/organisation/test_links.py
# covers it (a token names no tenant record: unknown, used and expired tokens are refused alike).
# The unsubscribe link in a notification email is opened by a customer, who has no account: its signed
# token is the proof (tests/delivery/test_pages.py covers forged and foreign tokens). The language
# switch serves the sign-in page too (a cookie); tests/web/test_i18n.py covers it.
PUBLIC_ENDPOINTS = {"static", "auth.login", "main.healthz", "main.livez", "organisation.set_password",
                    "deliveries.unsubscribe", "main.switch_language"}


def app_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint not in PUBLIC_ENDPOINTS and not rule.rule.startswith("/api/")]


def record_args(make, world) -> dict:
    """URL arguments naming records of `world`'s company, by argument name.

    Each area that adds routes with new record arguments creates one such record here."""
    from tests.accounts.support import add_session
    from tests.callbacks.support import add_callback, add_escalation, add_token
    from tests.delivery.support import add_delivery

    callback = add_callback(make.app, world)
    return {
        "delivery_id": add_delivery(make.app, world),
        "session_id": add_session(make.app, world.admin),
        "callback_id": callback.id, "escalation_id": add_escalation(make.app, callback).id,
        "token_id": add_token(make.app, world).id,
        "branch_id": world.north.id, "service_id": world.cut.id, "staff_id": world.ann.id,
        "user_id": world.admin.id, "company_id": world.company.id,
        "level": "branch", "entity_id": world.north.id, "policy_type": "cancellation",
        "event_type": "reminder_24h", "channel": "sms",
        **appointment_records(make, world),
    }


def build_url(app, rule, args):
    missing = set(rule.arguments) - set(args)
    assert not missing, f"{rule.endpoint}: add a record for {missing} to record_args()"
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **{name: args[name] for name in rule.arguments})


def test_every_route_sends_anonymous_visitors_to_sign_in(app, client, make, world):
    token = client.csrf_token("/login")
    for rule in app_rules(app):
        url = build_url(app, rule, record_args(make, world))
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            assert response.status_code == 302, f"{method} {url}"
            assert response.location.startswith("/login"), f"{method} {url}"


def test_another_companys_records_are_404_on_every_route(app, client, make, world):
    stranger = make.world()  # a second company with the same shape
    client.login(world.admin.email)
    token = client.csrf_token("/")
    foreign_args = record_args(make, stranger)
    for rule in app_rules(app):
        if not set(rule.arguments) - {"level", "policy_type", "event_type", "channel"}:
            continue  # no record in the URL: nothing of another company to reach
        url = build_url(app, rule, foreign_args)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            assert response.status_code == 404, f"{method} {url} gave {response.status_code}"


def test_pages_without_records_never_show_another_company(app, client, make, world):
    stranger = make.world()
    client.login(world.admin.email)
    for rule in app_rules(app):
        if rule.arguments or "GET" not in rule.methods:
            continue
        body = client.get(build_url(app, rule, {})).get_data(as_text=True)
        assert stranger.company.name not in body, rule.endpoint


@pytest.mark.parametrize(("role", "path", "status"), [
    ("manager", "/admin/users", 403),
    ("agent", "/admin/users", 403),
    ("admin", "/admin/users", 200),
])
def test_admin_pages_are_refused_to_other_roles(client, world, role, path, status):
    client.login(getattr(world, role).email)
    assert client.get(path).status_code == status


def test_unknown_page_is_a_friendly_404(client, world):
    client.login(world.admin.email)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"does not exist" in response.data
    assert b"Back to the dashboard" in response.data
