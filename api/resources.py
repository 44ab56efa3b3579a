"""The /api/v1/ resources: thin viewsets over the domain's forms, selectors and services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from agents import services as agent_services
from agents.models import Agent
from api import serializers as api
from api.base import AgencyViewSet
from api.errors import ApiError
from calls.forms import CallFilterForm
from calls.models import Call
from calls.outbound import CallingWindowClosed, OutboundCallFailed, OutboundCallRefused
from campaigns import services as campaign_services
from campaigns.csv_upload import UploadRefused
from campaigns.forms import JobForm
from campaigns.models import Campaign, Job, Upload
from contacts.models import Contact, Memory
from contacts.opt_out import opt_in_contact, opt_out_contact
from contacts.services import call_now, filter_by_tag, search_contacts
from functions.models import CustomFunction
from knowledge import services as knowledge_services
from knowledge.models import KnowledgeDocument
from listings.forms import ListingFilterForm
from listings.models import Listing
from messages.models import Thread
from messages.services import MessageFailed, MessageRefused, send_message
from outcomes.exports import calls_csv_lines
from outcomes.models import Disposition
from outcomes.recording import correct_outcome
from phone_numbers import services as number_services
from phone_numbers.models import PhoneNumber
from retention.forgetting import access_export, forget_contact
from scheduling import services as scheduling
from scheduling.models import ScheduledCall
from voqo.models import agency_zone
from voqo.phones import try_normalize_phone
from webhooks import endpoints, sending
from webhooks.models import Delivery, Endpoint


def _refused(message: str, *, code: str, http_status: int = 409, field=None) -> ApiError:
    return ApiError(message, code=code, status=http_status, field=field)


DELETE_WARNINGS = inline_serializer(
    "DeleteWarnings", {"warnings": serializers.ListField(child=serializers.CharField())}
)


def _deleted(warnings: list[str]) -> Response:
    """204 when the delete went through everywhere; 200 naming what ElevenLabs did not do."""
    if warnings:
        return Response({"warnings": warnings}, status=status.HTTP_200_OK)
    return Response(status=status.HTTP_204_NO_CONTENT)


# -- agents ------------------------------------------------------------------------------------


class AgentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AgencyViewSet,
):
    """Agents; a create or update is synced to ElevenLabs at once (see `sync_status`)."""

    queryset = Agent.objects.all()
    serializer_class = api.AgentSerializer
    lookup_url_kwarg = "agent_id"

    def perform_create(self, serializer):
        agent_services.sync_agent(serializer.save())

    def perform_update(self, serializer):
        agent_services.sync_agent(serializer.save())

    @extend_schema(request=None, responses=api.AgentSerializer)
    @action(detail=True, methods=["post"])
    def sync(self, request, agent_id=None):
        """Push the agent to ElevenLabs again; `sync_status` and `sync_error` say how it went."""
        agent = self.get_object()
        agent_services.sync_agent(agent)
        return Response(self.get_serializer(agent).data)


# -- contacts ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name or part of a number."),
            OpenApiParameter("phone", str, description="A whole number in any format."),
            OpenApiParameter("tag", str, description="Contacts with this tag."),
        ]
    )
)
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AgencyViewSet,
):
    """Contacts; deleting one deletes its memories and keeps its calls (unlinked)."""

    queryset = Contact.objects.select_related("owner")
    serializer_class = api.ContactSerializer
    lookup_url_kwarg = "contact_id"

    def filter_queryset(self, queryset):
        params = self.request.query_params
        if self.action != "list":
            return queryset
        if phone := params.get("phone", "").strip():
            normalised = try_normalize_phone(phone)
            if normalised is None:
                raise serializers.ValidationError({"phone": "That is not a phone number."})
            queryset = queryset.filter(phone=normalised)
        if text := params.get("q", "").strip():
            queryset = search_contacts(queryset, text)
        if tag := params.get("tag", "").strip():
            queryset = filter_by_tag(queryset, tag)
        return queryset

    @extend_schema(request=None, responses=api.ContactSerializer)
    @action(detail=True, methods=["post"], url_path="opt-out")
    def opt_out(self, request, contact_id=None):
        """Stop all calls and SMS to the contact's number."""
        contact = self.get_object()
        opt_out_contact(contact_id=contact.pk, by=request.user.get_username(), agency=self.agency)
        contact.refresh_from_db()
        return Response(self.get_serializer(contact).data)

    @extend_schema(request=None, responses=api.ContactSerializer)
    @action(detail=True, methods=["post"], url_path="opt-in")
    def opt_in(self, request, contact_id=None):
        """Let Voqo call and text the contact again (they asked to be)."""
        contact = self.get_object()
        opt_in_contact(contact_id=contact.pk, agency=self.agency)
        contact.refresh_from_db()
        return Response(self.get_serializer(contact).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def forget(self, request, contact_id=None):
        """Forget the person (a privacy request): the contact, memories, SMS bodies and call
        words go; the calls stay as anonymous rows and an opt-out stays. Cannot be undone."""
        contact = self.get_object()
        plan = forget_contact(contact=contact, actor=request.user)
        return Response({"forgotten": str(contact_id), "removed": plan.as_dict()})

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="access-export")
    def access_export(self, request, contact_id=None):
        """Everything Voqo holds about the contact, as JSON (an access request). A POST with a
        read-and-write key, since it hands over personal information and is audited."""
        contact = self.get_object()
        return Response(access_export(contact=contact, actor=request.user))


class MemoryViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, AgencyViewSet
):
    """What the agents remember about one contact."""

    queryset = Memory.objects.all()
    serializer_class = api.MemorySerializer
    lookup_url_kwarg = "memory_id"

    def contact(self) -> Contact:
        contact = Contact.objects.filter(agency=self.agency, pk=self.kwargs["contact_id"]).first()
        if contact is None:
            raise ApiError(
                "Not found. It may belong to another agency or be deleted.",
                code="not_found",
                status=404,
            )
        return contact

    def scope_queryset(self, queryset):
        return queryset.filter(agency=self.agency, contact=self.contact())

    def create(self, request, *args, **kwargs):
        self.contact()  # another agency's contact is a 404 before the body is looked at
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        contact = self.contact()
        serializer.save(contact=contact, agency=contact.agency, source=Memory.Source.MANUAL)


# -- calls -------------------------------------------------------------------------------------


CALL_FILTERS = [
    OpenApiParameter("q", str, description="A number (any format), part of one, or a name."),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD, in the agency's zone."),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD, in the agency's zone."),
    OpenApiParameter("direction", str, enum=list(Call.Direction.values)),
    OpenApiParameter("status", str, enum=list(Call.Status.values)),
    OpenApiParameter("agent", str, description="An agent's id."),
]


@extend_schema_view(
    list=extend_schema(parameters=CALL_FILTERS),
    create=extend_schema(
        request=api.PlaceCallSerializer, responses={201: api.CallDetailSerializer}
    ),
)
class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgencyViewSet):
    """Calls, newest first, with the calls page's filters; POST places an outbound call."""

    queryset = Call.objects.all()
    lookup_url_kwarg = "call_id"

    def get_serializer_class(self):
        if self.action == "list":
            return api.CallSerializer
        if self.action == "create":
            return api.PlaceCallSerializer
        return api.CallDetailSerializer

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        form = CallFilterForm(self.request.query_params, agency=self.agency)
        if not form.is_valid():
            raise api.form_errors(form)
        return form.filter(queryset, agency_zone(self.agency))

    def create(self, request, *args, **kwargs):
        """Place an outbound call now. Refused with 409 outside the recipient's calling
        window, 422 when Voqo will not call the number (opted out, not a mobile or
        landline, a disabled or unsynced agent, a suspended agency)."""
        placing = api.PlaceCallSerializer(data=request.data, context=self.get_serializer_context())
        placing.is_valid(raise_exception=True)
        values = placing.validated_data
        try:
            call = call_now(
                agency=self.agency,
                agent=values["agent"],
                phone=values["phone"],
                contact=values["contact"],
                dynamic_variables=values["dynamic_variables"],
                caller_number=values["caller_number"],
                purpose=values["purpose"],
            )
        except CallingWindowClosed as refusal:
            raise _refused(str(refusal), code="outside_calling_window") from None
        except OutboundCallRefused as refusal:
            raise _refused(str(refusal), code="call_refused", http_status=422) from None
        except OutboundCallFailed as failure:
            raise _refused(
                f"The provider did not place the call: {failure}",
                code="provider_error",
                http_status=502,
            ) from None
        return Response(api.CallDetailSerializer(call).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=api.OutcomeCorrectionSerializer, responses=api.CallDetailSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, call_id=None):
        """Correct the call's outcome: kept with who and when, and never overwritten by a
        later redelivery of the analysis."""
        call = self.get_object()
        correction = api.OutcomeCorrectionSerializer(data=request.data)
        correction.is_valid(raise_exception=True)
        values = correction.validated_data
        try:
            correct_outcome(
                call=call,
                outcome_type=values["outcome_type"],
                details=values.get("details") or {},
                by=request.user.get_username(),
            )
        except ValueError as problem:
            raise _refused(
                str(problem), code="invalid_request", http_status=400, field="outcome_type"
            ) from None
        call.refresh_from_db()
        return Response(api.CallDetailSerializer(call).data)

    @extend_schema(
        parameters=CALL_FILTERS,
        responses={(200, "text/csv"): str},
    )
    @action(detail=False, methods=["get"], url_path="export.csv", url_name="export")
    def export(self, request):
        """The calls as CSV, with the list's filters, streamed (one row per call, with its
        outcome)."""
        zone = agency_zone(self.agency)
        form = CallFilterForm(request.query_params, agency=self.agency)
        if not form.is_valid():
            raise api.form_errors(form)
        calls = form.filter(Call.objects.filter(agency=self.agency), zone)
        response = StreamingHttpResponse(
            calls_csv_lines(calls, zone=zone), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime(timezone.now(), zone).strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="calls-{stamp}.csv"'
        return response


# -- campaigns, uploads, jobs -----------------------------------------------------------------


class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AgencyViewSet,
):
    queryset = Campaign.objects.all()
    serializer_class = api.CampaignSerializer
    lookup_url_kwarg = "campaign_id"

    def perform_create(self, serializer):
        serializer.save(agency=self.agency)


class UploadViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, AgencyViewSet
):
    """A campaign's CSV of numbers to call (multipart/form-data with `campaign` and `file`)."""

    queryset = Upload.objects.all()
    serializer_class = api.UploadSerializer
    lookup_url_kwarg = "upload_id"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = Campaign.objects.filter(
            agency=self.agency, pk=serializer.validated_data["campaign_id"]
        ).first()
        if campaign is None:
            raise serializers.ValidationError({"campaign": "No campaign with that id here."})
        file = serializer.validated_data["file"]
        token = ""
        try:
            token = campaign_services.store_pending_upload(file)
            upload = campaign_services.import_upload(
                campaign=campaign, token=token, filename=file.name or "upload.csv"
            )
        except UploadRefused as refusal:
            campaign_services.discard_pending_upload(token)  # nobody holds its token
            raise _refused(
                str(refusal), code="upload_refused", http_status=422, field="file"
            ) from None
        return Response(self.get_serializer(upload).data, status=status.HTTP_201_CREATED)


class JobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, AgencyViewSet
):
    """Campaign jobs: create one from an upload and an agent, then start, pause, resume or
    cancel it; the counters show its progress."""

    queryset = Job.objects.all()
    serializer_class = api.JobSerializer
    lookup_url_kwarg = "job_id"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        campaign = values["campaign"]
        form = JobForm(
            data={
                "agent": values["agent"].pk,
                "upload": values["upload"].pk,
                "concurrency_cap": values.get("concurrency_cap", 2),
                "max_retries": values.get("max_retries", 2),
                "retry_delay_minutes": values.get("retry_delay_minutes", 30),
                "calling_window": values.get("calling_window", Job.CallingWindow.AU_TELEMARKETING),
                "caller_number": getattr(values.get("caller_number"), "pk", None),
                "saved_prompt": getattr(values.get("saved_prompt"), "pk", None),
                "purpose": values.get("purpose", ""),
            },
            campaign=campaign,
        )
        if not form.is_valid():
            raise api.form_errors(form)
        try:
            job = campaign_services.create_job(campaign=campaign, **form.cleaned_data)
        except campaign_services.JobRefused as refusal:
            raise _refused(str(refusal), code="job_refused", http_status=422) from None
        except DjangoValidationError as error:
            raise _refused(" ".join(error.messages), code="job_refused", http_status=422) from None
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    def _act(self, change) -> Response:
        job = self.get_object()
        try:
            change(job)
        except campaign_services.JobActionRefused as refusal:
            raise _refused(str(refusal), code="job_action_refused") from None
        job.refresh_from_db()
        return Response(self.get_serializer(job).data)

    @extend_schema(request=None, responses=api.JobSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, job_id=None):
        """Start dialling a pending job."""
        return self._act(campaign_services.run_job)

    @extend_schema(request=None, responses=api.JobSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, job_id=None):
        """Stop claiming new numbers; calls ringing now finish."""
        return self._act(campaign_services.pause_job)

    @extend_schema(request=None, responses=api.JobSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, job_id=None):
        return self._act(campaign_services.resume_job)

    @extend_schema(request=None, responses=api.JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, job_id=None):
        """End the job for good: numbers not yet dialled are cancelled."""
        return self._act(campaign_services.cancel_job)


# -- custom functions ------------------------------------------------------------------------


class CustomFunctionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgencyViewSet):
    """Custom functions of the agency's agents, read only; credentials are never shown."""

    queryset = CustomFunction.objects.all()
    serializer_class = api.CustomFunctionSerializer
    lookup_url_kwarg = "function_id"


# -- webhook endpoints -------------------------------------------------------------------------


class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AgencyViewSet,
):
    """Where Voqo POSTs events; the signing `secret` is returned once, by the create call."""

    queryset = Endpoint.objects.all()
    serializer_class = api.WebhookEndpointSerializer
    lookup_url_kwarg = "endpoint_id"

    @property
    def via(self) -> str:
        """For the audit trail: no person made this change, this key did."""
        return f" through the API key “{self.request.auth.name}”"

    def perform_create(self, serializer):
        values = serializer.validated_data
        created = endpoints.create_endpoint(
            agency=self.agency,
            url=values["url"],
            event_types=values["event_types"],
            description=values.get("description", ""),
            agent=values.get("agent"),
            via=self.via,
        )
        created.endpoint.new_secret = created.secret
        serializer.instance = created.endpoint

    def perform_update(self, serializer):
        endpoints.update_endpoint(serializer.instance, via=self.via, **serializer.validated_data)

    def perform_destroy(self, instance):
        endpoints.delete_endpoint(instance, via=self.via)

    @extend_schema(request=None, responses={202: api.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, endpoint_id=None):
        """Send a `test.ping` event to this endpoint."""
        endpoint = self.get_object()
        if not endpoint.active:
            raise _refused(
                "Enable the endpoint first: an inactive one receives nothing.",
                code="endpoint_inactive",
            )
        event = sending.send_test_event(endpoint=endpoint)
        delivery = Delivery.objects.select_related("event").get(event=event, endpoint=endpoint)
        return Response(api.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=api.DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, endpoint_id=None):
        """The endpoint's delivery log, newest first."""
        endpoint = self.get_object()
        page = self.paginate_queryset(
            Delivery.objects.filter(endpoint=endpoint).select_related("event")
        )
        return self.get_paginated_response(api.DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: api.DeliverySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="deliveries/<uuid:delivery_id>/resend",
        url_name="resend",
    )
    def resend(self, request, endpoint_id=None, delivery_id=None):
        """Send one delivery again, with the same event id."""
        endpoint = self.get_object()
        delivery = Delivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
        if delivery is None:
            raise ApiError(
                "Not found. It may belong to another agency or be deleted.",
                code="not_found",
                status=404,
            )
        if not endpoint.active:
            raise _refused(
                "Enable the endpoint first: an inactive one receives nothing.",
                code="endpoint_inactive",
            )
        sending.resend(delivery=delivery)
        delivery.refresh_from_db()
        return Response(api.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


# -- phone numbers ---------------------------------------------------------------------------


class PhoneNumberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AgencyViewSet,
):
    """The agency's Twilio numbers; a create or update registers the number with ElevenLabs
    at once (`registered`, `sync_error` say how it went). Twilio auth tokens are write-only."""

    queryset = PhoneNumber.objects.all()
    serializer_class = api.PhoneNumberSerializer
    lookup_url_kwarg = "number_id"

    def perform_create(self, serializer):
        number = serializer.form.save(commit=False)
        number_services.save_phone_number(number, actor=self.request.user, created=True)
        serializer.instance = number

    def perform_update(self, serializer):
        number = serializer.form.save(commit=False)
        number_services.save_phone_number(number, actor=self.request.user, created=False)
        serializer.instance = number

    @extend_schema(responses={204: None, 200: DELETE_WARNINGS})
    def destroy(self, request, *args, **kwargs):
        """Delete the number here and at ElevenLabs. 204; or 200 with `warnings` when
        ElevenLabs kept its copy (the number is deleted here all the same)."""
        warning = number_services.delete_phone_number(self.get_object(), actor=request.user)
        return _deleted([warning] if warning else [])


# -- scheduled calls -------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=api.ScheduleCallSerializer, responses={201: api.ScheduledCallSerializer}
    ),
    partial_update=extend_schema(
        request=api.ScheduleCallSerializer, responses=api.ScheduledCallSerializer
    ),
)
class ScheduledCallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgencyViewSet):
    """Calls to place later (newest scheduling first, like every list). Refused
    with 409 outside the recipient's calling hours (the message names the next allowed
    time) or when the call is no longer pending, 422 when Voqo will not call the number."""

    queryset = ScheduledCall.objects.all()
    serializer_class = api.ScheduledCallSerializer
    lookup_url_kwarg = "scheduled_call_id"

    def _body(self, scheduled_call=None) -> dict:
        body = api.ScheduleCallSerializer(
            scheduled_call, data=self.request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return body.validated_data

    def _refusal(self, refusal: scheduling.SchedulingRefused) -> ApiError:
        if isinstance(refusal, scheduling.OutsideCallingWindow):
            return _refused(str(refusal), code="outside_calling_window", field="at")
        return _refused(str(refusal), code="scheduling_refused", http_status=422)

    def create(self, request, *args, **kwargs):
        values = self._body()
        recipients = [scheduling.Recipient(phone=values["phone"], contact=values["contact"])]
        if values["contact"] is None:
            recipients = scheduling.recipients_for(agency=self.agency, phones=[values["phone"]])
        try:
            rows = scheduling.schedule_call(
                agency=self.agency,
                agent=values["agent"],
                recipients=recipients,
                at=values["at"],
                from_number=values["from_number"],
                dynamic_variables=values["dynamic_variables"],
                by=request.user,
            )
        except scheduling.SchedulingRefused as refusal:
            raise self._refusal(refusal) from None
        return Response(self.get_serializer(rows[0]).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        scheduled_call = self.get_object()
        values = self._body(scheduled_call)
        try:
            scheduled_call = scheduling.update_scheduled_call(
                scheduled_call=scheduled_call,
                agent=values["agent"],
                at=values["at"],
                from_number=values["from_number"],
                prompt=scheduling.PromptOverride(
                    text=scheduled_call.prompt_text, source=scheduled_call.prompt_source
                ),
                dynamic_variables=values["dynamic_variables"],
                by=request.user,
            )
        except scheduling.OutsideCallingWindow as refusal:
            raise self._refusal(refusal) from None
        except scheduling.SchedulingRefused as refusal:
            scheduled_call.refresh_from_db()
            if scheduled_call.status != ScheduledCall.Status.PENDING:
                raise _refused(str(refusal), code="not_pending") from None
            raise _refused(str(refusal), code="scheduling_refused", http_status=422) from None
        return Response(self.get_serializer(scheduled_call).data)

    @extend_schema(request=None, responses=api.ScheduledCallSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, scheduled_call_id=None):
        """Cancel a pending call (409 when the worker already took it)."""
        scheduled_call = self.get_object()
        try:
            scheduling.cancel_scheduled_call(scheduled_call=scheduled_call, by=request.user)
        except scheduling.SchedulingRefused as refusal:
            raise _refused(str(refusal), code="not_pending") from None
        scheduled_call.refresh_from_db()
        return Response(self.get_serializer(scheduled_call).data)


# -- dispositions ----------------------------------------------------------------------------


class DispositionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgencyViewSet):
    """The outcomes the agency's agents classify calls into (`key` is a call's outcome)."""

    queryset = Disposition.objects.all()
    serializer_class = api.DispositionSerializer
    lookup_url_kwarg = "disposition_id"


# -- listings and knowledge ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words of the address, headline or text."),
            OpenApiParameter(
                "status",
                str,
                enum=[ListingFilterForm.STOCK, *Listing.Status.values],
                description="`stock`: current or under offer.",
            ),
            OpenApiParameter("kind", str, enum=list(Listing.Kind.values)),
            OpenApiParameter("suburb", str, description="A whole suburb name."),
        ]
    )
)
class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgencyViewSet):
    """The agency's listings (from REAXML or CSV imports), read only."""

    queryset = Listing.objects.all()
    serializer_class = api.ListingSerializer
    lookup_url_kwarg = "listing_id"

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        form = ListingFilterForm(self.request.query_params)
        if not form.is_valid():
            raise api.form_errors(form)
        return form.filter(queryset)


class KnowledgeDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, AgencyViewSet
):
    """The agency's knowledge documents; a delete detaches it from its agents and deletes it
    at ElevenLabs too."""

    queryset = KnowledgeDocument.objects.prefetch_related("agents")
    serializer_class = api.KnowledgeDocumentSerializer
    lookup_url_kwarg = "document_id"

    @extend_schema(responses={204: None, 200: DELETE_WARNINGS})
    def destroy(self, request, *args, **kwargs):
        """Delete the document here, from its agents and at ElevenLabs. 204; or 200 with
        `warnings` when ElevenLabs did not follow (it is deleted here all the same)."""
        return _deleted(knowledge_services.delete_document(self.get_object()))


# -- SMS threads -----------------------------------------------------------------------------


class ThreadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgencyViewSet):
    """SMS conversations, one per number, latest activity first; a thread's read shows its
    latest messages. POST …/messages texts the number (422 when it opted out)."""

    # Pages are keyed on the latest message, so the newest conversations come first.
    queryset = Thread.objects.annotate(created_at=F("last_message_at"))
    lookup_url_kwarg = "thread_id"

    def get_serializer_class(self):
        if self.action == "list":
            return api.ThreadSerializer
        if self.action == "send":
            return api.SendMessageSerializer
        return api.ThreadDetailSerializer

    @extend_schema(request=api.SendMessageSerializer, responses={201: api.SmsMessageSerializer})
    @action(detail=True, methods=["post"], url_path="messages", url_name="send")
    def send(self, request, thread_id=None):
        """Text the thread's number from the agency's number."""
        thread = self.get_object()
        body = api.SendMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            message = send_message(
                agency=self.agency,
                phone=thread.phone,
                body=body.validated_data["body"],
                contact=thread.contact,
                by=request.user,
            )
        except MessageRefused as refusal:
            raise _refused(str(refusal), code="message_refused", http_status=422) from None
        except MessageFailed as failure:
            raise _refused(
                f"Twilio did not send the message: {failure}",
                code="provider_error",
                http_status=502,
            ) from None
        return Response(api.SmsMessageSerializer(message).data, status=status.HTTP_201_CREATED)
