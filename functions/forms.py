from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.validators import URLValidator
from jsonschema import exceptions as schema_exceptions
from jsonschema import validators

from functions.header_rows import (
    HEADER_NAME_RE,
    HeaderRow,
    HeaderRowsField,
    credential_warning,
    looks_like_credential,
)
from functions.jsonlimits import MAX_JSON_DEPTH, JSONTooDeep, load_json
from functions.mapping import MappingError, validate_mapping
from functions.models import MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS, CustomFunction
from functions.schema import subset_problems

TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
STORED_SECRET_PLACEHOLDER = "•••• (stored — leave blank to keep)"
EMPTY_SCHEMA = {"type": "object", "properties": {}, "required": []}
BLANK_HEADER_ROWS = 2


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, JSONTooDeep):
        return f"This JSON nests deeper than {MAX_JSON_DEPTH} levels."
    if isinstance(exc, json.JSONDecodeError):
        return f"This is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
    return "This is not valid JSON."


def _parse_json(raw: str) -> Any:
    try:
        return load_json(raw)
    except ValueError as exc:
        raise forms.ValidationError(_json_error(exc)) from None


class HttpUrlField(forms.URLField):
    # Replaces URLField's own validator (which also allows ftp), so a bad URL gets one message.
    default_validators = [URLValidator(schemes=["http", "https"])]


class CustomFunctionForm(forms.ModelForm):
    headers = HeaderRowsField(required=False)
    endpoint = HttpUrlField(
        max_length=500,
        assume_scheme="https",
        help_text="The agency's API URL (http or https).",
    )
    parameters = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"}),
        help_text=(
            "A JSON Schema of type object: the arguments the agent passes. ElevenLabs accepts a "
            "subset: each property has one type (string, number, integer, boolean, object, "
            "array) and a description so the agent knows what to ask for; arrays need items; "
            "no enum, title, additionalProperties or unions."
        ),
    )
    response_mapping = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "code"}),
        help_text=(
            'Optional JSON object of output name → path, e.g. {"price": "data.items[0].price", '
            '"addresses": "items[*].address"}. Empty: the agent gets the whole answer.'
        ),
    )
    timeout = forms.IntegerField(
        min_value=MIN_TIMEOUT_SECS,
        max_value=MAX_TIMEOUT_SECS,
        initial=10,
        label="Timeout (seconds)",
        help_text=(
            f"{MIN_TIMEOUT_SECS}–{MAX_TIMEOUT_SECS} seconds, the range ElevenLabs accepts for a "
            "tool. The caller waits meanwhile. The endpoint gets 1 s less for its whole answer, "
            "so the agent can still tell the caller when it is too slow."
        ),
    )
    # Auth: secrets are write-only. Blank keeps the stored value.
    api_key_header = forms.CharField(
        required=False, label="Header name", initial="X-API-Key", max_length=100
    )
    api_key = forms.CharField(
        required=False, label="API key", widget=forms.PasswordInput(render_value=False)
    )
    bearer_token = forms.CharField(
        required=False, label="Token", widget=forms.PasswordInput(render_value=False)
    )
    basic_username = forms.CharField(required=False, label="User name", max_length=200)
    basic_password = forms.CharField(
        required=False, label="Password", widget=forms.PasswordInput(render_value=False)
    )

    SECRET_FIELDS = {"api_key": "api_key", "bearer_token": "token", "basic_password": "password"}

    class Meta:
        model = CustomFunction
        fields = [
            "name",
            "description",
            "method",
            "endpoint",
            "headers",
            "auth_type",
            "parameters",
            "response_mapping",
            "timeout",
            "enabled",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": "The tool name the agent sees: letters, digits, _ and -, at most 64.",
            "description": "When the agent should use this function, in plain words.",
        }

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.agent = agent
        self.instance.agent = agent
        # An undecryptable secret (a removed key) counts as none: staff enter it again.
        stored = self.instance.auth_config if self.instance.pk else {}
        self.stored_auth = stored if isinstance(stored, dict) else {}
        stored_headers = self.instance.secret_headers if self.instance.pk else {}
        self.stored_secret_headers = stored_headers if isinstance(stored_headers, dict) else {}
        self.secret_headers: dict[str, str] = {}
        if not self.is_bound:
            if self.instance.pk:
                self.initial["parameters"] = json.dumps(self.instance.parameters or {}, indent=2)
                self.initial["response_mapping"] = (
                    json.dumps(self.instance.response_mapping, indent=2)
                    if self.instance.response_mapping
                    else ""
                )
                self.initial["api_key_header"] = self.stored_auth.get("header_name", "X-API-Key")
                self.initial["basic_username"] = self.stored_auth.get("username", "")
            else:
                self.initial["parameters"] = json.dumps(EMPTY_SCHEMA, indent=2)
                self.initial["timeout"] = 10
        for field_name, config_key in self.SECRET_FIELDS.items():
            if self.stored_auth.get(config_key):
                self.fields[field_name].widget.attrs["placeholder"] = STORED_SECRET_PLACEHOLDER

    def _stored_secret_header(self, name: str) -> str:
        for stored_name, value in self.stored_secret_headers.items():
            if stored_name.lower() == name.lower():
                return value
        return ""

    def header_rows(self) -> list[HeaderRow]:
        """The header rows to render: what was submitted or stored, plus blank rows.

        Secret values are never rendered, not even a value just typed into a failing form.
        """
        if self.is_bound:
            submitted = [row for row in self["headers"].value() or [] if row.name or row.value]
            rows = [
                HeaderRow(
                    name=row.name,
                    value="" if row.secret else row.value,
                    secret=row.secret,
                    stored=row.secret and bool(self._stored_secret_header(row.name)),
                )
                for row in submitted
            ]
        else:
            rows = [HeaderRow(name, value) for name, value in (self.instance.headers or {}).items()]
            rows += [
                HeaderRow(name, "", secret=True, stored=True) for name in self.stored_secret_headers
            ]
        for row in rows:
            if not row.secret and looks_like_credential(row.name, row.value):
                row.warning = credential_warning(row.name)
        return rows + [HeaderRow("", "") for _ in range(BLANK_HEADER_ROWS)]

    def credential_warnings(self) -> list[str]:
        """Warnings for saved plain headers that look like credentials."""
        return [
            credential_warning(name)
            for name, value in (self.cleaned_data.get("headers") or {}).items()
            if looks_like_credential(name, value)
        ]

    def clean_headers(self) -> dict[str, str]:
        """The plain headers (the model field); secret rows are kept for `clean`."""
        rows = self.cleaned_data.get("headers") or []
        self._secret_rows = [row for row in rows if row.secret]
        return {row.name: row.value for row in rows if not row.secret}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not TOOL_NAME_RE.match(name):
            raise forms.ValidationError(
                "Use 1–64 letters, digits, underscores or hyphens (no spaces), e.g. check_property."
            )
        taken = CustomFunction.objects.filter(agent=self.agent, name=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("This agent already has a function with this name.")
        return name

    def clean_endpoint(self) -> str:
        endpoint = self.cleaned_data["endpoint"]
        if "@" in endpoint.split("//", 1)[-1].split("/", 1)[0]:
            raise forms.ValidationError(
                "Put credentials in the auth settings below, not in the URL."
            )
        return endpoint

    def clean_parameters(self) -> dict[str, Any]:
        raw = (self.cleaned_data.get("parameters") or "").strip()
        if not raw:
            return dict(EMPTY_SCHEMA)
        schema = _parse_json(raw)
        if not isinstance(schema, dict):
            raise forms.ValidationError("The parameters must be a JSON Schema object.")
        if schema.get("type") != "object":
            raise forms.ValidationError(
                'The schema\'s "type" must be "object": the agent passes named arguments.'
            )
        try:
            validators.validator_for(schema).check_schema(schema)
        except schema_exceptions.SchemaError as exc:
            where = "/".join(str(part) for part in exc.path)
            raise forms.ValidationError(
                f"This is not a valid JSON Schema: {exc.message}"
                + (f" (at {where})." if where else ".")
            ) from None
        # ElevenLabs accepts a subset of JSON Schema: refuse the rest here, not at sync.
        problems = subset_problems(schema)
        if problems:
            raise forms.ValidationError(problems)
        return schema

    def clean_response_mapping(self) -> dict[str, str]:
        raw = (self.cleaned_data.get("response_mapping") or "").strip()
        if not raw:
            return {}
        mapping = _parse_json(raw)
        try:
            return validate_mapping(mapping)
        except MappingError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        auth_type = cleaned.get("auth_type")
        stored = self.stored_auth if self.instance.auth_type == auth_type else {}

        def secret(field_name: str, config_key: str, label: str) -> str:
            value = cleaned.get(field_name) or stored.get(config_key, "")
            if not value:
                self.add_error(field_name, f"Enter the {label}.")
            return value

        config: dict[str, str] = {}
        if auth_type == CustomFunction.AuthType.API_KEY:
            header_name = (cleaned.get("api_key_header") or "").strip()
            if not HEADER_NAME_RE.match(header_name):
                self.add_error("api_key_header", "Enter a valid header name, e.g. X-API-Key.")
            config = {
                "header_name": header_name,
                "api_key": secret("api_key", "api_key", "API key"),
            }
        elif auth_type == CustomFunction.AuthType.BEARER:
            config = {"token": secret("bearer_token", "token", "token")}
        elif auth_type == CustomFunction.AuthType.BASIC:
            username = (cleaned.get("basic_username") or "").strip()
            if not username:
                self.add_error("basic_username", "Enter the user name.")
            config = {
                "username": username,
                "password": secret("basic_password", "password", "password"),
            }
        self.auth_config = config
        self._clean_secret_headers(auth_type, config)
        return cleaned

    def _clean_secret_headers(self, auth_type: str, auth_config: dict[str, str]) -> None:
        """Secret header values: typed in, or kept from the stored ones when left blank."""
        secret_headers: dict[str, str] = {}
        for row in getattr(self, "_secret_rows", []):
            value = row.value or self._stored_secret_header(row.name)
            if not value:
                self.add_error("headers", f"Enter the value of the secret header {row.name}.")
            secret_headers[row.name] = value
        auth_header = {
            CustomFunction.AuthType.API_KEY: auth_config.get("header_name", ""),
            CustomFunction.AuthType.BEARER: "Authorization",
            CustomFunction.AuthType.BASIC: "Authorization",
        }.get(auth_type, "")
        header_names = [*(self.cleaned_data.get("headers") or {}), *secret_headers]
        if auth_header and auth_header.lower() in {name.lower() for name in header_names}:
            self.add_error(
                "headers", f"{auth_header} is set by the auth settings below; remove this row."
            )
        self.secret_headers = secret_headers

    def save(self, commit: bool = True) -> CustomFunction:
        function = super().save(commit=False)
        function.auth_config = self.auth_config
        function.secret_headers = self.secret_headers
        if commit:
            function.save()
        return function


class FunctionTestForm(forms.Form):
    """One input per top-level property of the function's parameters schema."""

    def __init__(self, *args, schema: dict[str, Any], **kwargs):
        super().__init__(*args, **kwargs)
        required = set(schema.get("required") or [])
        self.json_fields: set[str] = set()
        for name, spec in (schema.get("properties") or {}).items():
            spec = spec if isinstance(spec, dict) else {}
            self.fields[name] = self._field_for(name, spec, name in required)

    def _field_for(self, name: str, spec: dict[str, Any], required: bool) -> forms.Field:
        kind = spec.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        help_text = spec.get("description", "")
        if spec.get("dynamic_variable"):
            help_text = (
                f"In a call, ElevenLabs fills this in from {{{{{spec['dynamic_variable']}}}}}."
            )
        elif spec.get("constant_value") not in (None, ""):
            help_text = f"In a call, ElevenLabs always sends {spec['constant_value']!r}."
        options = {"required": required, "label": name, "help_text": help_text}
        if "enum" in spec and isinstance(spec["enum"], list):
            choices = [("", "—")] + [(json.dumps(v), str(v)) for v in spec["enum"]]
            self.json_fields.add(name)
            return forms.ChoiceField(choices=choices, **options)
        if kind == "integer":
            return forms.IntegerField(**options)
        if kind == "number":
            return forms.FloatField(**options)
        if kind == "boolean":
            return forms.TypedChoiceField(
                choices=[("", "—"), ("true", "Yes"), ("false", "No")],
                coerce=lambda value: value == "true",
                empty_value=None,
                **options,
            )
        if kind in ("array", "object"):
            self.json_fields.add(name)
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3, "placeholder": "JSON"}), **options
            )
        return forms.CharField(**options)

    def arguments(self) -> dict[str, Any]:
        """The filled-in fields as the agent would send them (blank fields left out)."""
        arguments = {}
        for name, value in self.cleaned_data.items():
            if value is None or value == "":
                continue
            if name in self.json_fields:
                value = load_json(value)
            arguments[name] = value
        return arguments

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.json_fields:
            value = cleaned.get(name)
            if value:
                try:
                    load_json(value)
                except ValueError as exc:
                    self.add_error(name, _json_error(exc))
        return cleaned
