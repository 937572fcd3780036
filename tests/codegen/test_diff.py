"""The API diff between model revisions, and copying the model from botocore."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from codegen import diff, update_model
from codegen.diff import ApiDiff, compare
from tests.codegen.support import CURRENT_MODEL, OLD_MODEL, REPO, load_json, require_old_model

# --- old model vs current model ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_diff(old_model: dict[str, Any], current_model: dict[str, Any]) -> ApiDiff:
    return compare(old_model, current_model)


def test_added_operations(
    real_diff: ApiDiff, old_model: dict[str, Any], current_model: dict[str, Any]
) -> None:
    expected = set(current_model["operations"]) - set(old_model["operations"])
    assert set(real_diff.operations_added) == expected
    assert real_diff.operations_added == sorted(expected)
    assert "ListWebAuthnCredentials" in real_diff.operations_added
    assert "GetTokensFromRefreshToken" in real_diff.operations_added
    assert "InitiateAuth" not in real_diff.operations_added


def test_removed_operations(
    real_diff: ApiDiff, old_model: dict[str, Any], current_model: dict[str, Any]
) -> None:
    assert set(real_diff.operations_removed) == set(old_model["operations"]) - set(
        current_model["operations"]
    )
    assert real_diff.operations_removed == []


def test_shapes_added_and_removed(
    real_diff: ApiDiff, old_model: dict[str, Any], current_model: dict[str, Any]
) -> None:
    old, new = set(old_model["shapes"]), set(current_model["shapes"])
    assert set(real_diff.shapes_added) == new - old
    assert set(real_diff.shapes_removed) == old - new


def test_enum_values(
    real_diff: ApiDiff, old_model: dict[str, Any], current_model: dict[str, Any]
) -> None:
    added = set()
    for name, shape in current_model["shapes"].items():
        before = old_model["shapes"].get(name, {}).get("enum")
        if before is not None and "enum" in shape:
            added |= {f"{name}={v}" for v in shape["enum"] if v not in before}
    assert set(real_diff.enum_values_added) == added
    assert "AuthFlowType=USER_AUTH" in real_diff.enum_values_added


def test_report_lists_the_added_operations(real_diff: ApiDiff) -> None:
    report = real_diff.report()
    lines = report.splitlines()
    assert lines[0] == "API diff:"
    assert f"  operations added ({len(real_diff.operations_added)}):" in lines
    for name in real_diff.operations_added:
        assert f"    {name}" in lines
    assert "operations removed" not in report


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    require_old_model()
    assert diff.main([str(OLD_MODEL), str(CURRENT_MODEL)]) == 0
    out = capsys.readouterr().out
    assert "    ListWebAuthnCredentials\n" in out


def test_same_model_has_no_diff(current_model: dict[str, Any]) -> None:
    d = compare(current_model, copy.deepcopy(current_model))
    assert d.empty
    assert d.breaking == []
    assert d.report() == "API diff: no changes"


# --- synthetic changes ------------------------------------------------------------------------


def _base() -> dict[str, Any]:
    return {
        "metadata": {"apiVersion": "2020-01-01"},
        "operations": {
            "GetThing": {
                "name": "GetThing",
                "input": {"shape": "GetThingRequest"},
                "output": {"shape": "GetThingResponse"},
                "errors": [{"shape": "NotFoundException"}],
                "documentation": "<p>Gets a thing.</p>",
            }
        },
        "shapes": {
            "GetThingRequest": {
                "type": "structure",
                "required": ["Id"],
                "members": {
                    "Id": {"shape": "IdType", "documentation": "<p>The ID.</p>"},
                    "Mode": {"shape": "ModeType"},
                },
            },
            "GetThingResponse": {
                "type": "structure",
                "members": {"Name": {"shape": "NameType"}, "Count": {"shape": "IntType"}},
            },
            "IdType": {"type": "string", "max": 10},
            "NameType": {"type": "string"},
            "IntType": {"type": "integer"},
            "LongType": {"type": "long"},
            "ModeType": {"type": "string", "enum": ["ON", "OFF"]},
            "NotFoundException": {
                "type": "structure",
                "members": {"message": {"shape": "NameType"}},
                "exception": True,
            },
            "ConflictException": {
                "type": "structure",
                "members": {"message": {"shape": "NameType"}},
                "exception": True,
            },
        },
    }


def _changed(edit: Any) -> ApiDiff:
    old = _base()
    new = copy.deepcopy(old)
    edit(new)
    return compare(old, new)


def _nonempty(d: ApiDiff) -> dict[str, list[str]]:
    return {name: getattr(d, name) for name in d.__dataclass_fields__ if getattr(d, name)}


def test_documentation_changes_are_not_api_changes() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["operations"]["GetThing"]["documentation"] = "<p>Fetches a thing.</p>"
        m["shapes"]["GetThingRequest"]["members"]["Id"]["documentation"] = "<p>Changed.</p>"
        m["shapes"]["IdType"]["documentation"] = "<p>New doc.</p>"

    assert _changed(edit).empty


def test_member_added() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["GetThingResponse"]["members"]["Size"] = {"shape": "LongType"}

    d = _changed(edit)
    assert _nonempty(d) == {
        "shapes_changed": ["GetThingResponse"],
        "members_added": ["GetThingResponse.Size"],
    }
    assert d.breaking == []
    assert "    GetThingResponse.Size" in d.report().splitlines()


def test_member_removed_is_breaking() -> None:
    def edit(m: dict[str, Any]) -> None:
        del m["shapes"]["GetThingResponse"]["members"]["Count"]

    d = _changed(edit)
    assert d.members_removed == ["GetThingResponse.Count"]
    assert d.breaking == ["member removed: GetThingResponse.Count"]
    assert "breaking changes: 1" in d.report()


def test_member_type_changed_is_breaking() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["GetThingResponse"]["members"]["Count"] = {"shape": "LongType"}

    d = _changed(edit)
    assert d.members_changed == ["GetThingResponse.Count: IntType -> LongType"]
    assert d.breaking == ["member changed: GetThingResponse.Count: IntType -> LongType"]


def test_member_made_required() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["GetThingRequest"]["required"] = ["Id", "Mode"]

    d = _changed(edit)
    assert d.members_changed == ["GetThingRequest.Mode: required changed"]
    assert d.shapes_changed == ["GetThingRequest"]
    assert d.breaking


def test_required_member_added_is_breaking() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["GetThingRequest"]["members"]["Owner"] = {"shape": "NameType"}
        m["shapes"]["GetThingRequest"]["required"] = ["Id", "Owner"]

    d = _changed(edit)
    assert d.members_added == ["GetThingRequest.Owner"]
    assert d.breaking


def test_shape_constraint_changed() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["IdType"]["max"] = 20

    d = _changed(edit)
    assert _nonempty(d) == {"shapes_changed": ["IdType"]}


def test_enum_value_added() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["ModeType"]["enum"].append("AUTO")

    d = _changed(edit)
    assert d.enum_values_added == ["ModeType=AUTO"]
    assert d.enum_values_removed == []
    assert d.breaking == []


def test_enum_value_removed_is_breaking() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["ModeType"]["enum"].remove("OFF")

    d = _changed(edit)
    assert d.enum_values_removed == ["ModeType=OFF"]
    assert d.breaking == ["enum value removed: ModeType=OFF"]


def test_error_added_to_an_operation() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["operations"]["GetThing"]["errors"].append({"shape": "ConflictException"})

    d = _changed(edit)
    assert d.operations_changed == ["GetThing: +error ConflictException"]
    assert d.breaking == []


def test_error_removed_from_an_operation() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["operations"]["GetThing"]["errors"] = []

    assert _changed(edit).operations_changed == ["GetThing: -error NotFoundException"]


def test_operation_auth_changed() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["operations"]["GetThing"]["auth"] = ["smithy.api#noAuth"]

    d = _changed(edit)
    assert len(d.operations_changed) == 1
    assert d.operations_changed[0].startswith("GetThing: auth None -> ")


def test_operation_and_shapes_added_and_removed() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["operations"]["PutThing"] = {"name": "PutThing", "input": {"shape": "PutThingRequest"}}
        m["shapes"]["PutThingRequest"] = {"type": "structure", "members": {}}
        del m["shapes"]["LongType"]

    d = _changed(edit)
    assert d.operations_added == ["PutThing"]
    assert d.shapes_added == ["PutThingRequest"]
    assert d.shapes_removed == ["LongType"]
    assert d.breaking == ["shape removed: LongType"]

    def remove(m: dict[str, Any]) -> None:
        del m["operations"]["GetThing"]

    assert _changed(remove).breaking == ["operation removed: GetThing"]


# --- codegen.update_model ---------------------------------------------------------------------


def _botocore_model() -> tuple[Path, str]:
    return update_model.botocore_model_dir()


def _check_source_record(dest: Path) -> dict[str, Any]:
    import botocore

    source_dir, _ = _botocore_model()
    record = load_json(dest / "SOURCE.json")
    assert record["botocore"] == botocore.__version__
    assert record["service"] == "cognito-idp"
    assert record["api_version"] == source_dir.name
    target = dest / "cognito-idp" / source_dir.name
    assert {"service-2.json", "paginators-1.json", "endpoint-rule-set-1.json"} <= set(
        record["files"]
    )
    for name, checksum in record["files"].items():
        candidates = [p for p in (target / name, dest / name) if p.exists()]
        assert len(candidates) == 1, name
        digest = hashlib.sha256(candidates[0].read_bytes()).hexdigest()
        assert checksum == f"sha256:{digest}", name
    return record


def test_update_into_an_empty_destination(tmp_path: Path) -> None:
    from botocore.loaders import create_loader

    source_dir, _ = _botocore_model()
    assert update_model.update(tmp_path) is None  # nothing to compare against
    target = tmp_path / "cognito-idp" / source_dir.name
    for stem in update_model.FILES:
        path = target / f"{stem}.json"
        assert path.exists(), stem
        raw = path.read_bytes()
        assert raw[:2] != b"\x1f\x8b", f"{stem} is gzip-compressed"
        json.loads(raw)
        assert not (target / f"{stem}.json.gz").exists()
    written = json.loads((target / "service-2.json").read_text(encoding="utf-8"))
    loaded = create_loader().load_service_model("cognito-idp", "service-2", source_dir.name)
    assert written == loaded
    _check_source_record(tmp_path)


def test_update_matches_the_pinned_model(tmp_path: Path) -> None:
    """With the botocore the pin was taken from, update() reproduces service-model/ exactly."""
    pinned = load_json(REPO / "service-model" / "SOURCE.json")
    import botocore

    if pinned["botocore"] != botocore.__version__:
        pytest.skip(f"installed botocore {botocore.__version__} != pinned {pinned['botocore']}")
    update_model.update(tmp_path)
    record = _check_source_record(tmp_path)
    for name in ("service-2.json", "paginators-1.json", "endpoint-rule-set-1.json"):
        assert record["files"][name] == pinned["files"][name], name
    assert (tmp_path / "cognito-idp" / "2016-04-18" / "service-2.json").read_bytes() == (
        CURRENT_MODEL.read_bytes()
    )


def test_update_over_a_previous_model_reports_the_diff(tmp_path: Path) -> None:
    old_path = require_old_model()
    source_dir, _ = _botocore_model()
    previous = tmp_path / "cognito-idp" / "2016-04-18" / "service-2.json"
    previous.parent.mkdir(parents=True)
    shutil.copyfile(old_path, previous)
    result = update_model.update(tmp_path)
    assert result is not None
    new = load_json(tmp_path / "cognito-idp" / source_dir.name / "service-2.json")
    old = load_json(old_path)
    assert set(result.operations_added) == set(new["operations"]) - set(old["operations"])
    assert "ListWebAuthnCredentials" in result.operations_added
    assert result.operations_removed == sorted(set(old["operations"]) - set(new["operations"]))
    _check_source_record(tmp_path)


def test_update_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert update_model.main(["--dest", str(tmp_path)]) == 0
    assert "no previous model" in capsys.readouterr().out
    assert update_model.main(["--dest", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "API diff: no changes"


# --- paginators: declared, inferred, and what a human must review -----------------------------


def _list_things(m: dict[str, Any], *, token: str = "NextToken") -> None:
    """Add ListThings, which pages by ``token`` over its one list member, ``Things``."""
    m["operations"]["ListThings"] = {
        "name": "ListThings",
        "input": {"shape": "ListThingsRequest"},
        "output": {"shape": "ListThingsResponse"},
    }
    m["shapes"]["ThingListType"] = {"type": "list", "member": {"shape": "NameType"}}
    m["shapes"]["ListThingsRequest"] = {
        "type": "structure",
        "members": {token: {"shape": "NameType"}, "MaxResults": {"shape": "IntType"}},
    }
    m["shapes"]["ListThingsResponse"] = {
        "type": "structure",
        "members": {"Things": {"shape": "ThingListType"}, token: {"shape": "NameType"}},
    }


DECLARED = {
    "ListThings": {
        "input_token": "NextToken",
        "output_token": "NextToken",
        "result_key": "Things",
        "limit_key": "MaxResults",
    }
}


def test_a_new_inferred_paginator_is_flagged_for_review() -> None:
    d = _changed(_list_things)
    assert d.paginators_added == ["ListThings: token NextToken, items Things, page size MaxResults"]
    assert len(d.review) == 1
    assert d.review[0].startswith("ListThings: paginator inferred from its shapes")
    assert "not declared in paginators-1.json" in d.review[0]
    report = d.report().splitlines()
    assert "  review by hand (1):" in report
    assert report[-1] == "    " + d.review[0]
    assert f"- Review by hand: {d.review[0]}." in d.markdown()


def test_a_new_declared_paginator_needs_no_review() -> None:
    old = _base()
    new = copy.deepcopy(old)
    _list_things(new)
    d = compare(old, new, new_paginators=DECLARED)
    assert d.paginators_added == ["ListThings: token NextToken, items Things, page size MaxResults"]
    assert d.review == []
    assert "review by hand" not in d.report()


def test_an_inferred_paginator_reviewed_once_is_not_flagged_again() -> None:
    old = _base()
    _list_things(old)
    assert compare(old, copy.deepcopy(old)).empty
    declared_now = compare(old, copy.deepcopy(old), new_paginators=DECLARED)
    assert declared_now.empty  # declared with the keys the rule found: nothing changes


def test_a_paginator_that_goes_away_is_breaking() -> None:
    old = _base()
    _list_things(old)
    new = copy.deepcopy(old)
    new["shapes"]["ListThingsResponse"]["members"]["More"] = {"shape": "ThingListType"}
    d = compare(old, new)  # two list members: the rule no longer finds a paginator
    assert d.paginators_removed == ["ListThings"]
    assert "paginator removed: ListThings" in d.breaking


def test_a_paginator_whose_token_changes_is_breaking() -> None:
    old, new = _base(), _base()
    _list_things(old)
    _list_things(new, token="PaginationToken")
    d = compare(old, new)
    assert d.paginators_changed == [
        "ListThings: token NextToken, items Things, page size MaxResults -> "
        "token PaginationToken, items Things, page size MaxResults"
    ]
    assert any(item.startswith("paginator changed: ListThings") for item in d.breaking)
    assert len(d.review) == 1  # the new guess is reviewed again


def test_markdown_lists_every_kind_of_change() -> None:
    def edit(m: dict[str, Any]) -> None:
        m["shapes"]["ModeType"]["enum"].remove("OFF")
        _list_things(m)

    text = _changed(edit).markdown()
    assert "- Enum values removed (1): `ModeType=OFF`." in text.splitlines()
    assert "- **Breaking**: enum value removed: ModeType=OFF." in text.splitlines()
    assert "- Operations added (1): `ListThings`." in text.splitlines()
    assert ApiDiff().markdown() == "- No API changes."


# --- model drift ------------------------------------------------------------------------------


def _members(model: dict[str, Any]) -> set[str]:
    return {f"{s}.{m}" for s, shape in model["shapes"].items() for m in shape.get("members", {})}


def test_drift_of_an_older_pinned_model(tmp_path: Path) -> None:
    """The 2022-12-12 revision pinned: behind botocore's by what the API diff says."""
    source_dir, version = _botocore_model()
    pinned = tmp_path / "cognito-idp" / "2016-04-18" / "service-2.json"
    pinned.parent.mkdir(parents=True)
    shutil.copyfile(require_old_model(), pinned)
    (tmp_path / "SOURCE.json").write_text('{"botocore": "1.29.0"}', encoding="utf-8")
    found = update_model.drift(tmp_path)
    old = load_json(require_old_model())
    new = update_model.read_json(next(p for p in source_dir.glob("service-2.json*") if p.is_file()))
    assert found.behind
    assert set(found.api.operations_added) == set(new["operations"]) - set(old["operations"])
    assert set(found.members_added) == _members(new) - _members(old)
    assert set(found.members_removed) == _members(old) - _members(new)
    report = found.report()
    assert f"botocore 1.29.0; newest: botocore {version}" in report
    assert f"{len(found.api.operations_added)} operations added" in report
    assert f"{len(found.members_added)} members added" in report
    assert not (tmp_path / "cognito-idp" / source_dir.name / "paginators-1.json").exists()


def test_drift_is_nothing_right_after_an_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    update_model.update(tmp_path)
    found = update_model.drift(tmp_path)
    assert not found.behind
    assert found.members_added == found.members_removed == []
    assert update_model.main(["--dest", str(tmp_path), "--drift"]) == 0
    assert "the pinned model is current" in capsys.readouterr().out


def test_drift_cli_fails_when_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pinned = tmp_path / "cognito-idp" / "2016-04-18" / "service-2.json"
    pinned.parent.mkdir(parents=True)
    shutil.copyfile(require_old_model(), pinned)
    assert update_model.main(["--dest", str(tmp_path), "--drift"]) == 1
    out = capsys.readouterr().out
    assert "the pinned model is behind by" in out
    assert "run `nox -s update-model`" in out


def test_update_writes_the_changelog_markdown(tmp_path: Path) -> None:
    pinned = tmp_path / "model" / "cognito-idp" / "2016-04-18" / "service-2.json"
    pinned.parent.mkdir(parents=True)
    shutil.copyfile(require_old_model(), pinned)
    changelog = tmp_path / "api-diff.md"
    assert (
        update_model.main(["--dest", str(tmp_path / "model"), "--changelog", str(changelog)]) == 0
    )
    text = changelog.read_text(encoding="utf-8")
    assert text.startswith("- Operations added (")
    assert "`ListWebAuthnCredentials`" in text
