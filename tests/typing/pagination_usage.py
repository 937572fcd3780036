"""Paginators: pages are the operation's output, items the listed member's element type."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import assert_type

from aiocognito import CognitoIdentityProviderClient
from aiocognito._core.pagination import Paginator
from aiocognito.shapes import (
    GroupType,
    ListGroupsResponse,
    ListUserPoolsResponse,
    ListUsersResponse,
    UserPoolDescriptionType,
    UserType,
)


async def pages_and_items(client: CognitoIdentityProviderClient) -> None:
    users = client.paginate_list_users(user_pool_id="eu-west-1_Ab3dEf", page_size=60)
    assert_type(users, Paginator[ListUsersResponse, UserType])
    assert_type(users.pages(), AsyncIterator[ListUsersResponse])
    assert_type(users.items(), AsyncIterator[UserType])
    async for page in users:
        assert_type(page, ListUsersResponse)
        assert_type(page.pagination_token, str | None)
    async for user in users.items():
        assert_type(user, UserType)

    groups = client.paginate_list_groups(user_pool_id="eu-west-1_Ab3dEf", starting_token="t")
    async for group in groups.items():
        assert_type(group, GroupType)
    async for group_page in groups.pages():
        assert_type(group_page, ListGroupsResponse)

    pools = client.paginate_list_user_pools(page_size=10)
    assert_type(pools, Paginator[ListUserPoolsResponse, UserPoolDescriptionType])


async def paginations_that_must_not_type_check(client: CognitoIdentityProviderClient) -> None:
    client.paginate_list_users(user_pool_id="p", limit=10)  # type: ignore[call-arg]
    client.paginate_list_users(user_pool_id="p", page_size="10")  # type: ignore[arg-type]
    client.paginate_list_user_pools()  # type: ignore[call-arg]
    async for user in client.paginate_list_users(user_pool_id="p").items():
        group: GroupType = user  # type: ignore[assignment]
        del group
