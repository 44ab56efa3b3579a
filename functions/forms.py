from __future__ import annotations

import json
import re
from itertools import zip_longest
from typing import Any

from django import forms
from django.core.validators import URLValidator
from jsonschema import exceptions as schema_exceptions
from jsonschema import validators

from functions.mapping import MappingError, validate_mapping
from functions.models import MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS, CustomFunction

TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
# Set by Voqo itself; a configured value would break the request or smuggle another one.
RESERVED_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "content-type"}
STORED_SECRET_PLACEHOLDER = "•••• (stored — leave blank to keep)"
EMPTY_SCHEMA = {"type": "object", "properties": {}, "required": []}
BLANK_HEADER_ROWS = 2


class HeaderRowsWidget(forms.Widget):
    """Repeated name/value inputs (`<name>_name`, `<name>_value`); rendered by the page."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", lambda key: data.get(key, []))
        names, values = getlist(f"{name}_name"), getlist(f"{name}_value")
        return [(n or "", v or "") for n, v in zip_longest(names, values, fillvalue="")]

    def value_omitted_from_data(self, data, files, name):
        return False


class HeaderRowsField(forms.Field):
    widget = HeaderRowsWidget

    def to_python(self, value) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        headers: dict[str, str] = {}
        errors = []
        for name, header_value in value or []:
            name, header_value = name.strip(), header_value.strip()
            if not name and not header_value:
                continue
            if not HEADER_NAME_RE.match(name):
                errors.append(f"“{name}” is not a valid header name.")
            elif name.lower() in RESERVED_HEADERS:
                errors.append(f"{name} is set by Voqo and cannot be configured.")
            elif any(ch in header_value for ch in "\r\n\x00"):
                errors.append(f"The value of {name} contains a line break.")
            elif name.lower() in {existing.lower() for existing in headers}:
                errors.append(f"{name} is listed twice.")
            else:
                headers[name] = header_value
        if errors:
            raise forms.ValidationError(errors)
        return headers


def _json_error(exc: json.JSONDecodeError) -> str:
    return f"This is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."


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
            "A JSON Schema of type object: the arguments the agent passes. Give every property "
            "a description so the agent knows what to ask for."
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
        help_text=f"Seconds, {MIN_TIMEOUT_SECS}–{MAX_TIMEOUT_SECS}. The caller waits meanwhile.",
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
        stored = self.instance.auth_config if self.instance.pk else {}
        self.stored_auth = stored or {}
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

    def header_rows(self) -> list[tuple[str, str]]:
        """The header rows to render: what was submitted or stored, plus blank rows."""
        if self.is_bound:
            rows = [row for row in self["headers"].value() or [] if any(row)]
        else:
            rows = list((self.instance.headers or {}).items())
        return rows + [("", "")] * BLANK_HEADER_ROWS

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
        try:
            schema = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_json_error(exc)) from None
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
        properties = schema.get("properties", {})
        if not isinstance(properties, dict):
            raise forms.ValidationError('"properties" must be an object.')
        return schema

    def clean_response_mapping(self) -> dict[str, str]:
        raw = (self.cleaned_data.get("response_mapping") or "").strip()
        if not raw:
            return {}
        try:
            mapping = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_json_error(exc)) from None
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
        return cleaned

    def save(self, commit: bool = True) -> CustomFunction:
        function = super().save(commit=False)
        function.auth_config = self.auth_config
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
        options = {"required": required, "label": name, "help_text": spec.get("description", "")}
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
                value = json.loads(value)
            arguments[name] = value
        return arguments

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.json_fields:
            value = cleaned.get(name)
            if value:
                try:
                    json.loads(value)
                except json.JSONDecodeError as exc:
                    self.add_error(name, _json_error(exc))
        return cleaned
