"""Cached values are JSON: typed round trips, and a pickle planted in Redis is never unpickled."""
import pickle
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import create_app
from portal.cache import cached
from portal.cache.codec import CodecError, decode, encode
from portal.cache.generation import FORMAT, cache_key
from portal.cache.serializer import JSONSerializer
from portal.domain.inheritance import Effective, Entity, Source, StaffMember, TreeInput
from portal.domain.notifications import ResolvedCell
from portal.extensions import cache
from portal.services.notifications.read import NodeMatrix, StoredCell

names = st.text(max_size=12)
ids = st.integers(min_value=1, max_value=2**40)
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1))
json_values = st.recursive(st.none() | st.booleans() | st.integers() | names,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
                           max_leaves=8)
sources = st.builds(Source, st.sampled_from(("company", "branch", "default")), st.none() | ids, st.none() | names)
effective = st.builds(Effective, names, json_values, sources, st.lists(sources, max_size=3).map(tuple),
                      st.lists(json_values, max_size=3).map(tuple))
trees = st.builds(
    TreeInput, st.builds(Entity, ids, names),
    st.lists(st.builds(Entity, ids, names), max_size=4).map(tuple),
    st.lists(st.builds(Entity, ids, names), max_size=4).map(tuple),
    st.lists(st.builds(StaffMember, ids, names, st.none() | ids), max_size=4).map(tuple),
    st.frozensets(st.tuples(ids, ids), max_size=5), st.frozensets(st.tuples(ids, ids), max_size=5))
cells = st.builds(ResolvedCell, names, names, st.dictionaries(names, effective, max_size=3),
                  st.none() | sources, st.lists(sources, max_size=2).map(tuple))
stored_cells = st.builds(StoredCell, ids, ids, st.dictionaries(names, json_values, max_size=3), st.booleans(),
                         moments, st.none() | names)
matrices = st.builds(NodeMatrix, st.just(()), st.dictionaries(st.tuples(names, names), cells, max_size=3),
                     st.dictionaries(st.tuples(names, names), stored_cells, max_size=3),
                     st.dictionaries(st.tuples(names, ids), names, max_size=3))


def through_json(kind, value):
    serializer = JSONSerializer()
    return decode(kind, serializer.loads(serializer.dumps(encode(value))))


@given(trees)
def test_a_tree_input_comes_back_equal(tree):
    assert through_json(TreeInput, tree) == tree


@given(matrices)
def test_a_node_matrix_comes_back_equal_with_tuple_keys_and_times(matrix):
    assert through_json(NodeMatrix, matrix) == matrix


@given(st.none() | st.dictionaries(names, json_values, max_size=4))
def test_an_effective_config_or_none_comes_back_equal(config):
    assert through_json(dict | None, config) == config


def test_decimals_and_times_come_back_as_their_types():
    @dataclass(frozen=True)
    class Fee:
        amount: Decimal
        at: datetime
        tiers: tuple[int, ...]

    fee = Fee(Decimal("12.50"), datetime(2026, 3, 29, 1, 30), (24, 48))
    assert through_json(Fee, fee) == fee


@pytest.mark.parametrize(("kind", "data"), [
    (TreeInput, {"branches": []}),  # the company is missing
    (tuple[int, int], [1]),
    (dict[tuple[str, int], str], {"branch": "x"}),  # tuple keys travel as pairs
    (int, "7"),
    (datetime, "yesterday"),
])
def test_data_that_does_not_fit_the_type_is_refused(kind, data):
    with pytest.raises(CodecError):
        decode(kind, data)


def test_values_json_cannot_hold_are_refused_when_stored_never_pickled():
    with pytest.raises(TypeError):
        encode(object())
    with pytest.raises(TypeError):
        JSONSerializer().dumps(object())


class Exploit:
    """Unpickling this would record that code ran on the app server."""

    ran = []

    def __reduce__(self):
        return (Exploit.ran.append, ("unpickled",))


def planted_pickle() -> bytes:
    return b"!" + pickle.dumps(Exploit())  # exactly what cachelib's Redis serializer would read


@pytest.fixture
def on_redis(redis_app):
    with redis_app.app_context():
        yield cache.cache  # the backend: its client writes raw bytes past the serializer


def test_a_pickle_planted_in_redis_is_a_miss_and_never_unpickled(redis_app, on_redis, world):
    Exploit.ran.clear()
    key = cache_key(world.company.id, "effective:cancellation:company:1")
    on_redis._write_client.set(on_redis._get_prefix() + key, planted_pickle())
    value = cached(world.company.id, "effective:cancellation:company:1", dict | None, lambda: {"fresh": 1})
    assert value == {"fresh": 1}
    assert Exploit.ran == []
    assert cached(world.company.id, "effective:cancellation:company:1", dict | None, dict) == {"fresh": 1}


def test_a_pickle_under_any_key_is_never_unpickled_by_a_plain_read(redis_app, on_redis):
    Exploit.ran.clear()
    on_redis._write_client.set(on_redis._get_prefix() + "login:someone", planted_pickle())
    assert cache.get("login:someone") is None  # e.g. the sign-in throttle's counter
    assert Exploit.ran == []


def test_keys_carry_the_storage_format_so_old_pickles_are_never_looked_up(app, world):
    with app.app_context():
        assert cache_key(world.company.id, "tree").startswith(f"cfg:{FORMAT}:{world.company.id}:")


def test_the_in_process_cache_stores_json_too(app, world):
    in_process = create_app({"ENV_NAME": "testing", "CACHE_TYPE": "SimpleCache",
                             "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with in_process.app_context():
        cached(world.company.id, "probe", dict, lambda: {"a": (1, 2)})
        raw = cache.cache._cache[cache_key(world.company.id, "probe")][1]  # cachelib keeps (expiry, bytes)
        assert raw == b'{"value":{"a":[1,2]}}'


@dataclass(frozen=True)
class Branchy:
    name: str
    children: tuple["Branchy", ...] = ()


def test_a_type_that_contains_itself_comes_back_equal():
    tree = Branchy("root", (Branchy("a", (Branchy("a1"),)), Branchy("b")))
    assert through_json(Branchy, tree) == tree
