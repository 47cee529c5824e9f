# Production image: Python slim + WeasyPrint's system libraries and fonts, and Debian's Chromium
# for page captures (incidents.capture, run by the capture worker); runs as the user "app".
# Dependencies come from requirements.lock, every one pinned with its SHA-256 (`make lock`).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=udhaengning.settings.prod

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        fonts-dejavu-core fonts-liberation2 libmagic1 gettext \
        chromium openssl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app
WORKDIR /app

COPY requirements.lock .
RUN pip install --no-deps --require-hashes -r requirements.lock

COPY --chown=app:app . .
# Static files are collected at build time with throwaway values for the required settings.
# The folders that become volumes are made here, owned by app, so new volumes inherit that.
RUN SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_hex(32))') \
    DATABASE_URL=postgres://build@localhost/build ALLOWED_HOSTS=build \
    CELERY_BROKER_URL=redis://localhost CACHE_URL=locmemcache:// \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/private /app/var/beat /tls \
    && chown -R app:app /app/var /tls

USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "udhaengning.wsgi:application"]
