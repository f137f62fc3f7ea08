from django import forms

from api import scopes


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, help_text="What it is for: “phone”, “backup script”.")
    scopes = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=())
    expires_days = forms.IntegerField(min_value=1, max_value=3650, required=False, label="Expires after (days)",
                                      help_text="Empty: until you revoke it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, scope) for scope in scopes.all_scopes()]
