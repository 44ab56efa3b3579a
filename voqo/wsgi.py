import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from voqo.machine_routes import ByAudience, MachineHandler
from voqo.request_bodies import RequestBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voqo.settings")
people = get_wsgi_application()  # sets Django up; MachineHandler needs the apps loaded
application = RequestBodies(
    ByAudience(people, MachineHandler()),
    max_bytes=settings.REQUEST_BODY_MAX_BYTES,
    timeout=settings.REQUEST_BODY_TIMEOUT,
)
