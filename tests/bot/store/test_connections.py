"""ConnectionStore: one connection per member and server; a new account forgets the choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_tokens_replace_and_repository_follows_the_account(store):
    """Signing in again as the same account keeps the repository; another account clears it."""
    await store.connections.put_connection_tokens(
        1, 2, "bob", b"a1", T0, b"r1", T0 + timedelta(days=1), T0
    )
    assert await store.connections.set_connection_repository(1, 2, "bob/diary", T0) is True
    await store.connections.put_connection_tokens(1, 2, "bob", b"a2", None, None, None, T0)
    kept = await store.connections.get_connection(1, 2)
    assert kept is not None and kept.repository == "bob/diary" and kept.access_token == b"a2"
    assert kept.refresh_token is None and kept.access_expires_at is None
    await store.connections.put_connection_tokens(1, 2, "carol", b"a3", T0, b"r3", T0, T0)
    switched = await store.connections.get_connection(1, 2)
    assert switched is not None and (switched.github_login, switched.repository) == ("carol", None)
    assert await store.connections.get_connection(1, 3) is None


async def test_delete_and_choose_without_connection(store):
    """Deleting reports whether a row went; choosing needs a connection."""
    assert await store.connections.set_connection_repository(1, 2, "bob/diary", T0) is False
    await store.connections.put_connection_tokens(1, 2, "bob", b"a", T0, b"r", T0, T0)
    assert await store.connections.delete_connection(1, 2) is True
    assert await store.connections.delete_connection(1, 2) is False


async def test_failures_are_recorded_listed_first_and_cleared_by_new_tokens(store):
    """A failure is kept with its time, listed before healthy connections, counted, and
    cleared when new tokens arrive; the listing holds no token."""
    await store.connections.put_connection_tokens(
        1, 2, "bob", b"a", T0 + timedelta(hours=2), b"r", T0, T0
    )
    await store.connections.put_connection_tokens(
        1, 3, "carol", b"a", T0 + timedelta(hours=1), b"r", T0, T0
    )
    await store.connections.put_connection_tokens(1, 4, "dave", b"a", T0, b"r", T0, T0)
    await store.connections.put_connection_tokens(
        9, 2, "bob", b"a", T0, b"r", T0, T0
    )  # another server
    await store.connections.set_connection_repository(1, 3, "carol/diary", T0)
    await store.connections.set_connection_repository(1, 4, "dave/diary", T0)
    assert await store.connections.set_connection_failure(1, 4, "connect.again", T0) is True
    assert await store.connections.set_connection_failure(1, 5, "connect.again", T0) is False

    listed = await store.connections.list_connection_summaries(1, limit=10)
    assert [(s.user_id, s.failure) for s in listed] == [
        (4, "connect.again"),
        (2, None),  # no repository chosen yet
        (3, None),
    ]
    assert listed[0].failed_at == T0 and not hasattr(listed[0], "access_token")
    counts = await store.connections.count_connections(1)
    assert (counts.connected, counts.failing, counts.without_repository) == (3, 1, 1)
    assert [
        s.user_id for s in await store.connections.list_connection_summaries(1, limit=1, offset=1)
    ] == [2]

    await store.connections.put_connection_tokens(1, 4, "dave", b"a2", T0, b"r2", T0, T0)
    assert (await store.connections.count_connections(1)).failing == 0
