from django import forms

from lifecycle.models import Policy, table_choices


class PolicyForm(forms.ModelForm):
    table = forms.ChoiceField(choices=table_choices)

    class Meta:
        model = Policy
        fields = ["name", "enabled", "table", "archive_after_days", "delete_after_days", "quarantine_days",
                  "schedule"]
