import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from explore.mapdata import BadViewport, Viewport
from sources.registry import product_label

# The days a person can ask about. The lake holds nothing before 1990, and
# the edges of Python's calendar (0001-01-01, 9999-12-31) overflow as soon as
# a day's UTC window is widened by its time zones.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
DAY_RANGE_MESSAGE = f"Choose a day between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."


class DayField(forms.DateField):
    """A date within FIRST_DAY..LAST_DAY, refused with a sentence otherwise."""

    default_validators = [MinValueValidator(FIRST_DAY, DAY_RANGE_MESSAGE),
                          MaxValueValidator(LAST_DAY, DAY_RANGE_MESSAGE)]


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
    start = DayField(required=False)
    end = DayField(required=False)
    device = forms.IntegerField(required=False)

    def clean_bbox(self):
        try:
            return Viewport.parse(self.cleaned_data["bbox"])
        except BadViewport as error:
            raise forms.ValidationError(str(error)) from None


class SearchForm(DateRangeMixin, forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    # "Exact words": the products' own full-text search; "meaning": words and embeddings fused (vectors/).
    mode = forms.ChoiceField(required=False, choices=[("exact", "Exact words"), ("meaning", "Meaning")],
                             initial="exact", widget=forms.RadioSelect)
    # "More like this": the id of a result of a meaning search.
    like = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    product = forms.ChoiceField(required=False, choices=[("", "All products")])
    start = DayField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DayField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("mode"):  # a link or an older bookmark: exact words, as before
            self.data = self.data.copy()
            self.data["mode"] = "exact"
        # Product codes ("youtube.comments") read as words; My Activity's services already are words.
        self.fields["product"].choices = [("", "All products")] + [
            (p, product_label(p) if "." in p else p) for p in products]


class ExportForm(DateRangeMixin, forms.Form):
    format = forms.ChoiceField(choices=[("geojson", "GeoJSON"), ("gpx", "GPX"), ("csv", "CSV"),
                                        ("ndjson", "NDJSON"), ("ics", "iCalendar (.ics)"),
                                        ("vcf", "vCard (.vcf)")])
    # "" is everything: NDJSON lines name their kind, so every source fits one file. CSV,
    # GeoJSON and GPX have one shape per product family, so they take one family a file;
    # without this field at all they mean location history (as before there were others).
    family = forms.ChoiceField(label="Product", required=False)
    start = DayField(label="From (UTC day)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DayField(label="To (UTC day, inclusive)", required=False,
                   widget=forms.DateInput(attrs={"type": "date"}))


    def __init__(self, *args, families=(), **kwargs):
        """`families`: (name, label, formats) of every source that exports."""
        super().__init__(*args, **kwargs)
        self.formats = {name: (label, formats) for name, label, formats in families}
        self.fields["family"].choices = [("", "Everything (NDJSON)"), *((name, label) for name, label, _ in families)]

    def clean(self):
        cleaned = super().clean()
        fmt = cleaned.get("format")
        if "family" not in self.data:
            cleaned["family"] = "" if fmt == "ndjson" else "location"
        elif fmt and fmt != "ndjson" and not cleaned.get("family"):
            self.add_error("family", "CSV, GeoJSON and GPX hold one product per file: choose one "
                                     "(NDJSON holds everything in one file).")
        family = cleaned.get("family")
        if fmt and family and family in self.formats and fmt not in self.formats[family][1]:
            label, formats = self.formats[family]
            offered = ", ".join(sorted(f.upper() for f in formats))
            self.add_error("format", f"{label} exports as {offered}, not as {fmt.upper()}.")
        return cleaned


class DeleteForm(forms.Form):
    """What to delete, and the typed confirmation: the person's own username."""

    class Scope(models.TextChoices):
        IMPORT_RUN = "import_run", "One import run"
        RANGE = "range", "A date range (UTC days)"
        EVERYTHING = "everything", "Everything"

    scope = forms.ChoiceField(choices=Scope.choices, widget=forms.RadioSelect)
    import_run = forms.IntegerField(label="Import run", required=False)
    start = DayField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DayField(label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
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


class PlaceNameForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)


class PlaceMergeForm(forms.Form):
    """Merge the ticked places into one of them."""

    into = forms.TypedChoiceField(coerce=int, label="Merge into")
    merged = forms.TypedMultipleChoiceField(coerce=int, label="Places to merge")

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(place.id, place.label) for place in places]
        self.fields["into"].choices = choices
        self.fields["merged"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("into") is not None and not set(data.get("merged", ())) - {data["into"]}:
            raise forms.ValidationError("Tick at least one other place to merge into the one you chose.")
        return data


class DetectionForm(forms.Form):
    """A user's stay-detection parameters (sources.derived.detection.Params), within sensible bounds."""

    radius_m = forms.FloatField(label="Stay radius (m)", min_value=20, max_value=1000, initial=100,
                                help_text="How far fixes may wander and still be one stay.")
    min_stay_minutes = forms.FloatField(label="Shortest stay (minutes)", min_value=1, max_value=24 * 60, initial=5)
    max_gap_hours = forms.FloatField(label="Longest gap inside a stay (hours)", min_value=1, max_value=24 * 30,
                                     initial=36, help_text="A night with the phone off at home is still one stay.")
    max_accuracy_m = forms.FloatField(label="Ignore fixes less accurate than (m)", min_value=10, max_value=5000,
                                      initial=250)
    day = DayField(label="Preview on the day", required=False)
