# Voqo served by gunicorn; static files by whitenoise. Configure with environment variables
# (SECRET_KEY, FIELD_ENCRYPTION_KEYS, ALLOWED_HOSTS and the provider keys at least)
# (see .env.example); point DATABASE_URL at PostgreSQL and REDIS_URL at Redis in production.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8000

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings but no real secrets or database.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.db python manage.py collectstatic --noinput

RUN useradd --create-home voqo && mkdir -p /app/media && chown -R voqo /app/media
USER voqo
EXPOSE 8000

# The web container migrates, then serves with gunicorn.conf.py (gthread workers; tune with
# WEB_CONCURRENCY, WEB_THREADS, WEB_TIMEOUT). BIND=127.0.0.1:8000 keeps it behind nginx in
# the same network namespace (deploy/compose.yaml). Run the worker from the same image with:
#   docker run … voqo python manage.py qcluster
# `docker stop` signals PID 1 alone, which is how both gunicorn and the qcluster stop cleanly;
# give the worker time to finish its task: `docker stop -t 150` / stop_grace_period.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn --bind ${BIND:-0.0.0.0:${PORT}} --access-logfile -"]
