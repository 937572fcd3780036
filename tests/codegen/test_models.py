"""Generation from the real model revisions: the pinned current one and the 2022-12-12 one.

Every expectation is derived from the model JSON itself, never from hard-coded counts, so these
tests keep working when the pinned model is updated.
"""

from __future__ import annotations

import difflib
import enum
import inspect
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from codegen import naming, render
from codegen.docs import html_to_text
from tests.codegen.support import (
    GOLDEN_MODEL,
    REPO,
    Generated,
    attribute_docs,
    generate,
    import_generated,
    load_json,
    run_mypy,
    tree,
    write_model,
)

COMMITTED = REPO / "src" / "aiocognito"


def _structures(model: dict[str, Any]) -> dict[str, Any]:
    return {
        n: s
        for n, s in model["shapes"].items()
        if s["type"] in ("structure", "union") and not s.get("exception") and not s.get("document")
    }


def _enums(model: dict[str, Any]) -> dict[str, Any]:
    return {n: s for n, s in model["shapes"].items() if s["type"] == "string" and "enum" in s}


def _errors(model: dict[str, Any]) -> dict[str, Any]:
    return {n: s for n, s in model["shapes"].items() if s.get("exception")}


def _aliases(model: dict[str, Any]) -> set[str]:
    return {
        n
        for n, s in model["shapes"].items()
        if s["type"] in ("list", "map", "document") or s.get("document")
    }


def _has_text(html: str | None) -> bool:
    return bool(html and html_to_text(html).strip())


def _modules(gen: Generated) -> dict[str, ModuleType]:
    return import_generated(gen.root, gen.package)


def _client_class(gen: Generated) -> type:
    modules = _modules(gen)
    if "client" not in modules:
        pytest.skip("the generator writes no client module")
    cls: type = getattr(modules["client"], gen.service.client_name)
    return cls


# --- the package and its contents --------------------------------------------------------------


def test_package_imports(generated: Generated) -> None:
    modules = _modules(generated)
    assert {"shapes", "errors"} <= set(modules)
    assert modules["shapes"].__doc__
    assert modules["errors"].__doc__


def test_every_operation_has_its_input_and_output(generated: Generated) -> None:
    shapes = _modules(generated)["shapes"]
    for name, op in generated.model["operations"].items():
        for key in ("input", "output"):
            if key in op:
                cls = getattr(shapes, naming.class_name(op[key]["shape"]))
                assert attrs.has(cls), f"{name} {key}"


def test_every_structure_is_a_class_with_its_members(generated: Generated) -> None:
    shapes = _modules(generated)["shapes"]
    structures = _structures(generated.model)
    assert structures
    for name, shape in structures.items():
        cls = getattr(shapes, naming.class_name(name))
        assert attrs.has(cls), name
        fields = attrs.fields(cls)
        assert {f.metadata["wire"] for f in fields} == set(shape.get("members", {})), name
        required = {f.metadata["wire"] for f in fields if f.default is attrs.NOTHING}
        assert required == set(shape.get("required", [])), name


def test_every_enum_has_all_its_values(generated: Generated) -> None:
    shapes = _modules(generated)["shapes"]
    enums = _enums(generated.model)
    assert enums
    for name, shape in enums.items():
        cls = getattr(shapes, naming.class_name(name))
        assert issubclass(cls, enum.StrEnum), name
        assert [m.value for m in cls] == [str(v) for v in shape["enum"]], name


def test_every_error_is_an_exception_class(generated: Generated) -> None:
    from aiocognito._core.errors import ServiceError

    errors = _modules(generated)["errors"]
    modeled = _errors(generated.model)
    assert modeled
    assert set(errors.ERRORS) == set(modeled)
    for code, shape in modeled.items():
        cls = getattr(errors, naming.class_name(code))
        assert errors.ERRORS[code] is cls
        assert issubclass(cls, ServiceError)
        assert cls.error_code == code
        assert cls.fault == ("server" if shape.get("fault") else "client"), code
        wire = {m for m in shape.get("members", {}) if m.lower() != "message"}
        assert set(cls.wire_members.values()) == wire, code


def test_shapes_all_is_complete(generated: Generated) -> None:
    shapes = _modules(generated)["shapes"]
    model = generated.model
    expected = {
        naming.class_name(n) for n in [*_structures(model), *_enums(model), *_aliases(model)]
    }
    # Each enum's values as a Literal, and the escape hatch of enum-typed parameters.
    literals = {naming.class_name(n) + "Literal" for n in _enums(model)}
    assert set(shapes.__all__) == expected | literals | {"UnmodeledValue"}
    assert shapes.__all__ == sorted(shapes.__all__)
    assert expected <= set(dir(shapes))


def test_client_has_a_method_per_operation(generated: Generated) -> None:
    cls = _client_class(generated)
    shapes = generated.model["shapes"]
    for wire, op in generated.model["operations"].items():
        method = getattr(cls, naming.operation_name(wire), None)
        assert method is not None, wire
        assert inspect.iscoroutinefunction(method), wire
        sig = inspect.signature(method)
        params = list(sig.parameters.values())[1:]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), wire
        members = shapes[op["input"]["shape"]].get("members", {}) if "input" in op else {}
        assert {p.name for p in params} == {naming.member_name(m) for m in members}, wire
        required = set(shapes[op["input"]["shape"]].get("required", [])) if "input" in op else set()
        no_default = {p.name for p in params if p.default is inspect.Parameter.empty}
        assert no_default == {naming.member_name(m) for m in required}, wire
        output = naming.class_name(op["output"]["shape"]) if "output" in op else "None"
        assert sig.return_annotation == output, wire


# --- where the classes live --------------------------------------------------------------------


def test_each_class_lives_in_the_module_named_after_it(generated: Generated) -> None:
    """``UserType`` is in ``_shapes/user_type.py``: predictable from the name alone."""
    shapes = _modules(generated)["shapes"]
    names = [
        naming.class_name(n) for n in [*_structures(generated.model), *_enums(generated.model)]
    ]
    for name in names:
        cls = getattr(shapes, name)
        assert cls.__module__ == f"{generated.package}._shapes.{naming.module_name(name)}", name
    files = {p.stem for p in (generated.path / "_shapes").glob("*.py")} - {"__init__", "_index"}
    assert files == {naming.module_name(n) for n in names}


def test_loading_a_class_loads_only_what_its_fields_name(generated: Generated) -> None:
    """The modules imported with a class are its own and those of the classes it reaches."""
    import sys

    shapes = _modules(generated)["shapes"]
    model = generated.model
    op = model["operations"][sorted(model["operations"])[0]]
    name = naming.class_name(op["input"]["shape"])
    getattr(shapes, name)
    reach = {name}
    pending = [name]
    service = generated.service
    by_name = {s.name: s for s in service.structures.values()}
    while pending:
        current = by_name.get(pending.pop())
        for ref in current.refs if current else ():
            if ref not in reach:
                reach.add(ref)
                pending.append(ref)
    prefix = f"{generated.package}._shapes."
    loaded = {m.removeprefix(prefix) for m in sys.modules if m.startswith(prefix)}
    assert {naming.module_name(n) for n in reach} <= loaded


# --- documentation -----------------------------------------------------------------------------


def test_module_docstrings_count_what_the_model_has(generated: Generated) -> None:
    """The counts a reader sees are written at generation time, from the model."""
    modules = _modules(generated)
    model = generated.model
    shapes_doc = " ".join(modules["shapes"].__doc__.split())
    assert (
        f"{len(_structures(model))} structures, {len(_enums(model))} enums and "
        f"{len(_aliases(model))} aliases" in shapes_doc
    )
    assert f"models ({len(_errors(model))})." in " ".join(modules["errors"].__doc__.split())
    client_doc = " ".join(modules["client"].__doc__.split())
    pagers = [n for n in dir(_client_class(generated)) if n.startswith("paginate_")]
    assert f"{len(model['operations'])} operations, {len(pagers)} of which page" in client_doc


def test_class_docs_present(generated: Generated) -> None:
    modules = _modules(generated)
    shapes, errors = modules["shapes"], modules["errors"]
    for name, shape in {**_structures(generated.model), **_enums(generated.model)}.items():
        if _has_text(shape.get("documentation")):
            doc = getattr(shapes, naming.class_name(name)).__doc__
            assert doc and doc.strip(), name
    for name, shape in _errors(generated.model).items():
        if _has_text(shape.get("documentation")):
            assert getattr(errors, naming.class_name(name)).__doc__, name


def test_member_docs_present(generated: Generated) -> None:
    """Every member the model documents (or whose target shape it documents) has a docstring."""
    shapes_model = generated.model["shapes"]
    docs: dict[str, dict[str, str]] = {}
    for path in sorted((generated.path / "_shapes").glob("*.py")):
        docs.update(attribute_docs(path.read_text(encoding="utf-8")))
    checked = 0
    for name, shape in _structures(generated.model).items():
        cls_docs = docs.get(naming.class_name(name), {})
        py_names = naming.unique([naming.member_name(w) for w in shape.get("members", {})])
        for py, (_wire, member) in zip(py_names, shape.get("members", {}).items(), strict=True):
            target = shapes_model[member["shape"]]
            if _has_text(member.get("documentation")) or _has_text(target.get("documentation")):
                assert cls_docs.get(py, "").strip(), f"{name}.{py}"
                checked += 1
    assert checked


def test_method_docs_present(generated: Generated) -> None:
    cls = _client_class(generated)
    for wire, op in generated.model["operations"].items():
        doc = getattr(cls, naming.operation_name(wire)).__doc__
        assert doc, wire
        if _has_text(op.get("documentation")):
            first = " ".join(html_to_text(op["documentation"]).split()[:6])
            assert first in " ".join(doc.split()), wire


# --- type checking -----------------------------------------------------------------------------


def test_mypy_strict(generated: Generated) -> None:
    result = run_mypy(generated.root, generated.package)
    assert result.returncode == 0, (
        f"mypy --strict fails on the package generated from {generated.label}:\n"
        f"{result.stdout}{result.stderr}"
    )


# --- the committed package ---------------------------------------------------------------------


def _owned(root: Path) -> dict[str, bytes]:
    """The files the generator owns under a package directory."""
    files = tree(root)
    prefixes = tuple(f"{d}/" for d in render.GENERATED_DIRS)
    return {
        rel: data
        for rel, data in files.items()
        if rel in render.GENERATED_FILES or rel.startswith(prefixes)
    }


def _hand_written(root: Path) -> dict[str, bytes]:
    """The files under a package directory that the generator does not own."""
    owned = _owned(root)
    return {rel: data for rel, data in tree(root).items() if rel not in owned}


def test_committed_package_is_up_to_date(generated_current: Generated) -> None:
    """A fast local version of CI's `nox -s check_generated`."""
    fresh = _owned(generated_current.path)
    committed = _owned(COMMITTED)
    assert fresh
    stale = sorted(set(committed) - set(fresh))
    missing = sorted(set(fresh) - set(committed))
    changed = sorted(rel for rel in set(fresh) & set(committed) if fresh[rel] != committed[rel])
    if stale or missing or changed:
        detail = []
        for rel in changed[:3]:
            detail += difflib.unified_diff(
                committed[rel].decode().splitlines(keepends=True),
                fresh[rel].decode().splitlines(keepends=True),
                fromfile=f"src/aiocognito/{rel}",
                tofile=f"generated/{rel}",
                n=1,
            )
        pytest.fail(
            "src/aiocognito is out of date with the generator: run `nox -s generate` and commit.\n"
            f"changed: {changed}\nno longer generated: {stale}\nnot committed: {missing}\n"
            + "".join(detail)[:6000],
            pytrace=False,
        )


def test_gitattributes_marks_exactly_the_generated_files() -> None:
    """GitHub collapses what the generator owns in diffs; hand-written files stay visible."""
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "src/aiocognito"], cwd=REPO, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    files = listed.stdout.split()
    checked = subprocess.run(
        ["git", "check-attr", "linguist-generated", "--stdin"],
        cwd=REPO,
        input="\n".join(files),
        capture_output=True,
        text=True,
        check=True,
    )
    marked = {line.split(": ")[0] for line in checked.stdout.splitlines() if line.endswith(": set")}
    prefixes = tuple(f"src/aiocognito/{d}/" for d in render.GENERATED_DIRS)
    owned = {
        f
        for f in files
        if f.removeprefix("src/aiocognito/") in render.GENERATED_FILES or f.startswith(prefixes)
    }
    assert owned
    assert marked == owned


def test_generation_is_deterministic(generated_current: Generated, tmp_path: Path) -> None:
    generate(generated_current.model_path, tmp_path / generated_current.package)
    again = tree(tmp_path / generated_current.package)
    first = tree(generated_current.path)
    assert sorted(again) == sorted(first)
    assert [rel for rel in again if again[rel] != first[rel]] == []


def test_write_keeps_hand_written_files_and_drops_stale_ones(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    (out / "_core").mkdir(parents=True)
    (out / "_core" / "runtime.py").write_text("HAND = 1\n")
    (out / "__init__.py").write_text('"""Hand-written."""\n')
    (out / "_shapes").mkdir()
    (out / "_shapes" / "removed_operation.py").write_text("STALE = 1\n")
    generate(GOLDEN_MODEL, out)
    assert (out / "_core" / "runtime.py").read_text() == "HAND = 1\n"
    assert (out / "__init__.py").read_text() == '"""Hand-written."""\n'
    assert not (out / "_shapes" / "removed_operation.py").exists()
    assert (out / "shapes.py").exists()


def test_generation_into_a_copy_of_the_committed_package(tmp_path: Path) -> None:
    """Regenerating over the real package tree leaves the hand-written runtime alone."""
    out = tmp_path / "aiocognito"
    shutil.copytree(COMMITTED, out, ignore=shutil.ignore_patterns("__pycache__"))
    before = _hand_written(out)
    generate(GOLDEN_MODEL, out)
    after = _hand_written(out)
    assert after == before


# --- synthetic models: what the real ones do not exercise yet ----------------------------------


def _synthetic(tmp_path: Path, shapes: dict[str, Any], operations: dict[str, Any]) -> Path:
    return write_model(tmp_path / "model" / "service-2.json", shapes, operations)


def test_model_without_outputs(tmp_path: Path) -> None:
    shapes = {
        "StringType": {"type": "string"},
        "PingRequest": {"type": "structure", "members": {"Text": {"shape": "StringType"}}},
    }
    operations = {"Ping": {"name": "Ping", "input": {"shape": "PingRequest"}}}
    generate(_synthetic(tmp_path, shapes, operations), tmp_path / "no_outputs")
    modules = import_generated(tmp_path, "no_outputs")
    assert modules["shapes"].PingRequest(text="x").text == "x"


def _cyclic_model(tmp_path: Path) -> Path:
    """Node -> Edge -> Node (a cycle across two classes) and Tree -> Tree (onto itself)."""
    shapes = {
        "StringType": {"type": "string"},
        "EdgeListType": {"type": "list", "member": {"shape": "EdgeType"}},
        "NodeType": {
            "type": "structure",
            "required": ["Name"],
            "members": {"Name": {"shape": "StringType"}, "Edges": {"shape": "EdgeListType"}},
        },
        "EdgeType": {
            "type": "structure",
            "members": {"Target": {"shape": "NodeType"}, "Label": {"shape": "StringType"}},
        },
        "TreeType": {
            "type": "structure",
            "members": {"Left": {"shape": "TreeType"}, "Node": {"shape": "NodeType"}},
        },
        "WalkRequest": {"type": "structure", "members": {"Start": {"shape": "EdgeType"}}},
        "WalkResponse": {"type": "structure", "members": {"Tree": {"shape": "TreeType"}}},
    }
    operations = {
        "Walk": {
            "name": "Walk",
            "input": {"shape": "WalkRequest"},
            "output": {"shape": "WalkResponse"},
        }
    }
    return _synthetic(tmp_path, shapes, operations)


def test_classes_in_a_reference_cycle_import_each_other(tmp_path: Path) -> None:
    """Formatted by ruff, imported from either end, resolved, round-tripped and pickled."""
    import pickle

    from aiocognito._core import serde

    generate(_cyclic_model(tmp_path), tmp_path / "cyclic")
    edge_source = (tmp_path / "cyclic" / "_shapes" / "edge_type.py").read_text(encoding="utf-8")
    assert edge_source.rstrip().endswith(
        "from .node_type import NodeType, from_wire as _node_type_from_wire, "
        "to_wire as _node_type_to_wire  # noqa: E402"
    )
    tree_source = (tmp_path / "cyclic" / "_shapes" / "tree_type.py").read_text(encoding="utf-8")
    assert "\nfrom .node_type import NodeType, from_wire" in tree_source  # no cycle: at the top
    assert "E402" not in tree_source
    shapes = import_generated(tmp_path, "cyclic")["shapes"]
    edge = shapes.EdgeType(  # the edge's module first: it imports the node's at its end
        target=shapes.NodeType(name="a", edges=[shapes.EdgeType(label="loop")]), label="x"
    )
    tree = shapes.TreeType(left=shapes.TreeType(node=shapes.NodeType(name="leaf")))
    for value in (edge, tree):
        attrs.resolve_types(type(value))
        assert serde.from_wire(type(value), serde.to_wire(value)) == value
        assert pickle.loads(pickle.dumps(value)) == value
    assert run_mypy(tmp_path, "cyclic").returncode == 0


def test_a_ruff_failure_fails_generation(tmp_path: Path) -> None:
    """Output ruff cannot read is not generated code: `python -m codegen` must not succeed."""
    broken = tmp_path / "broken.py"
    broken.write_text("import os\ndef f(:\n", encoding="utf-8")
    with pytest.raises(render.FormatError, match=r"ruff check.*failed") as caught:
        render.ruff_format([broken])
    assert "broken.py" in str(caught.value)  # ruff's own message, naming the file


def test_a_broken_template_fails_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from codegen import __main__ as cli

    real = render.render

    def with_a_syntax_error(service: Any) -> dict[str, str]:
        files = real(service)
        files["errors.py"] += "\nclass Broken(:\n"
        return files

    monkeypatch.setattr(render, "render", with_a_syntax_error)
    assert cli.main(["--model", str(GOLDEN_MODEL), "--out", str(tmp_path / "pkg")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("generation failed: `ruff check` failed")
    assert "errors.py" in err


def test_event_streams_in_the_ir(tmp_path: Path) -> None:
    from codegen import ir

    shapes = {
        "BlobType": {"type": "blob"},
        "StringType": {"type": "string"},
        "ChunkEvent": {
            "type": "structure",
            "members": {"Bytes": {"shape": "BlobType", "eventpayload": True}},
            "event": True,
        },
        "NoteEvent": {
            "type": "structure",
            "members": {"Text": {"shape": "StringType"}},
            "event": True,
        },
        "EventsType": {
            "type": "structure",
            "members": {"Chunk": {"shape": "ChunkEvent"}, "Note": {"shape": "NoteEvent"}},
            "eventstream": True,
        },
        "WatchRequest": {"type": "structure", "members": {"Id": {"shape": "StringType"}}},
        "WatchResponse": {"type": "structure", "members": {"Events": {"shape": "EventsType"}}},
    }
    operations = {
        "Watch": {
            "name": "Watch",
            "input": {"shape": "WatchRequest"},
            "output": {"shape": "WatchResponse"},
        }
    }
    model = load_json(_synthetic(tmp_path, shapes, operations))
    (op,) = ir.build(model).operations
    assert op.event_stream == ir.EventStream(
        "Events",
        {"Chunk": ir.EventPayload("Bytes", "blob"), "Note": ir.EventPayload(None, "structure")},
    )


def test_collections_of_sensitive_values_are_redacted(tmp_path: Path) -> None:
    shapes = {
        "SecretType": {"type": "string", "sensitive": True},
        "StringType": {"type": "string"},
        "SecretListType": {"type": "list", "member": {"shape": "SecretType"}},
        "SecretMapType": {
            "type": "map",
            "key": {"shape": "StringType"},
            "value": {"shape": "SecretType"},
        },
        "VaultRequest": {
            "type": "structure",
            "members": {
                "Codes": {"shape": "SecretListType"},
                "Named": {"shape": "SecretMapType"},
            },
        },
        "VaultResponse": {"type": "structure", "members": {"Id": {"shape": "StringType"}}},
    }
    operations = {
        "Vault": {
            "name": "Vault",
            "input": {"shape": "VaultRequest"},
            "output": {"shape": "VaultResponse"},
        }
    }
    generate(_synthetic(tmp_path, shapes, operations), tmp_path / "sensitive_lists")
    shapes_module = import_generated(tmp_path, "sensitive_lists")["shapes"]
    text = repr(shapes_module.VaultRequest(codes=["s3kr1t"], named={"k": "s3kr1t"}))
    assert "s3kr1t" not in text


def test_client_error_correction_fills_every_kind_of_required_member(tmp_path: Path) -> None:
    """A required member of each kind, left out: the generated from_wire fills its zero value
    (Smithy's client error correction), and the cattrs path that describes failures agrees.
    The pinned model requires no timestamp, blob, map, float or document in an answer; this
    one does."""
    from datetime import UTC, datetime

    from aiocognito._core import serde

    kinds = {
        "Text": "StringType",
        "Count": "IntegerType",
        "Ratio": "DoubleType",
        "Flag": "BooleanType",
        "Raw": "BlobType",
        "When": "TimestampType",
        "WhenIso": "IsoTimestampType",
        "Items": "StringListType",
        "Tags": "StringMapType",
        "Kind": "KindType",
        "Doc": "DocumentType",
        "Inner": "InnerType",
    }
    shapes = {
        "StringType": {"type": "string"},
        "IntegerType": {"type": "integer"},
        "DoubleType": {"type": "double"},
        "BooleanType": {"type": "boolean"},
        "BlobType": {"type": "blob"},
        "TimestampType": {"type": "timestamp"},
        "IsoTimestampType": {"type": "timestamp", "timestampFormat": "iso8601"},
        "StringListType": {"type": "list", "member": {"shape": "StringType"}},
        "StringMapType": {
            "type": "map",
            "key": {"shape": "StringType"},
            "value": {"shape": "StringType"},
        },
        "KindType": {"type": "string", "enum": ["ONE", "TWO"]},
        "DocumentType": {"type": "structure", "members": {}, "document": True},
        "InnerType": {
            "type": "structure",
            "required": ["Name"],
            "members": {"Name": {"shape": "StringType"}, "Note": {"shape": "StringType"}},
        },
        "EveryKindResponse": {
            "type": "structure",
            "required": list(kinds),
            "members": {wire: {"shape": shape} for wire, shape in kinds.items()},
        },
    }
    operations = {"Get": {"name": "Get", "output": {"shape": "EveryKindResponse"}}}
    generate(_synthetic(tmp_path, shapes, operations), tmp_path / "every_kind")
    generated = import_generated(tmp_path, "every_kind")["shapes"]
    cls = generated.EveryKindResponse
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    expected = cls(
        text="",
        count=0,
        ratio=0.0,
        flag=False,
        raw=b"",
        when=epoch,
        when_iso=epoch,
        items=[],
        tags={},
        kind="",
        doc=None,
        inner=generated.InnerType(name=""),
    )
    for answer in ({}, dict.fromkeys(kinds)):  # left out, or sent as null
        parsed = serde.from_wire(cls, answer)
        assert parsed == expected
        assert type(parsed.ratio) is float and type(parsed.kind) is str
        assert serde.converter.structure(answer, cls) == expected


def test_error_members_stay_out_of_str_and_repr(tmp_path: Path) -> None:
    """The generator writes no redaction for an error's members, sensitive or not: a
    ServiceError's str and repr never show them (``codegen/redaction.py`` relies on it)."""
    shapes = {
        "StringType": {"type": "string"},
        "SecretType": {"type": "string", "sensitive": True},
        "LeakyException": {
            "type": "structure",
            "members": {
                "message": {"shape": "StringType"},
                "echoedToken": {"shape": "SecretType"},
                "reasonCode": {"shape": "StringType"},
            },
            "error": {"httpStatusCode": 400},
            "exception": True,
        },
        "PingRequest": {"type": "structure", "members": {"Text": {"shape": "StringType"}}},
    }
    operations = {
        "Ping": {
            "name": "Ping",
            "input": {"shape": "PingRequest"},
            "errors": [{"shape": "LeakyException"}],
        }
    }
    generate(_synthetic(tmp_path, shapes, operations), tmp_path / "leaky")
    errors = import_generated(tmp_path, "leaky")["errors"]
    exc = errors.LeakyException(
        "refused",
        status_code=400,
        operation="Ping",
        body={"echoedToken": "tok-value", "reasonCode": "reason-value"},
    )
    assert (exc.echoed_token, exc.reason_code) == ("tok-value", "reason-value")
    for text in (str(exc), repr(exc)):
        assert "refused" in text
        assert "tok-value" not in text and "reason-value" not in text
