"""My Activity benchmark: a generated export of N events, in JSON and in HTML (the same events).

    python bench/activity_bench.py --events 100000

It writes one ``My Activity.json`` and one ``MyActivity.html`` per product
(Search, YouTube, Maps, Chrome, Gemini Apps, Discover) holding N events in all,
as Takeout writes them: English (US) pages, the zone abbreviation of the
account ("PST"/"PDT"), YouTube channels as subtitles, Search locations, Gemini
answers after the date, ads details.  Then, each in a child process of its own
so neither's memory counts against the other's:

* ours: `sources.activity.parsers.parse_json` / `parse_html` over every file,
  events per second of parsing (the file read included), and the child's peak
  RSS (getrusage);
* gtp:  google_takeout_parser 0.1.13's `_parse_json_activity` /
  `_parse_html_activity` over the same files (its abbreviation map warmed up
  first, so its one-off pytz scan does not count).

Then `import_end_to_end` runs ``manage.py import_takeout`` on a zip of the same
files, as `bench/import_bench.py` does (a scratch database, the whole pipeline
under row-level security, the child's peak RSS): ``json_events_per_s`` and
``html_events_per_s`` are those end-to-end rates, set against gtp's parse-only
rates; ``--parse-only`` reports our parsers alone (also always printed as
``*_parse_events_per_s``).

The last line printed is one JSON object.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

# (product folder, share of the events)
PRODUCTS = (("Search", 0.35), ("YouTube", 0.30), ("Maps", 0.12), ("Chrome", 0.13), ("Gemini Apps", 0.05),
            ("Discover", 0.05))
WORDS = ("pizza", "weather", "berlin", "train", "python", "recipe", "guitar", "news", "football", "music",
         "museum", "hotel", "flight", "review", "coffee", "history", "science", "garden", "movie", "lyrics")
CHANNELS = tuple(f"Channel {i}" for i in range(200))
SITES = ("en.wikipedia.org", "www.bbc.co.uk", "stackoverflow.com", "github.com", "www.nytimes.com",
         "docs.python.org", "www.reddit.com", "news.ycombinator.com")
HTML_HEAD = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>My Activity</title>'
    '<style type="text/css">body {padding: 5px;} .mdl-cell {background-color: #FFFFFF;}\n'
    ".content-cell.mdl-cell {color: rgba(0, 0, 0, 0.54);}\n.header-cell.mdl-cell {border-bottom-style: solid;}"
    '</style></head><body><div class="mdl-grid">'
)
HTML_END = "</div></body></html>\n"
TEN_YEARS_S = 10 * 365 * 86400


def _entry(rng: random.Random, product: str, i: int, at: datetime) -> dict:
    """One My Activity entry as the JSON export writes it."""
    q = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
    entry: dict = {"header": product}
    if product == "Search":
        if i % 3:
            entry.update(title=f"Searched for {q}", titleUrl=f"https://www.google.com/search?q={q.replace(' ', '+')}")
        else:
            site = rng.choice(SITES)
            entry.update(title=f"Visited {q.title()} - {site}",
                         titleUrl=f"https://www.google.com/url?q=https://{site}/{q.replace(' ', '_')}&usg=AOvVaw{i}")
        if i % 4 == 0:
            lat, lng = 48.0 + rng.random(), 2.0 + rng.random()
            entry["locationInfos"] = [{"name": "At this general area",
                                       "url": f"https://www.google.com/maps/@?api=1&map_action=map&center="
                                              f"{lat:.6f},{lng:.6f}&zoom=12",
                                       "source": "Based on your past activity"}]
    elif product == "YouTube":
        video = f"{i:011d}"
        if i % 50 == 0:  # a removed video: its title is its link
            entry.update(title=f"Watched https://www.youtube.com/watch?v={video}",
                         titleUrl=f"https://www.youtube.com/watch?v={video}")
        else:
            channel = rng.randrange(len(CHANNELS))
            entry.update(title=f"Watched {q.title()} – official video #{i}",
                         titleUrl=f"https://www.youtube.com/watch?v={video}",
                         subtitles=[{"name": CHANNELS[channel], "url": f"https://www.youtube.com/channel/UC{channel:06x}"}])
        if i % 20 == 0:
            entry["details"] = [{"name": "From Google Ads"}]
    elif product == "Maps":
        lat, lng = 48.0 + rng.random(), 2.0 + rng.random()
        entry.update(title=f"Searched for {q}",
                     titleUrl=f"https://www.google.com/maps/search/{q.replace(' ', '+')}/@{lat:.7f},{lng:.7f},14z")
        entry["locationInfos"] = [{"name": "From your device", "url": f"https://www.google.com/maps/@?api=1&"
                                   f"map_action=map&center={lat:.6f},{lng:.6f}&zoom=13", "source": "From your device"}]
    elif product == "Chrome":
        site = rng.choice(SITES)
        entry.update(title=f"Visited {q.title()} | {site}", titleUrl=f"https://{site}/{q.replace(' ', '-')}/{i}")
    elif product == "Gemini Apps":
        entry["title"] = f"Prompted explain {q} in simple words"
        entry["description"] = f"Here is a simple explanation of {q}. " * 4
    else:  # Discover
        entry["title"] = f"{rng.randint(2, 9)} cards in your feed"
    entry["time"] = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    entry["products"] = [product]
    entry["activityControls"] = ["Web & App Activity"] if product != "YouTube" else ["YouTube watch history"]
    return entry


def _pacific(at: datetime) -> tuple[datetime, str]:
    """US Pacific wall clock and abbreviation (DST from the second Sunday of March to the first of November)."""
    year = at.year
    march = datetime(year, 3, 8, 10, tzinfo=UTC)
    start = march + timedelta(days=(6 - march.weekday()) % 7)
    november = datetime(year, 11, 1, 9, tzinfo=UTC)
    end = november + timedelta(days=(6 - november.weekday()) % 7)
    if start <= at < end:
        return at - timedelta(hours=7), "PDT"
    return at - timedelta(hours=8), "PST"


def _html_date(at: datetime) -> str:
    local, zone = _pacific(at)
    hour = local.hour % 12 or 12
    return f"{local:%b} {local.day}, {local.year}, {hour}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'} {zone}"


def _cell(entry: dict, at: datetime) -> str:
    """The same entry as the HTML export writes it (legacy cell layout; Gemini answers after the date)."""
    title, url = entry["title"], entry.get("titleUrl")
    verb, _, rest = title.partition(" ")
    if entry["header"] in ("Search", "Maps") and title.startswith("Searched for "):
        verb, rest = "Searched for", title[len("Searched for "):]
    if url:
        first = f'{escape(verb)}&nbsp;<a href="{escape(url)}">{escape(rest)}</a>'
    else:
        first = escape(title).replace(" ", "&nbsp;", 1)
    lines = [first]
    for subtitle in entry.get("subtitles", ()):
        lines.append(f'<a href="{escape(subtitle["url"])}">{escape(subtitle["name"])}</a>')
    lines.append(_html_date(at))
    body = "<br>".join(lines)
    if "description" in entry:
        body += "<br>" + "".join(f"<p>{escape(part.strip())}.</p>" for part in entry["description"].split(". ")
                                 if part.strip())
    caption = "<b>Products:</b><br>&emsp;" + escape(entry["products"][0]) + "<br>"
    for info in entry.get("locationInfos", ()):
        caption += (f'<b>Locations:</b><br>&emsp;{escape(info["name"])}: <a href="{escape(info["url"])}">'
                    f'{escape(info["url"])}</a> - {escape(info["source"])}<br>')
    for detail in entry.get("details", ()):
        caption += f"<b>Details:</b><br>&emsp;{escape(detail['name'])}<br>"
    return (
        '<div class="outer-cell mdl-cell mdl-cell--12-col mdl-shadow--2dp"><div class="mdl-grid">'
        f'<div class="header-cell mdl-cell mdl-cell--12-col"><p class="mdl-typography--title">'
        f'{escape(entry["header"])}<br></p></div>'
        f'<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1">{body}</div>'
        '<div class="content-cell mdl-cell mdl-cell--6-col mdl-typography--body-1 mdl-typography--text-right"></div>'
        f'<div class="content-cell mdl-cell mdl-cell--12-col mdl-typography--caption">{caption}</div>'
        "</div></div>\n"
    )


def write_exports(folder: Path, events: int, seed: int = 11) -> dict[str, list[Path]]:
    """My Activity/<product>/My Activity.json and MyActivity.html for `events` events in all, streamed."""
    rng = random.Random(seed)
    written: dict[str, list[Path]] = {"json": [], "html": []}
    remaining = events
    for index, (product, share) in enumerate(PRODUCTS):
        count = remaining if index == len(PRODUCTS) - 1 else round(events * share)
        remaining -= count
        place = folder / "My Activity" / product
        place.mkdir(parents=True, exist_ok=True)
        json_path, html_path = place / "My Activity.json", place / "MyActivity.html"
        # Newest first, as Takeout lists them, seconds to hours apart; the gaps shrink for a big
        # product so that it spans at most ten years (older would be refused as implausible).
        at = datetime(2025, 6, 30, 12, tzinfo=UTC) - timedelta(minutes=index)
        widest = max(10, min(7200, 2 * TEN_YEARS_S // max(count, 1)))
        with json_path.open("w", encoding="utf-8") as js, html_path.open("w", encoding="utf-8") as html:
            js.write("[")
            html.write(HTML_HEAD)
            for i in range(count):
                at -= timedelta(seconds=rng.randint(5, widest), microseconds=rng.randint(0, 999) * 1000)
                entry = _entry(rng, product, i, at)
                js.write(("," if i else "") + json.dumps(entry, indent=2, ensure_ascii=False))
                html.write(_cell(entry, at))
            js.write("]\n")
            html.write(HTML_END)
        written["json"].append(json_path)
        written["html"].append(html_path)
    return written


OURS_CHILD = """
import json, resource, sys, time
from pathlib import Path
from sources.activity.parsers import parse_html, parse_json
from sources.records import Rejection
parse = {"json": parse_json, "html": parse_html}[sys.argv[1]]
events = rejected = 0
started = time.perf_counter()
for name in sys.argv[2:]:
    with open(name, "rb") as stream:
        for item in parse(stream):
            if isinstance(item, Rejection):
                rejected += 1
            else:
                events += 1
seconds = time.perf_counter() - started
print(json.dumps({"events": events, "rejected": rejected, "seconds": seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

GTP_CHILD = """
import json, resource, sys, time
from pathlib import Path
from google_takeout_parser.parse_html.activity import _parse_html_activity
from google_takeout_parser.parse_html.html_time_utils import abbr_to_timezone
from google_takeout_parser.parse_json import _parse_json_activity
parse = {"json": _parse_json_activity, "html": _parse_html_activity}[sys.argv[1]]
abbr_to_timezone("PST")  # its one-off scan of every pytz zone, out of the timing
events = errors = 0
started = time.perf_counter()
for name in sys.argv[2:]:
    for item in parse(Path(name)):
        if isinstance(item, Exception):
            errors += 1
        else:
            events += 1
seconds = time.perf_counter() - started
print(json.dumps({"events": events, "rejected": errors, "seconds": seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(script: str, kind: str, paths: list[Path]) -> dict:
    result = subprocess.run([sys.executable, "-c", script, kind, *map(str, paths)], cwd=ROOT, capture_output=True,
                            text=True, check=False, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if result.returncode != 0:
        sys.exit(f"{kind} child failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- end to end ---------------------------------------------------------------------------------------------------


def import_end_to_end(paths: list[Path]) -> dict:
    """``manage.py import_takeout`` of a zip of `paths` in a child, as import_bench (bench/scratch.py).

    A scratch database (test_activity_bench_<name>, bootstrapped and migrated like
    the test suite's) is created and dropped; the rate is events / (run finished
    - run started) from the run row, the peak RSS the child's (getrusage).
    Returns {"accepted", "rejected", "events_per_s", "peak_rss_mb", "products"}.
    """
    from bench.scratch import import_takeout, scratch_lake

    with scratch_lake("activity_bench"):
        from django.contrib.auth import get_user_model

        work = Path(tempfile.mkdtemp(prefix="activity-bench-"))
        try:
            archive = work / "takeout-20250701T000000Z-001.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
                for path in paths:
                    out.write(path, f"Takeout/My Activity/{path.parent.name}/{path.name}")
            get_user_model().objects.create_user("bench")
            result = import_takeout([archive])
        finally:
            shutil.rmtree(work, ignore_errors=True)
    products = {key: value for key, value in result.summary["products"].items() if key.startswith("activity.")}
    accepted = sum(value["accepted"] for value in products.values())
    rejected = sum(value["rejected"] for value in products.values())
    return {"accepted": accepted, "rejected": rejected, "events_per_s": round(accepted / result.seconds),
            "peak_rss_mb": round(result.peak_rss_mb, 1), "products": products}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--parse-only", action="store_true",
                        help="time our parsers alone instead of the import end to end")
    parser.add_argument("--skip-gtp", action="store_true", help="leave out google_takeout_parser (it is slow)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="activity-bench-"))
    try:
        started = time.perf_counter()
        files = write_exports(work, args.events)
        size = {kind: sum(p.stat().st_size for p in paths) / 2**20 for kind, paths in files.items()}
        print(f"generated {args.events} events: JSON {size['json']:.0f} MiB, HTML {size['html']:.0f} MiB in "
              f"{len(files['json'])} products, {time.perf_counter() - started:.1f} s", flush=True)

        rates, peaks = {}, []
        for kind in ("json", "html"):
            ours = _child(OURS_CHILD, kind, files[kind])
            if ours["events"] != args.events or ours["rejected"]:
                sys.exit(f"our {kind} parser read {ours['events']} events and {ours['rejected']} rejections "
                         f"for {args.events} events")
            rates[f"{kind}_events_per_s"] = round(ours["events"] / ours["seconds"])
            peaks.append(ours["peak_rss_mb"])
            print(f"ours {kind}: {ours['events']} events in {ours['seconds']:.1f} s = "
                  f"{rates[f'{kind}_events_per_s']:,} events/s, peak RSS {ours['peak_rss_mb']:.0f} MB", flush=True)
        for kind in ("json", "html"):
            if args.skip_gtp:
                rates[f"gtp_{kind}_events_per_s"] = None
                continue
            gtp = _child(GTP_CHILD, kind, files[kind])
            rates[f"gtp_{kind}_events_per_s"] = round(gtp["events"] / gtp["seconds"])
            print(f"gtp  {kind}: {gtp['events']} events ({gtp['rejected']} errors) in {gtp['seconds']:.1f} s = "
                  f"{rates[f'gtp_{kind}_events_per_s']:,} events/s, peak RSS {gtp['peak_rss_mb']:.0f} MB", flush=True)
        result = {"events": args.events, **rates, "peak_rss_mb": round(max(peaks), 1)}
        result["json_parse_events_per_s"] = rates["json_events_per_s"]
        result["html_parse_events_per_s"] = rates["html_events_per_s"]
        if not args.parse_only:
            for kind in ("json", "html"):
                end_to_end = import_end_to_end(files[kind])
                print(f"import {kind}: {end_to_end}", flush=True)
                if end_to_end["accepted"] != args.events or end_to_end["rejected"]:
                    sys.exit(f"the {kind} import accepted {end_to_end['accepted']} and rejected "
                             f"{end_to_end['rejected']} of {args.events} events")
                result[f"{kind}_events_per_s"] = end_to_end["events_per_s"]
                result["peak_rss_mb"] = max(result["peak_rss_mb"], end_to_end["peak_rss_mb"])
            result["note"] = "json/html_events_per_s: manage.py import_takeout end to end"
        else:
            result["note"] = "json/html_events_per_s: our parsers only (--parse-only), file read included"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({key: result[key] for key in ("events", "json_events_per_s", "html_events_per_s",
                                                   "gtp_json_events_per_s", "gtp_html_events_per_s",
                                                   "peak_rss_mb", "json_parse_events_per_s",
                                                   "html_parse_events_per_s", "note")}))


if __name__ == "__main__":
    main()
