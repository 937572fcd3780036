"""Property test: every generated structure survives shape -> wire -> JSON -> shape.

For each attrs class of ``aiocognito.shapes`` random instances are built from the field types,
then checked against the service model JSON: the wire dict uses exactly the model's member
names, never carries ``None``, has the wire type the model asks for, is JSON-serializable, and
reads back into an equal instance, through the generated functions and through the cattrs
converter that describes failures alike.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from datetime import UTC, datetime
from functools import cache
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from aiocognito import shapes
from aiocognito._core.serde import converter, from_wire, to_wire

from ._model import SHAPES, is_document

MAX_DEPTH = 6  # structures nested deeper get no optional members and empty containers
MAX_ITEMS = 2


def _structure_classes() -> list[type]:
    classes = [getattr(shapes, name) for name in sorted(shapes._MODULES)]
    return [c for c in classes if attrs.has(c)]


STRUCTURES = _structure_classes()

# ---------------------------------------------------------------------------------------------
# strategies


def _ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


timestamps = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
).map(_ms)

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
integers = st.integers(min_value=-(2**63), max_value=2**63 - 1)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)

json_values = st.recursive(
    st.none() | st.booleans() | integers | finite_floats | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)
# A top-level document member: null would be indistinguishable from "not set".
json_documents = json_values.filter(lambda v: v is not None)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


@cache
def strategy_for(tp: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """A strategy for values of a (resolved) shape field type."""
    if tp is Any:  # JSONValue at run time
        return json_documents
    if _is_union(tp):
        args = typing.get_args(tp)
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 2 and str in non_none and any(_is_enum(a) for a in non_none):
            enum_cls = next(a for a in non_none if _is_enum(a))
            inner: st.SearchStrategy[Any] = st.sampled_from(list(enum_cls)) | texts
        elif len(non_none) == 1:
            inner = strategy_for(non_none[0], depth)
        else:
            raise AssertionError(f"unexpected union {tp!r}")
        if len(non_none) == len(args):
            return inner
        return st.none() if depth >= MAX_DEPTH else st.none() | inner
    origin = typing.get_origin(tp)
    if origin is list:
        (item,) = typing.get_args(tp)
        size = 0 if depth >= MAX_DEPTH else MAX_ITEMS
        return st.lists(strategy_for(item, depth), max_size=size)
    if origin is dict:
        key, value = typing.get_args(tp)
        size = 0 if depth >= MAX_DEPTH else MAX_ITEMS
        return st.dictionaries(strategy_for(key, depth), strategy_for(value, depth), max_size=size)
    if attrs.has(tp):
        attrs.resolve_types(tp)
        return st.builds(tp, **{f.name: strategy_for(f.type, depth + 1) for f in attrs.fields(tp)})
    scalars: dict[Any, st.SearchStrategy[Any]] = {
        str: texts,
        bool: st.booleans(),
        int: integers,
        float: finite_floats,
        bytes: st.binary(max_size=16),
        datetime: timestamps,
    }
    if tp in scalars:
        return scalars[tp]
    if _is_enum(tp):
        return st.sampled_from(list(tp))
    raise AssertionError(f"no strategy for {tp!r}")


# ---------------------------------------------------------------------------------------------
# checks against the model JSON


def check_wire(value: Any, shape_name: str, path: str) -> None:
    """``value`` is the wire form of a value of model shape ``shape_name``."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    assert value is not None, f"{path}: None on the wire"
    if is_document(shape):
        return  # any JSON value, null included
    if kind in ("structure", "union"):
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        members = shape.get("members", {})
        unknown = set(value) - set(members)
        assert not unknown, f"{path}: keys {sorted(unknown)} are not members of {shape_name}"
        for key, item in value.items():
            check_wire(item, members[key]["shape"], f"{path}.{key}")
    elif kind == "list":
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        for i, item in enumerate(value):
            check_wire(item, shape["member"]["shape"], f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{path}: {value!r} is not a map"
        for key, item in value.items():
            assert isinstance(key, str), f"{path}: key {key!r} is not a string"
            check_wire(item, shape["value"]["shape"], f"{path}[{key!r}]")
    elif kind == "string":
        assert isinstance(value, str), f"{path}: {value!r} is not a string"
    elif kind in ("integer", "long", "short", "byte", "biginteger"):
        assert isinstance(value, int), f"{path}: {value!r} is not an int"
        assert not isinstance(value, bool), f"{path}: {value!r} is a bool"
    elif kind in ("float", "double", "bigdecimal"):
        assert isinstance(value, int | float) and not isinstance(value, bool), path
    elif kind == "boolean":
        assert isinstance(value, bool), f"{path}: {value!r} is not a bool"
    elif kind == "timestamp":
        assert isinstance(value, int | float), f"{path}: {value!r} is not epoch seconds"
        assert not isinstance(value, bool), f"{path}: {value!r} is a bool"
    elif kind == "blob":
        assert isinstance(value, str), f"{path}: {value!r} is not base64 text"
    else:
        raise AssertionError(f"{path}: unexpected model type {kind!r}")


# ---------------------------------------------------------------------------------------------
# the property


def test_every_model_structure_is_covered() -> None:
    from ._model import CLASS_SHAPES

    assert sorted(c.__name__ for c in STRUCTURES) == CLASS_SHAPES


@pytest.mark.parametrize("cls", STRUCTURES, ids=lambda c: c.__name__)
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_round_trip(cls: type, data: st.DataObject) -> None:
    instance = data.draw(strategy_for(cls), label=cls.__name__)

    wire = to_wire(instance)
    check_wire(wire, cls.__name__, cls.__name__)

    # JSON-serializable, and JSON gives back the same dict.
    text = json.dumps(wire, allow_nan=False)
    assert json.loads(text) == wire

    assert from_wire(cls, wire) == instance
    assert from_wire(cls, json.loads(text)) == instance

    # The generated functions and the cattrs converter (the error path) agree.
    assert converter.unstructure(instance) == wire
    assert converter.structure(json.loads(text), cls) == instance


@pytest.mark.parametrize("cls", STRUCTURES, ids=lambda c: c.__name__)
def test_from_wire_may_build_instances_without_init(cls: type) -> None:
    """The generated ``from_wire`` assigns every slot of ``object.__new__(cls)`` instead of
    calling ``__init__``: only sound while ``__init__`` does nothing more than that."""
    assert "__slots__" in vars(cls)
    assert cls.__setattr__ is object.__setattr__  # no on_setattr hooks
    for name in ("__attrs_pre_init__", "__attrs_post_init__", "__attrs_init__"):
        assert not hasattr(cls, name), name
    for a in attrs.fields(cls):
        assert a.validator is None and a.converter is None and a.on_setattr is None, a.name
    instance = from_wire(cls, {})  # every slot assigned: reading one never fails
    assert all(getattr(instance, a.name, KeyError) is not KeyError for a in attrs.fields(cls))
