from django import forms


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What uses the key, e.g. “CRM sync” or “Zapier”."
    )
    read_only = forms.BooleanField(
        required=False,
        label="Read-only key",
        help_text="A read-only key can list and read, never create, change or call.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the key a name.")
        return name
