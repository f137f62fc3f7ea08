from django import forms
from django.db import models

from explore.mapdata import BadViewport, Viewport


class DeviceForm(forms.Form):
    # A plain form: a ModelForm would write the new name onto the instance
    # while validating, before the action could record the old one.
    name = forms.CharField(max_length=200, required=False)


class DateRangeMixin:
    """`start`/`end` dates (inclusive, either optional) that must come in order."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The end date is before the start date.")
        return cleaned


class MapQueryForm(DateRangeMixin, forms.Form):
    bbox = forms.CharField(max_length=200)
    zoom = forms.IntegerField(min_value=0, max_value=22)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    device = forms.IntegerField(required=False)

    def clean_bbox(self):
        try:
            return Viewport.parse(self.cleaned_data["bbox"])
        except BadViewport as error:
            raise forms.ValidationError(str(error)) from None


class SearchForm(DateRangeMixin, forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    product = forms.ChoiceField(required=False, choices=[("", "All products")])
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "All products")] + [(p, p) for p in products]


class ExportForm(DateRangeMixin, forms.Form):
    format = forms.ChoiceField(choices=[("geojson", "GeoJSON"), ("gpx", "GPX"), ("csv", "CSV"),
                                        ("ndjson", "NDJSON")])
    start = forms.DateField(label="From (UTC day)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (UTC day, inclusive)", required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))


class DeleteForm(forms.Form):
    """What to delete, and the typed confirmation: the person's own username."""

    class Scope(models.TextChoices):
        IMPORT_RUN = "import_run", "One import run"
        RANGE = "range", "A date range (UTC days)"
        EVERYTHING = "everything", "Everything"

    scope = forms.ChoiceField(choices=Scope.choices, widget=forms.RadioSelect)
    import_run = forms.IntegerField(label="Import run", required=False)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.CharField(label="Type your username to confirm", max_length=150)

    def __init__(self, *args, user, runs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.run_ids = {run["id"] for run in runs}
        self.fields["import_run"].widget = forms.Select(choices=[("", "—")] + [
            (run["id"], f"Run {run['id']} ({run['rows']} rows)") for run in runs])

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if cleaned.get("confirm") is not None and cleaned["confirm"] != self.user.get_username():
            self.add_error("confirm", "That is not your username; nothing was deleted.")
        if scope == self.Scope.IMPORT_RUN:
            if cleaned.get("import_run") is None:
                self.add_error("import_run", "Choose the import run to delete.")
            elif cleaned["import_run"] not in self.run_ids:
                self.add_error("import_run", "None of your data came from that import run.")
        if scope == self.Scope.RANGE:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                self.add_error("start", "Give both dates of the range.")
            elif end < start:
                self.add_error("end", "The end date is before the start date.")
        return cleaned
