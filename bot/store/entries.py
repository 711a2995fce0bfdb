"""Published entries as stats and reminders read them: drafts published from a server,
entries written on GitHub directly that were announced in its channel, and a member's entries
written on GitHub directly in their own diary repository."""

from __future__ import annotations

from bot.models import PublishedEntry
from bot.store._codec import decode_time
from bot.store._database import StorePart


class EntryStore(StorePart):
    async def list_published_entries(
        self,
        guild_id: int,
        *,
        author_id: int | None = None,
        channel_id: int | None = None,
        written_in: tuple[str, str] | None = None,
    ) -> list[PublishedEntry]:
        """Entries published from this server (by `author_id` only, if given), oldest first.
        With `channel_id`, also entries written on GitHub directly that were announced there
        (entries published from drafts, in any server, are not taken from announcements).
        With `author_id` and `written_in` (the member's own repository `owner/name` and their
        GitHub login), also the issues that login wrote directly in that repository, known
        from their announcements (once each, whatever the channels)."""
        author_filter = " AND author_id = ?" if author_id is not None else ""
        sql = (
            "SELECT issue_number AS number, title, issue_url AS url, published_at AS at,"
            " LENGTH(body) AS length, author_id, issue_repository AS repository FROM drafts"
            f" WHERE guild_id = ? AND published_at IS NOT NULL{author_filter}"
        )
        params: list[object] = [guild_id] + ([author_id] if author_id is not None else [])
        if channel_id is not None and author_id is None:
            sql += (
                " UNION ALL SELECT a.issue_number, a.title, a.url, a.entry_created_at,"
                " 0, NULL, NULL FROM announcements a WHERE a.channel_id = ?"
                " AND a.entry_state != 'deleted' AND NOT EXISTS (SELECT 1 FROM drafts d"
                # The same number in another repository is another entry: the page
                # tells them apart (rows that lack it fall back to the number alone).
                " WHERE d.issue_number = a.issue_number"
                " AND d.issue_url = COALESCE(a.issue_url, d.issue_url))"
            )
            params.append(channel_id)
        if written_in is not None and author_id is not None:
            # Announcement rows name the repository in lower case (bot/repositories.py).
            sql += (
                " UNION ALL SELECT a.issue_number, MIN(a.title), MIN(a.url),"
                " MIN(a.entry_created_at), 0, ?, a.repository FROM announcements a"
                " WHERE a.repository = lower(?) AND lower(a.author_name) = lower(?)"
                " AND a.entry_state != 'deleted' AND NOT EXISTS (SELECT 1 FROM drafts d"
                " WHERE d.issue_number = a.issue_number"
                " AND lower(d.issue_repository) = a.repository)"
                " GROUP BY a.issue_number"
            )
            params.extend([author_id, *written_in])
        rows = await self._db.run_read(
            lambda db: db.execute(f"SELECT * FROM ({sql}) ORDER BY at, number", params).fetchall()
        )
        entries = []
        for row in rows:
            at = decode_time(row["at"])
            assert at is not None
            entries.append(
                PublishedEntry(
                    number=row["number"],
                    title=row["title"],
                    url=row["url"],
                    published_at=at,
                    length=row["length"],
                    author_id=row["author_id"],
                    repository=row["repository"],
                )
            )
        return entries
