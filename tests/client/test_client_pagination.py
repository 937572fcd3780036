"""Paginators: every paged operation, pages and items, page size, resuming, stop conditions."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import respx

from aiocognito import CognitoIdentityProviderClient
from codegen.naming import operation_name
from tests.client.samples import example, members_example
from tests.client.support import ENDPOINT, MODEL, ROOT

LISTED = json.loads((ROOT / "service-model/cognito-idp/2016-04-18/paginators-1.json").read_text())[
    "pagination"
]


def _inferred(op: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """The inference rule, restated from codegen/paging.py's docstring (not imported from it).

    An operation paginators-1.json does not list pages when its input and output share exactly
    one token member (NextToken or PaginationToken) and its output has exactly one list member;
    its page size is the first of MaxResults, Limit, MaxItems its input has.
    """
    if "input" not in op or "output" not in op:
        return None
    inp = MODEL["shapes"][op["input"]["shape"]].get("members", {})
    out = MODEL["shapes"][op["output"]["shape"]].get("members", {})
    tokens = [t for t in ("NextToken", "PaginationToken") if t in inp and t in out]
    lists = [n for n, m in out.items() if MODEL["shapes"][m["shape"]]["type"] == "list"]
    if len(tokens) != 1 or len(lists) != 1:
        return None
    limit = next((k for k in ("MaxResults", "Limit", "MaxItems") if k in inp), None)
    return tokens[0], lists[0], limit


# Operation -> (token, result, page-size member): what paginators-1.json declares, then what
# the inference rule finds among the operations it leaves out.
DECLARED: dict[str, tuple[str, str, str | None]] = {
    name: (cfg["input_token"], cfg["result_key"], cfg.get("limit_key"))
    for name, cfg in LISTED.items()
}
INFERRED = {
    name: found
    for name, op in MODEL["operations"].items()
    if name not in LISTED and (found := _inferred(op)) is not None
}
PAGED = DECLARED | INFERRED


def test_exactly_the_paged_operations_have_paginators() -> None:
    """paginate_* methods: one per operation paginators-1.json declares or the rule infers."""
    methods = {n for n in dir(CognitoIdentityProviderClient) if n.startswith("paginate_")}
    assert methods == {"paginate_" + operation_name(op) for op in PAGED}
    assert DECLARED and INFERRED  # both sources are exercised by the pinned model


def test_the_generator_marks_inferred_paginators() -> None:
    """The IR flags exactly the rule's paginators as inferred (the API diff asks to review them)."""
    from codegen import ir, paging

    service = ir.build(MODEL, LISTED)
    inferred = {
        op.wire_name for op in service.paginated if op.pagination and op.pagination.inferred
    }
    assert inferred == set(INFERRED)
    assert {n for n, c in paging.paged_operations(MODEL, LISTED).items() if c.inferred} == inferred


def _shapes(op_name: str) -> tuple[type, type]:
    from aiocognito import shapes

    op = MODEL["operations"][op_name]
    return getattr(shapes, op["input"]["shape"]), getattr(shapes, op["output"]["shape"])


@pytest.mark.parametrize("op_name", sorted(PAGED))
async def test_pages_and_items(client: Any, op_name: str) -> None:
    token_key, result_key, limit_key = PAGED[op_name]
    _, out_cls = _shapes(op_name)
    op = MODEL["operations"][op_name]
    params, _ = members_example(op["input"]["shape"], full=False)
    for name in ("next_token", "pagination_token", "max_results", "limit"):
        params.pop(name, None)
    _, page = example(op["output"]["shape"], full=True)
    item = page[result_key][0]
    pages = [
        {**page, result_key: [item, item], token_key: "t1"},
        {**page, result_key: [item], token_key: "t2"},
        {**{k: v for k, v in page.items() if k != token_key}, result_key: [item]},
    ]
    sent: list[dict[str, Any]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        index = {None: 0, "t1": 1, "t2": 2}[body.get(token_key)]
        return httpx.Response(200, json=pages[index])

    paginate = getattr(client, "paginate_" + operation_name(op_name))
    extra = {"page_size": 25} if limit_key else {}
    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(side_effect=reply)
        got_pages = [p async for p in paginate(**params, **extra)]
        got_items = [i async for i in paginate(**params, **extra).items()]
    assert [type(p) for p in got_pages] == [out_cls] * 3
    assert len(got_items) == 4
    assert all(type(i) is type(got_items[0]) for i in got_items)
    assert [b.get(token_key) for b in sent[:3]] == [None, "t1", "t2"]
    if limit_key:
        assert all(b[limit_key] == 25 for b in sent)


async def test_starting_token_and_empty_token(client: Any) -> None:
    bodies: list[dict[str, Any]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"Users": [{"Username": "u"}], "PaginationToken": ""})

    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(side_effect=reply)
        users = [
            u
            async for u in client.paginate_list_users(
                user_pool_id="p", starting_token="resume-here"
            ).items()
        ]
    assert [u.username for u in users] == ["u"]
    assert bodies == [{"UserPoolId": "p", "PaginationToken": "resume-here"}]


async def test_repeated_token_stops(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    calls = 0

    def reply(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        token = "same" if calls < 100 else None
        return httpx.Response(
            200, json={"Groups": [{"GroupName": f"g{calls}"}], "NextToken": token}
        )

    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(side_effect=reply)
        with caplog.at_level(logging.WARNING, logger="aiocognito"):
            groups = [g async for g in client.paginate_list_groups(user_pool_id="p").items()]
    assert [g.group_name for g in groups] == ["g1", "g2"]
    assert calls == 2
    assert "already returned" in caplog.text


async def test_breaking_out_early_fetches_no_more(client: Any) -> None:
    calls = 0

    def reply(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(
            200, json={"UserPools": [{"Id": f"p{calls}"}] * 3, "NextToken": f"t{calls}"}
        )

    with respx.mock() as mock:
        mock.post(ENDPOINT).mock(side_effect=reply)
        async for pool in client.paginate_list_user_pools(page_size=3).items():
            assert pool.id == "p1"
            break
    assert calls == 1
