# diary-bot in a container. No Docker engine in the build environment: .ci/run builds the
# image where one is available and lints this file (hadolint) otherwise. See README.md,
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
    DATABASE_PATH=/data/diary.sqlite3 \
    HEARTBEAT_FILE=/tmp/diary-bot.heartbeat \
    WEBHOOK_HOST=0.0.0.0

# A dedicated user without a login; /data (the volume) is its only writable place besides /tmp.
RUN groupadd --system --gid 10001 diary-bot \
    && useradd --system --uid 10001 --gid diary-bot --home-dir /app \
        --shell /usr/sbin/nologin diary-bot \
    && mkdir /data \
    && chown diary-bot:diary-bot /data

WORKDIR /app
# The dependencies at the locked versions (tzdata among them: slim images lack most time
# zones), in a layer of their own: a code change does not reinstall them. The lock also
# holds the test tools; only the package's own dependencies are installed.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/dependencies.txt \
    && pip install --no-cache-dir -c requirements.lock -r /tmp/dependencies.txt \
    && rm /tmp/dependencies.txt
# The package itself (README.md is its long description).
COPY README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-cache-dir --no-deps .

USER 10001:10001
VOLUME ["/data"]
# The running bot touches HEARTBEAT_FILE every 15 s while it is connected to Discord and its
# workers run; `diary-bot health` fails once the file is a minute old.
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
    CMD ["diary-bot", "health"]
# The bot stops within 10 s of SIGTERM; give it `--stop-timeout 15` (Docker's default is 10).
STOPSIGNAL SIGTERM
# With WEBHOOK_PORT set, publish that port too (`-p 127.0.0.1:8080:8080` behind a reverse
# proxy on the host): inside the container the endpoint listens on every interface.
# No arguments: run the bot. `docker run ... IMAGE check` (or invite, backup /data/x, ...)
# runs one diary-bot command instead.
ENTRYPOINT ["diary-bot"]
