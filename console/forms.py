from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator

from console.personas import DESCRIPTIONS, PERSONAS


def _persona_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Roles", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(name, f"{name} — {DESCRIPTIONS[name]}") for name in PERSONAS])


class PersonForm(forms.Form):
    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text="Letters, digits and @ . + - _ only.")
    email = forms.EmailField(required=False, help_text="Optional; for your own records.")
    personas = _persona_field()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username


class PersonasForm(forms.Form):
    personas = _persona_field()
