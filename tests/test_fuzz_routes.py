"""Route fuzzing: every route of the url_map, every method, as every role, with generated path,
query, form and JSON values (Unicode digits, huge integers, NaN, edge dates, deep JSON, lone
surrogates, control characters, url_for's own keywords, …).

Two properties, for every request:
- no 5xx: bad input of any shape is a 4xx with a message (a 500 is a bug);
- a refused request (4xx) changes nothing: the row count of every table, and the contents of
  the tables people change through the pages, are what they were before it.

The default run has a bounded budget (EXAMPLES_PER_ROUTE examples per route, well under a minute
for the whole file on 2 cores); `HYPOTHESIS_PROFILE=fuzz` runs many more (see tests/conftest.py).
The parametrisation comes from the app's url_map, so a new route is fuzzed without a line here.
"""
import hashlib
import json
import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from portal import create_app
from portal.domain.api_scopes import SCOPES, format_scopes
from portal.domain.notifications import KEYS as CELL_KEYS
from portal.domain.policy_schema import POLICY_TYPES, key_specs
from portal.extensions import db
from portal.services.callbacks.intake import FIELDS as INTAKE_FIELDS
from tests.callbacks.support import add_token
from tests.test_access import record_args

# Examples per route: bounded in the default run; HYPOTHESIS_PROFILE=fuzz for a long one.
EXAMPLES_PER_ROUTE = 200 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 12
ROLES = ("anonymous", "admin", "manager", "agent")
DRAWN_ROLES = ("anonymous", "admin", "admin", "manager", "agent")  # admins reach the most
# Signing out ends every session of the user: the rest of the run would be anonymous.
NOT_FUZZED = {"auth.logout", "static"}
# Tables that record refusals themselves (a security log counts 403s): not part of "changed nothing".
REFUSAL_LOGS = {"security_events"}
# Tables whose rows the pages change: their contents, not only their counts, must stay the same.
CONTENT_CHECKED = ("policy_configurations", "notification_configurations", "callback_requests",
                   "callback_escalations", "appointments", "appointment_modifications", "api_tokens",
                   "audit_events", "branches", "services", "staff", "customers", "companies")
API_TOKEN = "cbt_fuzz-token-1234567890"

# Values by kind; each kind is drawn as often as any other, so rare shapes come up at any budget.
EDGE_VALUES = {
    "digits of other scripts": ["²", "١٢", "٣", "𝟙", "５", "߁", "1_0", "+1", " 7 ", "1e3", "-1", "0", "1.5"],
    "huge numbers": ["9" * 19, "9" * 20, "9" * 30, "9" * 5000, str(2**63), str(2**63 - 1), str(2**31),
                     "-" + "9" * 30, "1" * 4301],
    "not finite": ["NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN", "1e999999", "-0", "12,50"],
    "calendar edges": ["0001-01-01", "9999-12-31", "9999-12-31T23:59", "0001-01-01T00:00", "2026-02-30",
                       "2026-05-03T14:30+02:00", "2026-05-03T14:30", "2199-12-31T23:59", "1900-01-01",
                       "2026-05-03T25:00", "20260503"],
    "deep or odd JSON": ["[" * 2000, "{" * 1000, '{"a":' * 500, '[{"min_hours": 24, "fee": "NaN"}]', "[]",
                         "{}", "null", '[{"min_hours": "²", "fee": 1}]', "[" * 30 + "]" * 30],
    "bad text": ["\x00", "a\x00b", "\x07", "\u202e", "\ud800", "a\udfffb", "x" * 25_000, "😀" * 300,
                 "İ", "ß", "\r\n", "\t"],
    "links and keywords": ["//evil.example", "https://evil.example", "javascript:alert(1)",
                           "<script>x</script>", "'; DROP TABLE users; --", "%", "%00", "/", "..", "x/../y"],
    "words the forms use": ["unlimited", "true", "yes", "on", "series", "single", "me", "unassigned", "open",
                            "all", "override", "inherit", "set", "standard", "reset_row", "reset_key",
                            "preview", "save", "reset_cell", "cancellation", "callback", "company", "branch",
                            "service", "staff", "sms", "email", "none", "urgent", "high", "normal", "de",
                            "cancel_30d", "reschedule", "1:1", "1:²", "0.20260101000000000000.1.1",
                            "24 h: 10.00", "48 h: 0\n24 h: 50 %", "+49 30 1234567", "0151 2345678"],
}
EDGE_TEXT = [value for values in EDGE_VALUES.values() for value in values]
POLICY_KEYS = sorted({spec.name for kind in POLICY_TYPES for spec in key_specs(kind)})
EDITOR_KEYS = [f"{prefix}_{key}" for key in (*POLICY_KEYS, "bogus") for prefix in ("mode", "value")]
CELL_FIELDS = [f"{prefix}_{key}" for key in (*CELL_KEYS, "bogus") for prefix in ("mode", "value")]
URL_FOR_KEYWORDS = ["_external", "_anchor", "_scheme", "_method", "endpoint", "values"]
# The keys each area reads (query and form); half of all keys drawn come from the route's area.
AREA_KEYS = {
    "callbacks": ["tab", "priority", "branch", "assignee", "overdue", "q", "page", "before", "after",
                  "version", "note", "notes", "reason", "staff_id", "callbacks", "name", "customer_name",
                  "phone_number", "customer_email", "branch_id", "service_id", "window_start", "window_end"],
    "appointments": ["page", "date_from", "date_to", "branch", "staff", "status", "customer", "type",
                     "within_policy", "fee_charged", "rank", "scope", "new_time", "seen", "reason", "force",
                     "waive_fee", "waiver_reason"],
    "policies": ["type", "branch", "service", "staff", "q", "level", "entity_id", "scenario", "hours", "price",
                 "customer", "rolling", "moved", "version", "action", "key", *EDITOR_KEYS],
    "notifications": ["lang", "branch", "service", "version", "action", "key", "locked", *CELL_FIELDS],
    "auth": ["next", "email", "password"],
    "deliveries": ["event", "channel", "status", "customer", "customer_id", "from", "to", "page", "language",
                   "template"],
}
ALL_KEYS = sorted({key for keys in AREA_KEYS.values() for key in keys} | set(URL_FOR_KEYWORDS))
API_TOKEN = "cbt_fuzz-token-1234567890"


def _url_map():
    """The routes, from an app that is never served (collection happens before the fixtures)."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "CACHE_TYPE": "SimpleCache"})
    return {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint not in NOT_FUZZED}


RULES = _url_map()


# --- what is sent ----------------------------------------------------------------------------

def text_values(known: list[str]):
    """Values of a field: each kind of edge case, the world's real values, numbers and any text."""
    return st.one_of(*(st.sampled_from(values) for values in EDGE_VALUES.values()),
                     st.sampled_from(known or ["1"]), st.integers(-(10**25), 10**25).map(str),
                     st.text(max_size=30))


def keys(area: str):
    own = AREA_KEYS.get(area, ALL_KEYS)
    return st.one_of(st.sampled_from(own), st.sampled_from(own), st.sampled_from(ALL_KEYS),
                     st.sampled_from(URL_FOR_KEYWORDS), st.text(max_size=8))


def encode(pairs) -> str:
    """A query string or form body as bytes on the wire; lone surrogates become invalid UTF-8."""
    def q(value: str) -> str:
        return quote(value, safe="", encoding="utf-8", errors="surrogatepass")
    return "&".join(f"{q(key)}={q(value)}" for key, value in pairs)


def json_leaves(known):
    return st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(),
                     st.text(max_size=20), st.sampled_from(EDGE_TEXT), st.sampled_from(known or [1]))


def json_body(known):
    """Intake bodies: the real fields with any JSON values, or raw text that is not quite JSON."""
    values = st.recursive(json_leaves(known), lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.sampled_from(["start", "end", "x"]), inner, max_size=3),
                          max_leaves=6)
    window = st.fixed_dictionaries({"start": st.sampled_from(EDGE_TEXT), "end": st.sampled_from(EDGE_TEXT)})
    fields = st.dictionaries(st.sampled_from([*INTAKE_FIELDS, "colour"]), values | window, max_size=6)
    as_text = fields.map(json.dumps)  # json.dumps writes NaN, Infinity and "\ud800" as they come
    return st.one_of(as_text, as_text, st.sampled_from(["[" * 2000, '{"a":' * 2000, "", "nul", "[1, 2]"]),
                     as_text.map(lambda body: body[:-1]), st.text(max_size=50))


# --- what is checked -------------------------------------------------------------------------

def fingerprint(app) -> dict:
    """Row counts of every table, and a digest of the rows of the tables pages change."""
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name not in REFUSAL_LOGS]
        state = {t.name: db.session.scalar(select(text("count(*)")).select_from(t)) for t in tables}
        for table in (t for t in tables if t.name in CONTENT_CHECKED):
            found = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            state[f"{table.name} rows"] = hashlib.sha256(repr(found).encode()).hexdigest()
        db.session.remove()
    return state


@pytest.fixture
def fuzz(app, make, world):
    """The world's records, a signed-in client per role (with its CSRF token), an API token."""
    records = record_args(make, world)
    add_token(app, world, API_TOKEN, scopes=format_scopes(SCOPES))
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            assert client.login(getattr(world, role).email).status_code == 302
        clients[role] = (client, client.csrf_token("/" if role != "anonymous" else "/login"))
    known = sorted({str(value) for value in records.values()} | {world.admin.email, "1:1",
                                                                  f"{records['callback_id']}:1"})
    return records, clients, known


def build_path(rule, draw, records, known) -> str:
    def value(match):
        name = match.group(1)
        real = str(records.get(name, "unknown"))  # e.g. a one-time link token: no record names it
        chosen = draw(st.one_of(st.just(real), st.just(real), text_values(known)), label=name)
        return quote(chosen, safe="", errors="surrogatepass") or "x"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", value, rule.rule)


def send(client, csrf_token, rule, draw, records, known):
    """One generated request to `rule`; returns (response, a description for the failure message)."""
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    method = draw(st.sampled_from(methods * 4 + ["HEAD", "OPTIONS", "PUT", "DELETE"]), label="method")
    path = build_path(rule, draw, records, known)
    area = rule.endpoint.split(".")[0]
    query = draw(st.lists(st.tuples(keys(area), text_values(known)), max_size=4), label="query")
    headers, body, content_type = {}, None, None
    if rule.endpoint.startswith("api."):
        body = draw(json_body([int(v) for v in known if v.isascii() and v.isdigit()]), label="json")
        headers["Authorization"] = draw(st.sampled_from([f"Bearer {API_TOKEN}"] * 3 + ["", "Bearer x"]))
        content_type = draw(st.sampled_from(["application/json", "text/plain"]))
    elif method not in ("GET", "HEAD", "OPTIONS"):
        form = draw(st.lists(st.tuples(keys(area), text_values(known)), max_size=6), label="form")
        token = draw(st.sampled_from([csrf_token] * 4 + ["", "forged"]), label="csrf")
        body, content_type = encode([*form, ("csrf_token", token)]), "application/x-www-form-urlencoded"
    response = client.open(path, method=method, query_string=encode(query), data=body,
                           content_type=content_type, headers=headers)
    described = f"{method} {path}?{encode(query)[:300]} body={str(body)[:300]!r} → {response.status_code}"
    return response, described


@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_no_route_answers_5xx_and_a_refusal_changes_nothing(app, fuzz, endpoint):
    records, clients, known = fuzz
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)

    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def fuzz_once(data):
        role = data.draw(st.sampled_from(DRAWN_ROLES), label="role")
        client, csrf_token = clients[role]
        before = fingerprint(app)
        response, described = send(client, csrf_token, rule, data.draw, records, known)
        assert response.status_code < 500, f"as {role}: {described}"
        if 400 <= response.status_code < 500:
            after = fingerprint(app)
            changed = {name for name in before if before[name] != after.get(name)}
            assert not changed, f"as {role}: {described} changed {sorted(changed)}"

    fuzz_once()
