"""Paginators: every paged operation, pages and items, page size, resuming, stop conditions."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import respx

from aiocognito import CognitoIdentityProviderClient
from aiocognito._core.serde import to_wire
from codegen.naming import operation_name
from tests.client.samples import params_for, sample
from tests.client.support import ENDPOINT, MODEL, ROOT

LISTED = json.loads((ROOT / "service-model/cognito-idp/2016-04-18/paginators-1.json").read_text())[
    "pagination"
]
# Paged by a shared token member but absent from paginators-1.json.
INFERRED = {
    "AdminListDevices": ("PaginationToken", "Devices", "Limit"),
    "AdminListUserSessions": ("NextToken", "Sessions", None),
    "ListDevices": ("PaginationToken", "Devices", "Limit"),
    "ListTerms": ("NextToken", "Terms", "MaxResults"),
    "ListUserImportJobs": ("PaginationToken", "UserImportJobs", "MaxResults"),
    "ListUserPoolClientSecrets": ("NextToken", "ClientSecrets", None),
    "ListUserPoolReplicas": ("NextToken", "UserPoolReplicas", None),
    "ListUserSessions": ("NextToken", "Sessions", None),
    "ListWebAuthnCredentials": ("NextToken", "Credentials", "MaxResults"),
}
PAGED: dict[str, tuple[str, str, str | None]] = {
    name: (cfg["input_token"], cfg["result_key"], cfg.get("limit_key"))
    for name, cfg in LISTED.items()
} | INFERRED


def test_exactly_the_paged_operations_have_paginators() -> None:
    methods = {n for n in dir(CognitoIdentityProviderClient) if n.startswith("paginate_")}
    assert methods == {"paginate_" + operation_name(op) for op in PAGED}
    assert len(PAGED) == 18


def _shapes(op_name: str) -> tuple[type, type]:
    from aiocognito import shapes

    op = MODEL["operations"][op_name]
    return getattr(shapes, op["input"]["shape"]), getattr(shapes, op["output"]["shape"])


@pytest.mark.parametrize("op_name", sorted(PAGED))
async def test_pages_and_items(client: Any, op_name: str) -> None:
    token_key, result_key, limit_key = PAGED[op_name]
    in_cls, out_cls = _shapes(op_name)
    params = params_for(in_cls, full=False)
    for name in ("next_token", "pagination_token", "max_results", "limit"):
        params.pop(name, None)
    page = to_wire(sample(out_cls, full=True))
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
