from django import forms

from agents.models import Agent
from knowledge import extraction
from knowledge.models import KnowledgeDocument

MAX_PASTED_CHARS = 200_000


class DocumentForm(forms.Form):
    """Add a document: exactly one of a file, a web page address or pasted text."""

    name = forms.CharField(
        max_length=200, required=False, help_text="Shown to staff and to the agent's retrieval."
    )
    file = forms.FileField(
        required=False,
        help_text="PDF, Word (.docx), text, Markdown, CSV or HTML, at most "
        f"{extraction.MAX_FILE_BYTES // (1024 * 1024)} MB.",
    )
    url = forms.URLField(
        required=False,
        max_length=500,
        label="Web page",
        assume_scheme="https",
        help_text="A public page (http or https) the agents may cite.",
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Or paste text",
        max_length=MAX_PASTED_CHARS,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        start = upload.read(16)
        upload.seek(0)
        try:
            self.file_type = extraction.check_upload(upload.name, start, upload.size)
        except extraction.ExtractionError as error:
            raise forms.ValidationError(error.message) from None
        return upload

    def clean_url(self):
        url = self.cleaned_data.get("url", "").strip()
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Use an http:// or https:// address.")
        return url

    def clean(self):
        cleaned = super().clean()
        given = [key for key in ("file", "url", "text") if cleaned.get(key)]
        if self.errors:
            return cleaned
        if not given:
            raise forms.ValidationError("Choose a file, give a web page address, or paste text.")
        if len(given) > 1:
            raise forms.ValidationError("Add one thing at a time: a file, a web page or text.")
        if given == ["text"] and not cleaned.get("name", "").strip():
            self.add_error("name", "Give pasted text a name.")
        return cleaned


class EditDocumentForm(forms.Form):
    name = forms.CharField(max_length=200)
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 12}), max_length=MAX_PASTED_CHARS
    )


class DocumentAgentsForm(forms.Form):
    agents = forms.ModelMultipleChoiceField(
        queryset=Agent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Agents that may cite it",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = Agent.objects.filter(agency=agency).order_by("name")


class AgentKnowledgeForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        queryset=KnowledgeDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Documents it may cite",
    )
    listings_document = forms.BooleanField(
        required=False,
        label="Current listings document",
        help_text="A document of the agency's current stock, regenerated when listings change.",
    )
    search_tool = forms.BooleanField(
        required=False,
        label="search_listings tool",
        help_text="The agent searches current stock during the call (at most 5 results).",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = (
            KnowledgeDocument.objects.filter(agency=agency)
            .exclude(source=KnowledgeDocument.Source.LISTINGS)
            .order_by("name")
        )
