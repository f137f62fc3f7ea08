from django import forms

from events.delivery.dispatch import refused_address
from events.outbox import TYPES


class EndpointForm(forms.Form):
    url = forms.URLField(label="URL", max_length=1000, assume_scheme="https",
                         widget=forms.URLInput(attrs={"placeholder": "https://example.org/webhooks/lake"}))
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in TYPES], required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every type, including types added later.")

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Webhooks are sent over HTTP(S); give an http:// or https:// URL.")
        if why := refused_address(url):
            raise forms.ValidationError(f"The lake will not send to this URL: {why}.")
        return url


class EventTypesForm(forms.Form):
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(choices=[(t, t) for t in TYPES], required=False,
                                            widget=forms.CheckboxSelectMultiple)
