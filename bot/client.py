"""The discord.py client: start-up, command sync, one error route, and the Discord ports."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n, startup
from bot.app import Services
from bot.errors import LoginRejected, NotAllowed, UserFacingError
from bot.health import Heartbeat
from bot.limits import (
    DISCORD_CONTENT,
    EMBED_AUTHOR,
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    EMBED_URL,
    cut,
    encodable,
    fit_embed_data,
)
from bot.models import Announcement, EntryState, TrackedAnnouncement
from bot.services.access import AccessUnknown, MemberFacts
from bot.services.announcing import AnnouncementFailed
from bot.services.posting import RecentPost

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.drafts", "cogs.entries", "cogs.diary")
COMMANDS_HASH_KEY = "commands_hash"
MISSING_ACCESS = 50001  # Discord's code for a server the bot is not in
PUBLIC_BOT_WARNING = (
    "the application is public and DISCORD_GUILD_ID is not set: anyone can add this bot to "
    'their server and write to the diary. Turn "Public Bot" off (Developer Portal → your '
    "application → Bot → Public Bot), or set DISCORD_GUILD_ID to the servers it serves"
)
NO_MENTIONS = discord.AllowedMentions.none()
# On shutdown, how long replies under way may take; within the 10 s a service manager allows.
INTERACTION_GRACE_SECONDS = 3.0
# Names discord.py gives the tasks that run interaction handlers (editors are answered by
# `on_interaction` listeners, which run as event tasks).
_INTERACTION_TASKS = (
    "CommandTree-invoker",
    "discord-ui-modal-dispatch",
    "discord-ui-view-dispatch",
    "discord-ui-dynamic-item",
    "discord.py: on_interaction",
)


InteractionGate = Callable[[discord.Interaction], Awaitable[bool]]


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """The embed within Discord's limits however it was assembled (see `fit_embed_data`)."""
    data = embed.to_dict()
    fitted = fit_embed_data(data)  # type: ignore[arg-type]
    return embed if fitted == data else discord.Embed.from_dict(fitted)


def fit_message(content: str | None, kwargs: dict[str, Any]) -> str | None:
    """The content cut to Discord's 2,000 characters, and the embeds in `kwargs` fitted."""
    if kwargs.get("embed") is not None:
        kwargs["embed"] = fit_embed(kwargs["embed"])
    if kwargs.get("embeds"):
        kwargs["embeds"] = [fit_embed(embed) for embed in kwargs["embeds"]]
    return cut(encodable(content), DISCORD_CONTENT) if content is not None else None


async def reply(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer ephemerally whether or not the interaction was already acknowledged; the reply
    is made to fit Discord's limits."""
    kwargs.setdefault("ephemeral", True)
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    content = fit_message(content, kwargs)
    if interaction.response.is_done():
        await interaction.followup.send(content, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)


async def report_error(interaction: discord.Interaction, error: Exception) -> None:
    """The one error route: a localized, ephemeral explanation; a traceback in the log only
    for errors we did not expect."""
    original: BaseException = error
    # discord.py wraps what a command, transformer or check raised: answer the cause.
    while isinstance(original, app_commands.AppCommandError) and original.__cause__ is not None:
        original = original.__cause__
    locale = str(interaction.locale)
    if interaction.client.is_closed():
        # Shutting down: the HTTP session is gone, and the interaction will expire unanswered.
        log.warning("interaction %s interrupted by shutdown: %r", interaction.id, original)
        return
    if isinstance(original, UserFacingError):
        text = i18n.t(locale, original.key, **original.values)
        log.info("user-facing error for %s: %s", interaction.user.id, original.key)
    elif isinstance(original, app_commands.NoPrivateMessage):
        text = i18n.t(locale, "error.guild_only")
    else:
        log.error("unexpected error in interaction %s", interaction.id, exc_info=original)
        text = i18n.t(locale, "error.unexpected")
    try:
        await reply(interaction, text)
    except (discord.HTTPException, aiohttp.ClientError, OSError, RuntimeError) as failure:
        # Expired interaction, Discord unreachable, or the session closing under a shutdown.
        log.warning(
            "could not deliver the error message for interaction %s: %r", interaction.id, failure
        )


class DiaryTranslator(app_commands.Translator):
    """Fills `name_localizations`/`description_localizations` from the catalogues."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        language = i18n.language_of(locale.value)
        if key is None or language == i18n.DEFAULT_LANGUAGE or locale.value != language:
            return None
        return i18n.catalogue(language).get(key)


class DiaryTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every command, context menu and autocomplete passes the client's gate (the cogs
        install the access check there: discord.py skips cogs' checks for autocomplete)."""
        client = interaction.client
        assert isinstance(client, DiaryBot)
        try:
            return await client.gate(interaction)
        except NotAllowed as refused:  # as a check failure, so it reaches `on_error`
            raise app_commands.CheckFailure(refused.key) from refused

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await report_error(interaction, error)


class DiaryBot(commands.Bot):
    """The bot. Services are attached before `start()`; the bot implements their Discord ports."""

    def __init__(
        self,
        *,
        guild_ids: tuple[int, ...] = (),
        heartbeat_file: Path | None = None,
        service_env: Mapping[str, str] | None = None,
    ) -> None:
        """`service_env`: the service manager's variables (NOTIFY_SOCKET, WATCHDOG_USEC)."""
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles of our servers; nothing privileged
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            tree_cls=DiaryTree,
            allowed_mentions=NO_MENTIONS,
        )
        self._guild_ids = guild_ids  # the servers served (commands synced there); () = all
        self._services: Services | None = None
        self._stopping = asyncio.Event()
        self._heartbeat = Heartbeat(self.healthy, heartbeat_file, env=service_env or {})
        # Decides whether an application command (or its autocomplete) runs; see DiaryTree.
        self.gate: InteractionGate = self._served_only

    @property
    def services(self) -> Services:
        assert self._services is not None, "attach services before starting the bot"
        return self._services

    def attach(self, services: Services) -> None:
        self._services = services

    async def _served_only(self, interaction: discord.Interaction) -> bool:
        """The gate until the cogs install theirs: interactions from servers this bot does not
        serve are refused (autocomplete: no choices)."""
        if self.services.access.serves(interaction.guild_id):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
            return False
        raise NotAllowed("error.server_not_served")

    async def member_facts(self, guild_id: int, user_id: int) -> MemberFacts | None:
        """MemberLookup port: the member as Discord knows them now (asked, not cached: without
        the members intent no role change or departure is ever sent)."""
        guild = self.get_guild(guild_id)
        if guild is None:
            return None  # the bot is not in that server
        if guild.unavailable:
            raise AccessUnknown("server unavailable")
        try:
            member = await guild.fetch_member(user_id)
        except discord.NotFound:
            return None
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as error:
            raise AccessUnknown(type(error).__name__) from None
        return MemberFacts(
            guild_id=guild_id,
            user_id=user_id,
            role_ids=frozenset(role.id for role in member.roles),
            manage_guild=member.guild_permissions.manage_guild,
        )

    async def setup_hook(self) -> None:
        # Runs again when a start-up attempt failed after logging in (network lost while
        # syncing): what is already done is not done twice.
        if self.tree.translator is None:
            await self.tree.set_translator(DiaryTranslator())
        for extension in EXTENSIONS:
            if extension not in self.extensions:
                await self.load_extension(extension)
        if self._guild_ids:
            for guild_id in self._guild_ids:
                await self._sync_commands_if_changed(guild_id)
        else:
            self._warn_if_public()
            await self._sync_commands_if_changed(None)
        self.services.start()
        self._heartbeat.start()

    def healthy(self) -> bool:
        """Connected to the gateway (ready, with a measured latency) and every worker runs."""
        return (
            self.is_ready()
            and not self.is_closed()
            and math.isfinite(self.latency)
            and self._services is not None
            and self._services.alive()
        )

    async def serve(self, token: str, *, retry_cap: float = startup.MAX_RETRY_SECONDS) -> None:
        """Log in (waiting while Discord cannot be reached) and run until closed;
        LoginRejected when Discord refuses the token."""
        try:
            async with self:
                logged_in = await startup.until_reachable(
                    lambda: self.login(token),
                    host=urlsplit(discord.http.Route.BASE).hostname or "discord.com",
                    cap=retry_cap,
                    stopped=self._stopping,
                    server_errors=(discord.DiscordServerError,),
                )
                if logged_in and not self.is_closed():
                    # discord.py's gateway connection reconnects by itself from here on.
                    await self.connect(reconnect=True)
        except discord.LoginFailure:
            raise LoginRejected from None

    async def close(self) -> None:
        """Stop taking work, let interactions in flight answer (briefly), stop the workers,
        then disconnect."""
        self._stopping.set()
        await self._heartbeat.stop()
        await _finish_interactions(INTERACTION_GRACE_SECONDS)
        if self._services is not None:
            await self._services.stop()
        await super().close()

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) to %d server(s)",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
        )
        for guild in self.guilds:
            await self._leave_if_not_served(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._leave_if_not_served(guild)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._leave_if_not_served(guild)

    async def _leave_if_not_served(self, guild: discord.Guild) -> None:
        """With DISCORD_GUILD_ID set, the bot stays only in the servers listed there."""
        if self.services.access.serves(guild.id):
            return
        log.warning("leaving server %r (%d): it is not in DISCORD_GUILD_ID", guild.name, guild.id)
        try:
            await guild.leave()
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            log.warning(
                "could not leave server %d (%r); its interactions are refused", guild.id, error
            )

    def _warn_if_public(self) -> None:
        """Without DISCORD_GUILD_ID the bot serves every server that adds it: say so if
        anyone may add it."""
        application = self.application
        if application is not None and application.bot_public:
            log.warning(PUBLIC_BOT_WARNING)

    async def _sync_commands_if_changed(self, guild_id: int | None) -> None:
        """Discord rate-limits syncs: sync only when the definitions changed since last time.
        A listed server the bot is not in yet is logged and skipped (synced at a later start)."""
        guild = discord.Object(guild_id) if guild_id is not None else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        definitions = [
            command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)
        ]
        fingerprint = json.dumps(
            {
                "target": guild_id,
                "application": self.application_id,
                "commands": definitions,
                "catalogues": [i18n.catalogue(language) for language in i18n.LANGUAGES],
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        digest = hashlib.sha256(fingerprint.encode()).hexdigest()
        store = self.services.store
        key = COMMANDS_HASH_KEY if guild_id is None else f"{COMMANDS_HASH_KEY}:{guild_id}"
        if await store.get_value(key) == digest:
            log.info("application commands unchanged; not syncing")
            return
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.Forbidden as error:
            if error.code != MISSING_ACCESS:
                raise
            log.warning(
                "server %d (DISCORD_GUILD_ID): the bot is not in it, so its commands are not "
                "there yet; add the bot with the link from `diary-bot invite`, then restart",
                guild_id,
            )
            return
        await store.set_value(key, digest)
        log.info(
            "synced %d application command(s) %s",
            len(synced),
            f"to server {guild_id}" if guild else "globally",
        )

    async def language_of_channel(self, channel_id: int) -> str | None:
        """The language of posts no member triggered in this channel: the server's language
        (/diary-admin config language:), else the preferred locale of a Community server."""
        guild = getattr(self.get_channel(channel_id), "guild", None)
        if guild is None:
            return None
        settings = await self.services.server_settings.get(guild.id)
        return settings.language or str(guild.preferred_locale)

    # ChannelDirectory port
    def guild_ids(self) -> list[int]:
        return [guild.id for guild in self.guilds]

    def guild_of_channel(self, channel_id: int) -> int | None:
        channel = self.get_channel(channel_id)
        guild = getattr(channel, "guild", None)
        return guild.id if guild is not None else None

    # AnnouncementSender port
    async def send_announcement(self, announcement: Announcement, nonce: str) -> int:
        channel = self.get_partial_messageable(announcement.channel_id)
        with _posting_errors():
            # discord.py sends `enforce_nonce: true` with every nonce.
            message = await channel.send(
                embed=announcement_embed(announcement), allowed_mentions=NO_MENTIONS, nonce=nonce
            )
        return message.id

    # RecentPosts port
    async def recent_posts(self, channel_id: int, limit: int) -> list[RecentPost]:
        """The bot's own messages among the channel's last `limit`, newest first."""
        channel = self.get_partial_messageable(channel_id)
        me = self.user.id if self.user else self.application_id
        with _posting_errors():
            messages = [message async for message in channel.history(limit=limit)]
        return [
            RecentPost(
                id=message.id,
                content=message.content,
                links=tuple(embed.url for embed in message.embeds if embed.url),
                created_at=message.created_at,
            )
            for message in messages
            if message.author.id == me
        ]

    async def edit_announcement(
        self, channel_id: int, message_id: int, announcement: TrackedAnnouncement
    ) -> None:
        embed = announcement_embed(announcement)
        if announcement.entry_state is not EntryState.OPEN:
            locale = await self.language_of_channel(channel_id)
            note = i18n.t(locale, f"announcement.{announcement.entry_state.value}")
            embed.set_footer(text=f"#{announcement.issue_number} · {note}")
            if announcement.entry_state is EntryState.DELETED:
                embed.url, embed.description = None, None
        message = self.get_partial_messageable(channel_id).get_partial_message(message_id)
        with _posting_errors():
            await message.edit(embed=embed, allowed_mentions=NO_MENTIONS)

    # ReminderPoster port
    async def post_reminder(
        self, channel_id: int, text_for: Callable[[str | None], str], nonce: str
    ) -> int:
        """Post a text in the server's language, without link previews or pings."""
        text = text_for(await self.language_of_channel(channel_id))
        channel = self.get_partial_messageable(channel_id)
        with _posting_errors():
            message = await channel.send(
                text, allowed_mentions=NO_MENTIONS, suppress_embeds=True, nonce=nonce
            )
        return message.id


@contextmanager
def _posting_errors() -> Iterator[None]:
    """Discord's failures as AnnouncementFailed: permanent when retrying cannot help; outcome
    unknown when Discord may have done it all the same (a 5xx, a timeout, a lost connection)."""
    try:
        yield
    except (discord.Forbidden, discord.NotFound) as error:
        raise AnnouncementFailed(f"{error.status} {error.text}", permanent=True) from None
    except discord.HTTPException as error:
        raise AnnouncementFailed(
            f"{error.status} {error.text}", permanent=False, outcome_unknown=error.status >= 500
        ) from None
    except (OSError, TimeoutError, aiohttp.ClientError) as error:
        raise AnnouncementFailed(
            type(error).__name__, permanent=False, outcome_unknown=True
        ) from None


async def _finish_interactions(seconds: float) -> None:
    """Wait for discord.py's tasks that handle interactions (commands, autocomplete, buttons,
    modals), so replies already under way are not cut off by the closing HTTP session."""
    current = asyncio.current_task()
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not current and task.get_name().startswith(_INTERACTION_TASKS)
    ]
    if running:
        await asyncio.wait(running, timeout=seconds)


def announcement_embed(announcement: Announcement) -> discord.Embed:
    """One embed: title and link, author, excerpt, labels, time. Mentions in it ping nobody:
    the message is sent with no allowed mentions, and embeds never ping anyway."""
    embed = discord.Embed(
        title=cut(announcement.title, EMBED_TITLE),
        url=announcement.url,
        description=announcement.excerpt or None,
        timestamp=announcement.entry_created_at,
        colour=discord.Colour.blurple(),
    )
    embed.set_author(
        name=cut(announcement.author_name, EMBED_AUTHOR), icon_url=announcement.author_avatar_url
    )
    if announcement.labels:
        embed.add_field(name="🏷️", value=cut(", ".join(announcement.labels), EMBED_FIELD_VALUE))
    if announcement.image_url and len(announcement.image_url) <= EMBED_URL:
        embed.set_image(url=announcement.image_url)
    embed.set_footer(text=f"#{announcement.issue_number}")
    return embed
