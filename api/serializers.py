"""What each /api/v1/ resource looks like in JSON. Writes are validated by the same Django
forms the pages use and saved by the domain's services, so the API and the UI keep one set
of rules."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.forms.models import model_to_dict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.forms import AgentForm
from agents.models import Agent, SavedPrompt
from calls.models import Call, SmsMessage
from campaigns.models import Campaign, Job, Upload
from contacts.forms import ContactForm, MemoryForm
from contacts.models import Contact, Memory
from functions.models import CustomFunction
from knowledge.models import KnowledgeDocument
from listings.models import Listing
from messages.models import Thread
from outcomes.models import Disposition, Outcome
from phone_numbers.forms import PhoneNumberForm
from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import outbound_numbers
from scheduling.models import ScheduledCall
from voices.selectors import clone_events_for_calls
from voqo.calling_window import PURPOSE_CHOICES, TELEMARKETING
from webhooks.forms import check_endpoint_url
from webhooks.models import EVENT_TYPES, Delivery, Endpoint


def form_errors(form) -> serializers.ValidationError:
    """A Django form's errors as DRF's (the first becomes the error's message and field)."""
    return serializers.ValidationError(
        {
            ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in form.errors.items()
        }
    )


# -- agents ------------------------------------------------------------------------------


class AgentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agent
        fields = [
            "id",
            "name",
            "description",
            "template",
            "system_prompt",
            "greeting_message",
            "voice_id",
            "llm",
            "language",
            "temperature",
            "enabled",
            "elevenlabs_agent_id",
            "sync_status",
            "sync_error",
            "synced_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "elevenlabs_agent_id",
            "sync_status",
            "sync_error",
            "synced_at",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        fields = AgentForm._meta.fields
        # A new agent starts from the model's defaults; a PATCH from the agent as it is.
        current = model_to_dict(self.instance or Agent(), fields=fields)
        form = AgentForm(data={**current, **attrs}, instance=self.instance)
        if self.instance is None:
            form.instance.agency = self.context["agency"]
        if not form.is_valid():
            raise form_errors(form)
        self.form = form
        return attrs

    def create(self, validated_data):
        return self.form.save()

    def update(self, instance, validated_data):
        return self.form.save()


# -- contacts and memories ------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(
        max_length=40, help_text="Any Australian format; stored and returned as E.164."
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    opted_out = serializers.BooleanField(source="is_opted_out", read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="The login of the agency member who owns the contact (lead alerts go to "
        "them); null for nobody.",
        error_messages={"does_not_exist": "The owner must be a member of this agency."},
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "phone",
            "email",
            "notes",
            "tags",
            "state",
            "owner",
            "opted_out",
            "opted_out_at",
            "opted_out_by",
            "last_call_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "opted_out_at",
            "opted_out_by",
            "last_call_at",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        fields = ContactForm._meta.fields
        current = model_to_dict(self.instance, fields=fields) if self.instance else {}
        data = {**current, **attrs}
        data["tags"] = ", ".join(data.get("tags") or [])
        if isinstance(data.get("owner"), Model):
            data["owner"] = data["owner"].pk
        form = ContactForm(data=data, instance=self.instance, agency=self.context["agency"])
        if not form.is_valid():
            raise form_errors(form)
        self.form = form
        return attrs

    def create(self, validated_data):
        return self.form.save()

    def update(self, instance, validated_data):
        return self.form.save()


class MemorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Memory
        fields = ["id", "content", "source", "call", "created_at"]
        read_only_fields = ["id", "source", "call", "created_at"]
        extra_kwargs = {"call": {"help_text": "The call it was learnt in (null if staff added it)"}}

    def validate(self, attrs):
        form = MemoryForm(data=attrs)
        if not form.is_valid():
            raise form_errors(form)
        return {"content": form.cleaned_data["content"]}


# -- calls -------------------------------------------------------------------------------


class OutcomeSerializer(serializers.ModelSerializer):
    corrected = serializers.BooleanField(source="is_corrected", read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "outcome_type",
            "label",
            "confidence",
            "summary",
            "extracted_data",
            "unknown_reason",
            "corrected",
            "corrected_by",
            "corrected_at",
            "updated_at",
        ]
        read_only_fields = fields


class CallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = [
            "id",
            "direction",
            "channel",
            "status",
            "agent",
            "agent_name",
            "contact",
            "from_phone",
            "to_phone",
            "duration",
            "title",
            "outcome",
            "sms_status",
            "failure_reason",
            "elevenlabs_conversation_id",
            "started_at",
            "ended_at",
            "created_at",
        ]
        read_only_fields = fields


class VoiceCloneEventSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="ready or failed")
    voice_name = serializers.CharField()
    voice_id = serializers.CharField(help_text="The cloned voice's id (empty when it failed).")
    error = serializers.CharField(help_text="Why the clone failed (empty when it is ready).")
    at = serializers.DateTimeField(source="created_at")


class CallDetailSerializer(CallSerializer):
    call_outcome = serializers.SerializerMethodField(
        help_text="What the call achieved (null until its analysis arrives): the "
        "disposition key, its details, and who corrected it, if anyone."
    )
    voice_clone_events = serializers.SerializerMethodField(
        help_text="The caller's voice clone this call set off (its first use of a voice "
        "sample): ready with the voice id, or failed with the error."
    )

    class Meta(CallSerializer.Meta):
        fields = [
            *CallSerializer.Meta.fields,
            "call_outcome",
            "voice_id",
            "voice_clone_events",
            "summary",
            "transcript",
            "analysis",
            "dynamic_variables",
            "sms_body",
            "sms_error",
            "sms_sent_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_call_outcome(self, call):
        outcome = Outcome.objects.filter(call=call).first()
        return OutcomeSerializer(outcome).data if outcome is not None else None

    @extend_schema_field(VoiceCloneEventSerializer(many=True))
    def get_voice_clone_events(self, call):
        return VoiceCloneEventSerializer(
            clone_events_for_calls([call.pk]).get(call.pk, []), many=True
        ).data


class PlaceCallSerializer(serializers.Serializer):
    agent = serializers.UUIDField(help_text="The agent that calls.")
    to = serializers.CharField(
        max_length=40, required=False, help_text="The number to call, any format."
    )
    contact = serializers.UUIDField(
        required=False, help_text="Or a contact to call (their number is used)."
    )
    dynamic_variables = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="Values for the agent's {{variables}}, added to the caller's own.",
    )
    caller_number = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A phone number's id to call from (default: the agency's default caller ID).",
    )
    purpose = serializers.ChoiceField(
        choices=PURPOSE_CHOICES,
        default=TELEMARKETING,
        help_text="Sets the calling hours and the Do Not Call Register check.",
    )

    def validate(self, attrs):
        from voqo.phones import InvalidPhoneNumber, normalize_phone

        agency = self.context["agency"]
        agent = Agent.objects.filter(agency=agency, pk=attrs["agent"]).first()
        if agent is None:
            raise serializers.ValidationError({"agent": "No agent with that id in this agency."})
        contact = None
        if attrs.get("contact"):
            contact = Contact.objects.filter(agency=agency, pk=attrs["contact"]).first()
            if contact is None:
                raise serializers.ValidationError(
                    {"contact": "No contact with that id in this agency."}
                )
        if contact is None and not attrs.get("to"):
            raise serializers.ValidationError({"to": "Give the number to call, or a contact."})
        if contact is not None:
            phone = contact.phone
        else:
            try:
                phone = normalize_phone(attrs["to"])
            except InvalidPhoneNumber as error:
                raise serializers.ValidationError({"to": " ".join(error.messages)}) from None
        caller_number = None
        if attrs.get("caller_number"):
            caller_number = outbound_numbers(agency).filter(pk=attrs["caller_number"]).first()
            if caller_number is None:
                raise serializers.ValidationError(
                    {"caller_number": "No active outbound number with that id in this agency."}
                )
        return {
            "agent": agent,
            "contact": contact,
            "phone": phone,
            "dynamic_variables": attrs.get("dynamic_variables") or {},
            "caller_number": caller_number,
            "purpose": attrs.get("purpose") or TELEMARKETING,
        }


class OutcomeCorrectionSerializer(serializers.Serializer):
    outcome_type = serializers.CharField(help_text="One of the agency's disposition keys.")
    details = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=500),
        required=False,
        help_text="The disposition's details, by key.",
    )


# -- campaigns -----------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "description", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class UploadSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True, help_text="The CSV file (multipart/form-data).")
    campaign = serializers.UUIDField(source="campaign_id")

    class Meta:
        model = Upload
        fields = [
            "id",
            "campaign",
            "file",
            "filename",
            "total_rows",
            "invalid_rows",
            "duplicate_rows",
            "errors",
            "variable_keys",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "filename",
            "total_rows",
            "invalid_rows",
            "duplicate_rows",
            "errors",
            "variable_keys",
            "created_at",
        ]


class JobSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    saved_prompt = serializers.PrimaryKeyRelatedField(
        queryset=SavedPrompt.objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="A saved prompt's id: the job's calls use it instead of the agent's.",
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "campaign",
            "upload",
            "agent",
            "caller_number",
            "saved_prompt",
            "purpose",
            "status",
            "calling_window",
            "concurrency_cap",
            "max_retries",
            "retry_delay_minutes",
            "total_calls",
            "pending_calls",
            "calling_calls",
            "completed_calls",
            "failed_calls",
            "needs_review_calls",
            "skipped_calls",
            "cancelled_calls",
            "progress_percent",
            "failure_reason",
            "started_at",
            "finished_at",
            "created_at",
        ]
        read_only_fields = [
            name
            for name in fields
            if name
            not in (
                "campaign",
                "upload",
                "agent",
                "caller_number",
                "saved_prompt",
                "purpose",
                "calling_window",
                "concurrency_cap",
                "max_retries",
                "retry_delay_minutes",
            )
        ]
        extra_kwargs = {"campaign": {"queryset": Campaign.objects.all()}}

    def get_fields(self):
        fields = super().get_fields()
        agency = self.context.get("agency")
        if agency is not None:
            # Only the key's agency's rows can be named: another agency's id is "not found".
            fields["campaign"].queryset = Campaign.objects.filter(agency=agency)
            fields["upload"].queryset = Upload.objects.filter(agency=agency)
            fields["agent"].queryset = Agent.objects.filter(agency=agency)
            fields["caller_number"].queryset = outbound_numbers(agency)
            fields["saved_prompt"].queryset = SavedPrompt.objects.filter(agency=agency)
        return fields


# -- custom functions (read only, never secrets) -----------------------------------------------


class CustomFunctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomFunction
        fields = [
            "id",
            "agent",
            "name",
            "description",
            "endpoint",
            "method",
            "auth_type",
            "parameters",
            "response_mapping",
            "timeout",
            "enabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# -- webhook endpoints ---------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)), allow_empty=False
    )
    secret = serializers.SerializerMethodField(
        help_text="The signing secret: only in the answer to the create call."
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "agent",
            "active",
            "secret",
            "disabled_reason",
            "failing_since",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "disabled_reason", "failing_since", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        agency = self.context.get("agency")
        if agency is not None:
            fields["agent"].queryset = Agent.objects.filter(agency=agency)
        return fields

    def get_secret(self, endpoint) -> str | None:
        return getattr(endpoint, "new_secret", None)

    def validate_url(self, url: str) -> str:
        from django import forms

        try:
            return check_endpoint_url(url)
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.public_id", read_only=True)
    event_type = serializers.CharField(source="event.event_type", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "last_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


# -- phone numbers (never their Twilio auth token) ----------------------------------------


class PhoneNumberSerializer(serializers.ModelSerializer):
    twilio_auth_token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Only with an account SID. Stored encrypted, never returned; "
        "leave it out to keep the stored one.",
    )
    registered = serializers.BooleanField(
        read_only=True, help_text="Whether ElevenLabs knows the number."
    )

    class Meta:
        model = PhoneNumber
        fields = [
            "id",
            "number",
            "label",
            "direction",
            "agent",
            "active",
            "default_outbound",
            "twilio_account_sid",
            "twilio_auth_token",
            "registered",
            "elevenlabs_phone_number_id",
            "sync_error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "registered",
            "elevenlabs_phone_number_id",
            "sync_error",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "number": {"help_text": "Any Australian format; cannot change after it is added."}
        }

    def validate(self, attrs):
        fields = PhoneNumberForm._meta.fields
        # A new number starts from the model's defaults; a PATCH from the number as it is.
        current = model_to_dict(self.instance or PhoneNumber(), fields=fields)
        given = {name: self.initial_data[name] for name in self.initial_data if name in attrs}
        form = PhoneNumberForm(
            data={**current, **given},
            instance=self.instance,
            agency=self.context["agency"],
        )
        if not form.is_valid():
            raise form_errors(form)
        self.form = form
        return attrs


# -- scheduled calls ---------------------------------------------------------------------


class ScheduledCallSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduledCall
        fields = [
            "id",
            "agent",
            "contact",
            "phone",
            "from_number",
            "from_phone",
            "scheduled_at",
            "status",
            "dynamic_variables",
            "call",
            "failure_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ScheduleCallSerializer(serializers.Serializer):
    """The body of a scheduling (POST) or a change (PATCH: agent and time default to the
    call's own)."""

    agent = serializers.UUIDField(required=False, help_text="The agent that calls.")
    to = serializers.CharField(
        max_length=40, required=False, help_text="The number to call, any format (POST only)."
    )
    contact = serializers.UUIDField(
        required=False, help_text="Or a contact to call (POST only; their number is used)."
    )
    at = serializers.DateTimeField(
        required=False, help_text="When to call, ISO 8601 with its UTC offset."
    )
    caller_number = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A phone number's id to call from (default: the agency's default caller ID).",
    )
    dynamic_variables = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000), required=False
    )

    def validate(self, attrs):
        from voqo.phones import InvalidPhoneNumber, normalize_phone

        agency = self.context["agency"]
        scheduled = self.instance
        values = {"dynamic_variables": attrs.get("dynamic_variables")}
        if "agent" in attrs:
            values["agent"] = Agent.objects.filter(agency=agency, pk=attrs["agent"]).first()
            if values["agent"] is None:
                raise serializers.ValidationError(
                    {"agent": "No agent with that id in this agency."}
                )
        elif scheduled is not None and scheduled.agent is not None:
            values["agent"] = scheduled.agent
        else:
            raise serializers.ValidationError({"agent": "Give the agent that calls."})
        values["at"] = attrs.get("at") or (scheduled.scheduled_at if scheduled else None)
        if values["at"] is None:
            raise serializers.ValidationError({"at": "Give the time to call."})
        values["from_number"] = None
        if attrs.get("caller_number"):
            values["from_number"] = PhoneNumber.objects.filter(
                agency=agency, pk=attrs["caller_number"]
            ).first()
            if values["from_number"] is None:
                raise serializers.ValidationError(
                    {"caller_number": "No phone number with that id in this agency."}
                )
        elif scheduled is not None and "caller_number" not in attrs:
            values["from_number"] = scheduled.from_number
        if scheduled is not None:
            if values["dynamic_variables"] is None:
                values["dynamic_variables"] = scheduled.dynamic_variables
            return values
        contact = None
        if attrs.get("contact"):
            contact = Contact.objects.filter(agency=agency, pk=attrs["contact"]).first()
            if contact is None:
                raise serializers.ValidationError(
                    {"contact": "No contact with that id in this agency."}
                )
            values["phone"] = contact.phone
        elif attrs.get("to"):
            try:
                values["phone"] = normalize_phone(attrs["to"])
            except InvalidPhoneNumber as error:
                raise serializers.ValidationError({"to": " ".join(error.messages)}) from None
        else:
            raise serializers.ValidationError({"to": "Give the number to call, or a contact."})
        values["contact"] = contact
        return values


# -- outcomes ----------------------------------------------------------------------------


class DispositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disposition
        fields = [
            "id",
            "key",
            "label",
            "description",
            "details",
            "converts",
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# -- listings and knowledge ----------------------------------------------------------------


class ListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Listing
        exclude = ["agency", "suburb_key", "search_text"]
        read_only_fields = [field.name for field in Listing._meta.fields]


class KnowledgeDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeDocument
        fields = [
            "id",
            "name",
            "source",
            "file_type",
            "original_filename",
            "url",
            "file_size",
            "text_length",
            "chunk_count",
            "status",
            "error_message",
            "elevenlabs_document_id",
            "synced_at",
            "agents",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# -- SMS threads -------------------------------------------------------------------------


class SmsMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "direction",
            "from_phone",
            "to_phone",
            "body",
            "status",
            "error_code",
            "call",
            "created_at",
        ]
        read_only_fields = fields


class ThreadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Thread
        fields = [
            "id",
            "phone",
            "contact",
            "last_message_at",
            "last_body",
            "last_direction",
            "unread_count",
        ]
        read_only_fields = fields


class ThreadDetailSerializer(ThreadSerializer):
    messages = serializers.SerializerMethodField(help_text="The latest messages, oldest first.")

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "messages"]
        read_only_fields = fields

    @extend_schema_field(SmsMessageSerializer(many=True))
    def get_messages(self, thread):
        from messages.threads import thread_messages

        return SmsMessageSerializer(thread_messages(thread), many=True).data


class SendMessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=1600, help_text="The text; {{variables}} are filled.")
