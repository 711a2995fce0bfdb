"""What the watcher and the webhook endpoint keep: deliveries seen (so a redelivery is handled
once), and whether an issue is one this bot published."""

from __future__ import annotations

from datetime import datetime

from bot.models import JobState
from bot.store._codec import encode_time
from bot.store._database import Database

KEPT_DELIVERIES = 1000


class WatchStore:
    _db: Database

    async def publish_job_state(self, idempotency_key: str) -> JobState | None:
        """The state of the publish job with this key, or None if this bot has none."""
        async with self._db.read() as db:
            cursor = await db.execute(
                "SELECT state FROM publish_jobs WHERE idempotency_key = ?", (idempotency_key,)
            )
            row = await cursor.fetchone()
        return JobState(row["state"]) if row else None

    async def add_webhook_delivery(self, delivery_id: str, at: datetime) -> bool:
        """Record a delivery; False if it was recorded before. Keeps the most recent ones."""
        async with self._db.write() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO webhook_deliveries (delivery_id, received_at) VALUES (?, ?)",
                (delivery_id, encode_time(at)),
            )
            if cursor.rowcount == 0:
                return False
            await db.execute(
                "DELETE FROM webhook_deliveries WHERE delivery_id NOT IN (SELECT delivery_id"
                " FROM webhook_deliveries ORDER BY received_at DESC LIMIT ?)",
                (KEPT_DELIVERIES,),
            )
        return True

    async def delete_webhook_delivery(self, delivery_id: str) -> None:
        """Forget a delivery whose handling failed, so a redelivery is handled again."""
        async with self._db.write() as db:
            await db.execute("DELETE FROM webhook_deliveries WHERE delivery_id = ?", (delivery_id,))
