"""Cached values as JSON: typed values to plain JSON data and back, driven by type hints.

A value in the cache is a copy of what the database holds, and whoever can write to Redis must
not be able to run code on the app servers, so nothing in the cache path is ever unpickled.
`encode` turns dataclasses, tuples, sets, dicts with tuple keys, datetimes and decimals into
JSON data; `decode(hint, data)` rebuilds the value the hint describes (the dataclass, its fields'
types, `X | None`, `tuple[X, ...]`, `dict[K, V]` …). Data that does not fit the hint raises
`CodecError`, which the cache treats as a miss.
"""
import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Union


class CodecError(ValueError):
    """Cached data that does not match the type it is read as."""


PLAIN = frozenset({type(None), bool, int, float, str})  # JSON as they are


def encode(value: Any) -> Any:
    """JSON data for `value`: dataclasses become objects of their fields, tuples and sets lists,
    dicts with other than text keys lists of [key, value] pairs, times ISO text, decimals text."""
    kind: Any = type(value)
    if kind in PLAIN:
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: _encoded(getattr(value, name)) for name in names}
    if isinstance(value, bool | int | float | str):  # subclasses (an IntEnum, a str subtype)
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        if all(isinstance(key, str) for key in value):
            return {key: _encoded(item) for key, item in value.items()}
        return [[_encoded(key), _encoded(item)] for key, item in value.items()]
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [_encoded(item) for item in items]
    raise TypeError(f"{kind.__name__} cannot be cached as JSON")


def _encoded(value: Any) -> Any:
    """encode, without a call for the plain values most of a cached value is made of."""
    return value if type(value) in PLAIN else encode(value)


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type, in order (None for any other type): looked up once per type."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(field.name for field in dataclasses.fields(kind))


def decode(hint: Any, data: Any) -> Any:
    """The value of type `hint` that `encode` turned into `data`."""
    return decoder(hint)(data)


Decoder = Callable[[Any], Any]


@cache
def decoder(hint: Any) -> Decoder:
    """A function reading data of type `hint`, built once per hint (pages read many values)."""
    if hint is Any or hint is object:
        return _same
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return _union_decoder(typing.get_args(hint))
    if origin is typing.Literal:
        return _literal_decoder(typing.get_args(hint))
    if origin is not None:
        return _generic_decoder(origin, typing.get_args(hint))
    if hint in (dict, list, tuple, set, frozenset):  # unparametrised: items as JSON gives them
        return _generic_decoder(hint, ())
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    return _scalar_decoder(hint)


def _same(data: Any) -> Any:
    return data


def _union_decoder(options: tuple) -> Decoder:
    optional = type(None) in options
    readers = [decoder(o) for o in options if o is not type(None)]

    def read(data: Any) -> Any:
        if data is None and optional:
            return None
        problems = []
        for reader in readers:
            try:
                return reader(data)
            except CodecError as problem:
                problems.append(str(problem))
        raise CodecError("; ".join(problems) or "no type fits")

    return read


def _literal_decoder(values: tuple) -> Decoder:
    def read(data: Any) -> Any:
        if data not in values:
            raise CodecError(f"{data!r} is not one of {values}")
        return data

    return read


def _generic_decoder(origin: Any, args: tuple) -> Decoder:
    if origin in (dict, Mapping) or origin is typing.Mapping:
        key_hint, value_hint = args or (Any, Any)
        read_key, read_value = decoder(key_hint), decoder(value_hint)

        def read_mapping(data: Any) -> dict:
            pairs = data.items() if isinstance(data, dict) else _pairs(data)
            return {read_key(key): read_value(value) for key, value in pairs}

        return read_mapping
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        return _fixed_tuple_decoder(args)
    read_item = decoder(args[0]) if args else _same
    build = _builder(origin)

    def read_items(data: Any) -> Any:
        if not isinstance(data, list):
            raise CodecError(f"expected a list for {origin.__name__}, got {type(data).__name__}")
        return build([read_item(item) for item in data])

    return read_items


def _builder(origin: Any) -> Callable[[list], Any]:
    if origin in (frozenset, AbstractSet) or origin is typing.AbstractSet:
        return frozenset
    if origin is set:
        return set
    if origin is list:
        return _same
    if origin in (tuple, Sequence) or origin is typing.Sequence:
        return tuple
    raise CodecError(f"cannot read {origin!r} from the cache")


def _fixed_tuple_decoder(args: tuple) -> Decoder:
    readers = [decoder(arg) for arg in args]

    def read(data: Any) -> tuple:
        if not isinstance(data, list) or len(data) != len(readers):
            raise CodecError(f"expected a list of {len(readers)} items")
        return tuple(reader(item) for reader, item in zip(readers, data, strict=True))

    return read


def _pairs(data: Any) -> list:
    if not isinstance(data, list) or not all(isinstance(p, list) and len(p) == 2 for p in data):
        raise CodecError("expected a list of [key, value] pairs")
    return data


def _dataclass_decoder(cls: type) -> Decoder:
    fields: list[tuple[str, Decoder, bool]] = []  # built on first use: a field may name `cls` itself

    def read(data: Any) -> Any:
        if not isinstance(data, dict):
            raise CodecError(f"expected an object for {cls.__name__}")
        if not fields:
            hints = typing.get_type_hints(cls)
            fields.extend((f.name, decoder(hints[f.name]),
                           f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
                          for f in dataclasses.fields(cls))
        values = {}
        for name, reader, required in fields:
            if name in data:
                values[name] = reader(data[name])
            elif required:
                raise CodecError(f"{cls.__name__}.{name} is missing")
        return cls(**values)

    return read


def _scalar_decoder(hint: Any) -> Decoder:
    if hint in (datetime, date, Decimal):
        parsers: dict[type, Callable[[Any], Any]] = {
            datetime: datetime.fromisoformat, date: date.fromisoformat, Decimal: Decimal}
        parse = parsers[hint]

        def read_parsed(data: Any) -> Any:
            try:
                return parse(data)
            except (TypeError, ValueError, InvalidOperation) as problem:
                raise CodecError(f"not a {hint.__name__}: {data!r}") from problem

        return read_parsed
    if hint in (bool, int, float, str, type(None)):
        def read_plain(data: Any) -> Any:
            if type(data) is hint:
                return data
            if hint is float and type(data) is int:
                return float(data)
            raise CodecError(f"expected {hint.__name__}, got {type(data).__name__}")

        return read_plain
    if isinstance(hint, type):
        raise CodecError(f"{hint.__name__} is not a type the cache can read")
    return _same  # a type variable or alias the codec does not inspect
