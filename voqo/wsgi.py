import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from voqo.request_bodies import RequestBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voqo.settings")
application = RequestBodies(
    get_wsgi_application(),
    max_bytes=settings.REQUEST_BODY_MAX_BYTES,
    timeout=settings.REQUEST_BODY_TIMEOUT,
)
