"""/api/v1/: one `router.register(...)` line per resource (see api/base.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api import resources
from api.errors import not_found

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("agents", resources.AgentViewSet, basename="agent")
router.register("contacts", resources.ContactViewSet, basename="contact")
router.register("contacts/<uuid:contact_id>/memories", resources.MemoryViewSet, basename="memory")
router.register("calls", resources.CallViewSet, basename="call")
router.register("campaigns", resources.CampaignViewSet, basename="campaign")
router.register("uploads", resources.UploadViewSet, basename="upload")
router.register("jobs", resources.JobViewSet, basename="job")
router.register("functions", resources.CustomFunctionViewSet, basename="function")
router.register("webhook-endpoints", resources.WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("phone-numbers", resources.PhoneNumberViewSet, basename="phone-number")
router.register("scheduled-calls", resources.ScheduledCallViewSet, basename="scheduled-call")
router.register("dispositions", resources.DispositionViewSet, basename="disposition")
router.register("listings", resources.ListingViewSet, basename="listing")
router.register(
    "knowledge-documents", resources.KnowledgeDocumentViewSet, basename="knowledge-document"
)
router.register("sms-threads", resources.ThreadViewSet, basename="sms-thread")

# The reference is public: it describes the API, it opens nothing.
PUBLIC = {"authentication_classes": [], "permission_classes": [], "throttle_classes": []}

app_name = "api"
urlpatterns = [
    path(
        "openapi.json",
        login_not_required(SpectacularJSONAPIView.as_view(**PUBLIC)),
        name="schema",
    ),
    path(
        "docs",
        login_not_required(SpectacularSwaggerView.as_view(url_name="api:schema", **PUBLIC)),
        name="docs",
    ),
    *router.urls,
    re_path(r"^.*$", login_not_required(not_found)),
]
