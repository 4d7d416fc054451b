"""Configuration values kept in the process: later requests of the same generation neither ask
the cache nor decode; a configuration change, emptying the cache, the size bound and the expiry
each retire them."""
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.cache import cached, cached_each
from portal.cache.generation import generation, shared_memo
from portal.cache.process import MISSING, ProcessValues
from portal.extensions import cache, db
from portal.models import Branch, CallbackRequest, PolicyConfiguration, utcnow


class Asked:
    """Counts the keys the app's cache backend is asked for (get and get_many)."""

    def __init__(self, app, monkeypatch):
        self.keys: list[str] = []
        backend = app.extensions["cache"][cache]
        get, get_many = backend.get, backend.get_many
        inside = []  # SimpleCache's get_many calls get for each key: counted once

        def counted_get(key):
            if not inside:
                self.keys.append(key)
            return get(key)

        def counted_get_many(*keys):
            self.keys.extend(keys)
            inside.append(True)
            try:
                return get_many(*keys)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, "get", counted_get)
        monkeypatch.setattr(backend, "get_many", counted_get_many)


@pytest.fixture
def asked(app, monkeypatch):
    return Asked(app, monkeypatch)


def produce_counting(calls: list, value):
    def produce():
        calls.append(value)
        return value
    return produce


def test_a_value_kept_in_process_is_neither_asked_for_nor_produced_again(app, world, asked):
    calls: list = []
    for _ in range(3):  # three requests of one generation
        with app.test_request_context():
            assert cached(world.company.id, "probe", list[int], produce_counting(calls, [1, 2]),
                          in_process=True) == [1, 2]
    assert calls == [[1, 2]]
    assert len(asked.keys) == 1  # the first request asked the cache (and missed), the others did not


def test_without_in_process_every_request_asks_the_cache(app, world, asked):
    calls: list = []
    for _ in range(3):
        with app.test_request_context():
            cached(world.company.id, "probe", list[int], produce_counting(calls, [1]))
    assert calls == [[1]]
    assert len(asked.keys) == 3


def test_a_configuration_change_retires_the_kept_value(app, world):
    company_id = world.company.id
    with app.test_request_context():
        before = generation(company_id)
        assert cached(company_id, "branch-names", list[str], branch_names(company_id), in_process=True) \
            == ["North", "South"]
    with app.test_request_context():
        db.session.get(Branch, world.north.id).name = "Nord"  # a hierarchy change bumps the generation
        db.session.commit()
    with app.test_request_context():
        assert generation(company_id) == before + 1
        assert cached(company_id, "branch-names", list[str], branch_names(company_id), in_process=True) \
            == ["Nord", "South"]


def branch_names(company_id: int):
    def produce() -> list[str]:
        return sorted(b.name for b in db.session.query(Branch).filter_by(company_id=company_id))
    return produce


def test_emptying_the_cache_empties_the_values_kept_in_process(app, world, asked):
    calls: list = []
    with app.test_request_context():
        cached(world.company.id, "probe", str, produce_counting(calls, "a"), in_process=True)
        cache.clear()
        cached(world.company.id, "probe", str, produce_counting(calls, "a"), in_process=True)
    assert calls == ["a", "a"]


def test_cached_each_asks_only_for_the_names_the_process_does_not_hold(app, world, asked):
    calls: list = []
    company_id = world.company.id
    with app.test_request_context():
        first = cached_each(company_id, {"x": produce_counting(calls, "X")}, str, in_process=True)
    asked.keys.clear()
    with app.test_request_context():
        both = cached_each(company_id, {"x": produce_counting(calls, "X"), "y": produce_counting(calls, "Y")},
                           str, in_process=True)
    assert (first, both) == ({"x": "X"}, {"x": "X", "y": "Y"})
    assert calls == ["X", "Y"]
    assert [key.rsplit(":", 1)[1] for key in asked.keys] == ["y"]


def test_a_shared_memo_is_one_dict_per_generation(app, world):
    company_id = world.company.id
    with app.test_request_context():
        memo = shared_memo(company_id, "paths")
        memo["north"] = 1
    with app.test_request_context():
        assert shared_memo(company_id, "paths") == {"north": 1}
        db.session.get(Branch, world.south.id).city = "Graz"
        db.session.commit()
    with app.test_request_context():
        assert shared_memo(company_id, "paths") == {}


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=60), st.integers(min_value=1, max_value=8))
def test_at_most_the_bound_is_kept_and_the_least_recently_used_goes_first(uses, bound):
    values, recent = ProcessValues(bound, 60), []
    for use in uses:
        key = f"k{use}"
        if values.get(key) is MISSING:
            values.put(key, use)
        recent = [k for k in recent if k != key] + [key]
    assert len(values) == min(bound, len(set(uses)))
    kept = recent[-bound:]
    assert all(values.get(key) == int(key[1:]) for key in kept)


def test_a_kept_value_expires(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("portal.cache.process.time.monotonic", lambda: clock[0])
    values = ProcessValues(4, 300)
    values.put("k", "v")
    clock[0] += 299
    assert values.get("k") == "v"
    clock[0] += 2
    assert values.get("k") is MISSING


def test_the_queue_follows_a_changed_due_soon_setting_on_the_next_request(app, client, world):
    """The effective callback policy of each path is kept per process and generation: a changed
    setting shows on the very next page."""
    with app.app_context():
        db.session.add(CallbackRequest(
            company_id=world.company.id, branch_id=world.north.id, customer_name="Kim Weber",
            phone_number="+4915110000001", status="pending", priority="normal",
            expires_at=utcnow() + timedelta(minutes=60)))
        db.session.commit()
    client.login(world.admin.email)
    assert 'data-deadline="on_time"' in client.get("/callbacks/").get_data(as_text=True)
    with app.app_context():
        db.session.add(PolicyConfiguration(company_id=world.company.id, configurable_type="branch",
                                           configurable_id=world.north.id, policy_type="callback",
                                           config={"due_soon_minutes": 90}))
        db.session.commit()
    assert 'data-deadline="due_soon"' in client.get("/callbacks/").get_data(as_text=True)


def test_what_an_uncommitted_change_read_is_kept_nowhere_so_a_rollback_leaves_no_trace(app, world):
    """A transaction that bumped the generation reads under the next generation's keys; were it
    to keep what it read there, a rollback followed by another change would find it."""
    company_id = world.company.id
    with app.test_request_context():
        db.session.get(Branch, world.north.id).name = "Rolled back"
        db.session.flush()  # the bump, not committed
        assert cached(company_id, "branch-names", list[str], branch_names(company_id), in_process=True) \
            == ["Rolled back", "South"]
        shared_memo(company_id, "paths")["seen"] = "Rolled back"
        db.session.rollback()
    with app.test_request_context():
        db.session.get(Branch, world.south.id).name = "Süd"  # the same next generation, committed
        db.session.commit()
    with app.test_request_context():
        assert cached(company_id, "branch-names", list[str], branch_names(company_id), in_process=True) \
            == ["North", "Süd"]
        assert cached(company_id, "branch-names", list[str], branch_names(company_id)) == ["North", "Süd"]
        assert shared_memo(company_id, "paths") == {}
