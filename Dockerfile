# Voqo served by gunicorn; static files by whitenoise. Configure with environment variables
# (SECRET_KEY, FIELD_ENCRYPTION_KEYS, ALLOWED_HOSTS and the provider keys at least)
# (see .env.example); point DATABASE_URL at PostgreSQL and REDIS_URL at Redis in production.
#
# Everything Voqo writes lives under one volume, /app/data (owned by the app user): the
# default SQLite database, recordings and uploads (media/), and backups. Run it with:
#   docker run -v voqo-data:/app/data -p 8000:8000 --env-file .env voqo
# and the worker from the same image and volume:
#   docker run -v voqo-data:/app/data --env-file .env voqo python manage.py qcluster
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8000 \
    DATABASE_URL=sqlite:////app/data/voqo.db \
    MEDIA_ROOT=/app/data/media \
    BACKUP_DIR=/app/data/backups

# pg_dump and pg_restore for `manage.py backup`/`restore` on PostgreSQL, of the server's major
# version (compose's db is postgres:16; Debian's own client is older, and pg_dump refuses a
# newer server). From the PostgreSQL project's apt repository, as postgresql.org documents.
ARG PG_CLIENT_VERSION=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-${PG_CLIENT_VERSION} \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings but no real secrets or database.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.db python manage.py collectstatic --noinput

# /app stays root's (the code is read-only to the app); /app/data is the app user's.
RUN useradd --create-home voqo \
    && mkdir -p /app/data/media /app/data/backups \
    && chown -R voqo:voqo /app/data
VOLUME ["/app/data"]
USER voqo
EXPOSE 8000

# The web container migrates, then serves with gunicorn.conf.py (gthread workers; tune with
# WEB_CONCURRENCY, WEB_THREADS, WEB_TIMEOUT). BIND=127.0.0.1:8000 keeps it behind nginx in
# the same network namespace (deploy/compose.yaml). Run the worker from the same image with:
#   docker run … voqo python manage.py qcluster
# `docker stop` signals PID 1 alone, which is how both gunicorn and the qcluster stop cleanly;
# give the worker time to finish its task: `docker stop -t 150` / stop_grace_period.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn --bind ${BIND:-0.0.0.0:${PORT}} --access-logfile -"]
