import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.middleware import manual_user_scope
from core.usercache import cached_for_user
from explore import deletion, exports, mapdata, queries
from explore.access import get_device_for_user, get_place_for_user
from explore.actions import rename_device
from explore.forms import (
    DAY_RANGE_MESSAGE,
    FIRST_DAY,
    LAST_DAY,
    DeleteForm,
    DetectionForm,
    DeviceForm,
    ExportForm,
    MapQueryForm,
    PlaceMergeForm,
    PlaceNameForm,
    SearchForm,
)
from sources import registry
from sources.derived import actions as derived_actions
from sources.derived.detection import Params
from sources.derived.models import SignificantPlace
from sources.location.models import Device
from sources.summaries import last_refreshed
from vectors import search as semantic

# The maps' base when no tile server answers (static/js/basemap.js): Natural Earth at 1:50m,
# 756 KB of TopoJSON (about 200 KB compressed by whitenoise), fine enough to zoom to a country.
OFFLINE_BASE = "vendor/world-atlas/countries-50m.json"


def _utc_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Inclusive UTC days -> [start, end) instants."""
    lower = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) if start else None
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) if end else None
    return lower, upper


@permission_required("console.use_lake", raise_exception=True)
def devices(request):
    return render(request, "lake/devices.html", {"devices": Device.objects.filter(user=request.user)})


@permission_required("console.use_lake", raise_exception=True)
def device_detail(request, device_id):
    device = get_device_for_user(request.user, device_id)
    form = DeviceForm(request.POST or None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        rename_device(device, form.cleaned_data["name"], request=request)
        messages.success(request, "Device renamed.")
        return redirect("lake:devices")
    return render(request, "lake/device_detail.html", {"device": device, "form": form})


@permission_required("console.use_lake", raise_exception=True)
def map_page(request):
    return render(request, "lake/map.html", {
        "devices": Device.objects.filter(user=request.user).order_by("name"),
        "map_config": {"tileUrl": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION,
                       "offlineUrl": static(OFFLINE_BASE),
                       "dataUrl": reverse("lake:map_data"), "maxFeatures": settings.MAP_MAX_FEATURES,
                       "rawZoom": mapdata.RAW_ZOOM, "layersUrl": reverse("lake:map_layers"),
                       # A marker's day page is this followed by "<day>/" (the lake:day route).
                       "dayUrl": reverse("lake:day_index")},
    })


@permission_required("console.use_lake", raise_exception=True)
def map_data(request):
    form = MapQueryForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    data = form.cleaned_data
    start, end = _utc_range(data["start"], data["end"])
    filters = mapdata.Filters(start=start, end=end, device_tag=data["device"])
    return JsonResponse(mapdata.map_features(data["bbox"], data["zoom"], filters))


@permission_required("console.use_lake", raise_exception=True)
def map_layers(request):
    """The sources' own layers (saved places…); row-level security decides whose, as for the points."""
    return JsonResponse({"layers": mapdata.source_layers()})


@permission_required("console.use_lake", raise_exception=True)
def day_index(request):
    """Jump to ?date=, else to the latest day with data."""
    if request.GET.get("date"):
        try:
            day = dt.date.fromisoformat(request.GET["date"])
        except ValueError:
            messages.error(request, "That is not a date (use YYYY-MM-DD).")
            day = None
        if day:
            return redirect("lake:day", day=day.isoformat())
    latest = queries.latest_day()
    if latest is None:
        return render(request, "lake/day.html", {"timeline": None, "empty": True})
    return redirect("lake:day", day=latest.isoformat())


@permission_required("console.use_lake", raise_exception=True)
def day(request, day):
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("not a date") from None
    if not FIRST_DAY <= when <= LAST_DAY:
        raise BadRequest(DAY_RANGE_MESSAGE)
    timeline = queries.day_timeline(when)
    only = request.GET.get("only", "")
    entries = [e for e in timeline.entries if e.get("source", "location") == only] if only else timeline.entries
    map_data = {"path": timeline.path,
                "visits": [[e["lat"], e["lng"], e["name"]] for e in timeline.entries if e["kind"] == "visit"],
                "segments": [e["waypoints"] for e in timeline.entries if e["kind"] == "segment"],
                "tileUrl": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION,
                "offlineUrl": static(OFFLINE_BASE)}
    return render(request, "lake/day.html", {"timeline": timeline, "entries": entries, "only": only,
                                             "day_map": map_data})


@permission_required("console.use_lake", raise_exception=True)
def item(request, source, key):
    """A source's page for one of its things (a photo), in the user's scope; 404 for another's."""
    found = registry.source_named(source)
    page = found.item_page(key, user_id=request.user.pk) if found and found.item_page else None
    if page is None:
        raise Http404("no such item")
    return render(request, page.template, {"page": page, **page.context,
                                           "tile_url": settings.MAP_TILE_URL,
                                           "attribution": settings.MAP_TILE_ATTRIBUTION})


@permission_required("console.use_lake", raise_exception=True)
def search(request):
    form = SearchForm(request.GET or None, products=queries.search_products())
    results, groups, like = None, None, None
    if form.is_valid():
        data = form.cleaned_data
        window = {"product": data["product"], "start": data["start"], "end": data["end"]}
        if data["like"]:
            like = semantic.item(request.user.pk, data["like"])
            results = semantic.hybrid_search(request.user.pk, like=data["like"], limit=queries.SEARCH_LIMIT,
                                             **window) if like else []
        elif data["q"].strip() and data["mode"] == semantic.MEANING:
            results = semantic.hybrid_search(request.user.pk, data["q"], semantic.MEANING,
                                             limit=queries.SEARCH_LIMIT, **window)
        elif data["q"].strip():
            results = queries.search(data["q"], **window)
        if results is not None and (like is not None or data["mode"] == semantic.MEANING):
            groups = semantic.by_day(results)
    return render(request, "lake/search.html", {"form": form, "results": results, "groups": groups, "like": like},
                  status=400 if form.errors else 200)


@permission_required("console.use_lake", raise_exception=True)
def stats(request):
    grain = "week" if request.GET.get("grain") == "week" else "month"
    data = dict(cached_for_user(request.user.pk, f"stats:{grain}", lambda: queries.stats(grain)))
    # Location's series feed the charts (as JSON); every other source's tables render as HTML.
    sections = [(label, shown) for label, tables in data.pop("sections", [])
                if (shown := [table for table in tables if table.rows])]
    return render(request, "lake/stats.html", {"stats": data, "sections": sections, "grain": grain,
                                               "refreshed": last_refreshed()})


@permission_required("console.use_lake", raise_exception=True)
def export(request):
    return render(request, "lake/export.html", {"form": ExportForm(families=exports.families()),
                                                "counts": queries.per_product_counts()})


@manual_user_scope
@permission_required("console.use_lake", raise_exception=True)
def export_download(request):
    form = ExportForm(request.GET, families=exports.families())
    if not form.is_valid():
        return render(request, "lake/export.html", {"form": form}, status=400)
    data = form.cleaned_data
    window = exports.Range(*_utc_range(data["start"], data["end"]))
    fmt = exports.FORMATS[data["format"]]
    # The body is read after this view returns: `stream` opens the user scope itself.
    try:
        body = exports.open_stream(request.user, fmt.name, window, family=data["family"], request=request)
    except exports.ExportBusy as busy:
        response = render(request, "lake/export.html", {"form": form, "busy": str(busy)}, status=429)
        response["Retry-After"] = str(settings.EXPORT_STALL_SECONDS or 60)
        return response
    response = StreamingHttpResponse(body, content_type=fmt.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt.name, window, data["family"])}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required("console.use_lake", raise_exception=True)
def delete(request):
    runs = queries.import_run_ids()
    form = DeleteForm(request.POST or None, user=request.user, runs=runs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = data["scope"]
        if scope == DeleteForm.Scope.IMPORT_RUN:
            result = deletion.delete_import_run(request.user, data["import_run"], request=request)
        elif scope == DeleteForm.Scope.RANGE:
            result = deletion.delete_range(request.user, data["start"], data["end"], request=request)
        else:
            result = deletion.delete_everything(request.user, request=request)
        return render(request, "lake/deleted.html", {"result": result})
    return render(request, "lake/delete.html", {"form": form, "runs": runs, "counts": queries.per_product_counts()},
                  status=400 if request.method == "POST" else 200)


@permission_required("console.use_lake", raise_exception=True)
def places(request):
    """The user's significant places: name, hide, merge."""
    found = list(SignificantPlace.objects.filter(user=request.user, merged_into_id__isnull=True, visits__gt=0)
                 .order_by("-visits", "id"))
    merge = PlaceMergeForm(request.POST or None, places=found)
    if request.method == "POST" and merge.is_valid():
        count = derived_actions.merge_places(request.user.pk, merge.cleaned_data["into"],
                                             merge.cleaned_data["merged"], request=request)
        messages.success(request, f"Merged {count} place{'s' if count != 1 else ''}.")
        return redirect("lake:places")
    return render(request, "lake/places.html", {"places": found, "merge": merge, "kinds": SignificantPlace.Kind},
                  status=400 if request.method == "POST" else 200)


@require_POST
@permission_required("console.use_lake", raise_exception=True)
def place_update(request, place_id):
    place = get_place_for_user(request.user, place_id)
    if "hidden" in request.POST:
        derived_actions.hide_place(request.user.pk, place.pk, request.POST["hidden"] == "1", request=request)
        messages.success(request, f"{place.label} is {'hidden' if request.POST['hidden'] == '1' else 'shown'}.")
        return redirect("lake:places")
    form = PlaceNameForm(request.POST)
    if not form.is_valid():
        raise BadRequest("A place's name is at most 200 characters.")
    derived_actions.rename_place(request.user.pk, place.pk, form.cleaned_data["name"], request=request)
    messages.success(request, "Place renamed.")
    return redirect("lake:places")


@permission_required("console.use_lake", raise_exception=True)
def place_settings(request):
    """Stay detection parameters, previewed on a sample day before they are saved."""
    current = derived_actions.params_for(request.user.pk)
    initial = {**current.__dict__, "day": derived_actions.sample_day()}
    data = request.POST if request.method == "POST" else (request.GET if "radius_m" in request.GET else None)
    form = DetectionForm(data, initial=initial)
    preview = None
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "day"}
        params = Params(**values)
        if request.method == "POST":
            derived_actions.change_params(request.user.pk, params, request=request)
            messages.success(request, "Saved. Your stays and trips are being worked out again with these settings.")
            return redirect("lake:places")
        day = form.cleaned_data["day"] or initial["day"]
        if day is not None:
            stays, trips = derived_actions.preview(day, params)
            preview = {"day": day, "stays": stays, "trips": trips}
    elif data is None and initial["day"] is not None:
        stays, trips = derived_actions.preview(initial["day"], current)
        preview = {"day": initial["day"], "stays": stays, "trips": trips}
    return render(request, "lake/place_settings.html", {"form": form, "preview": preview},
                  status=400 if data is not None and form.errors else 200)
