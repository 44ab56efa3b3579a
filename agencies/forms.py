from django import forms

from agencies.models import Role


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SwitchAgencyForm(forms.Form):
    agency = forms.UUIDField(widget=forms.HiddenInput)
