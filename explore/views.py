import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.middleware import manual_user_scope
from core.usercache import cached_for_user
from explore import deletion, exports, mapdata, queries
from explore.access import get_device_for_user
from explore.actions import rename_device
from explore.forms import (
    DAY_RANGE_MESSAGE,
    FIRST_DAY,
    LAST_DAY,
    DeleteForm,
    DeviceForm,
    ExportForm,
    MapQueryForm,
    SearchForm,
)
from sources import registry
from sources.location.models import Device
from sources.summaries import last_refreshed


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
                "tileUrl": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}
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
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        results = queries.search(data["q"], product=data["product"], start=data["start"], end=data["end"])
    return render(request, "lake/search.html", {"form": form, "results": results},
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
