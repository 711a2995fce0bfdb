# diary-bot in a container. Untested here (no Docker in the build environment); see README.md,
# "Running as a service".
#   docker build -t diary-bot .
#   docker run --rm --env-file diary-bot.env -v diary-data:/data diary-bot check
#   docker run -d --name diary-bot --restart on-failure --stop-timeout 15 \
#       --env-file diary-bot.env -v diary-data:/data diary-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/diary.sqlite3

# A dedicated user without a login; /data (the volume) is its only writable place.
RUN groupadd --system --gid 10001 diary-bot \
    && useradd --system --uid 10001 --gid diary-bot --home-dir /app \
        --shell /usr/sbin/nologin diary-bot \
    && mkdir /data \
    && chown diary-bot:diary-bot /data

WORKDIR /app
# Only what the package needs (README.md is the package's long description).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install .

USER diary-bot
VOLUME ["/data"]
# The bot stops within 10 s of SIGTERM; give it `--stop-timeout 15` (Docker's default is 10).
STOPSIGNAL SIGTERM
# With WEBHOOK_PORT set, publish that port too (`-p 8080:8080`); WEBHOOK_HOST stays 0.0.0.0.
# No arguments: run the bot. `docker run ... IMAGE check` (or invite, backup /data/x, ...)
# runs one diary-bot command instead.
ENTRYPOINT ["diary-bot"]
