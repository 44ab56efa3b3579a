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

# The web container migrates, then serves. Run the worker from the same image with:
#   docker run … voqo python manage.py qcluster
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn voqo.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
