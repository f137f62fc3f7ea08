from django import forms


class EventFilterForm(forms.Form):
    # CharField refuses U+0000, which PostgreSQL text cannot hold: a NUL in
    # the query string is a sentence on the page, not a DataError.
    action = forms.CharField(max_length=100, required=False)
    actor = forms.CharField(max_length=150, required=False)
