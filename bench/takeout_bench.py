"""Whole-Takeout benchmark: a generated multi-part export of about G GiB, imported end to end.

    python bench/takeout_bench.py --gib 1

It writes, under a temporary folder (deleted afterwards), the parts
``takeout-20251201T000000Z-1-00N.zip`` (3 parts under 0.5 GiB, 4 under 2, else
5), each holding ``Takeout/``, in the mix of a real export:

* Google Photos, the bulk: JPEGs (1.5–5 MB) and MP4s (8–60 MB), random bytes
  behind a real magic header, so incompressible and stored (ZIP_STORED) as
  Takeout stores media; year folders and one album (``metadata.json`` and
  copies of a few photos). Every media file has its
  ``<name>.supplemental-metadata.json`` (cut to 46 characters before ``.json``
  as Takeout cuts it) with photoTakenTime, creationTime and geoData, always in
  the *next* part, so every pair crosses parts;
* Gmail: one ``Mail/All mail Including Spam and Trash.mbox`` of about G/5 GiB,
  messages of ~8 KB (multipart/alternative, plain, a few chats without a
  Message-ID) and 8 % with a 60 KB base64 attachment;
* Keep notes (JSON), Fit workouts (TCX) and the daily metrics CSV, My Activity
  (Search as JSON, YouTube as HTML), a ``Records.json`` location history, and
  one ``.ics`` and one ``.vcf``.

Then, in this order:

1. ``cold_read_seconds``: every part read sequentially in 8 MiB chunks after
   the page cache was emptied (``drop_caches``, as root; else fsync and
   ``posix_fadvise(DONTNEED)``, best effort: ``cold_read_by`` says which);
2. ``read_seconds``: the same read again, now from the page cache. The parts
   fit in this machine's RAM, and the import that follows reads them warm too
   (``import_takeout`` hashes every part before the run starts), so this warm
   read is the like-for-like limit and ``ratio_vs_read`` = read_seconds /
   seconds uses it;
3. ``manage.py import_takeout --user bench <parts> --json`` in a child, on a
   scratch database (bench/scratch.py, as bench/activity_bench.py):
   ``seconds`` is the run row's finished_at - started_at (the hashing before
   the run is outside it; ``command_seconds`` is the child's whole wall time),
   ``peak_rss_mb`` the child's peak RSS.

``mails_per_s`` is mails accepted / the seconds the import spent on the mbox
member (import_member.seconds: read, parse and load, commit included);
``photos_per_s`` is (media files + sidecars) accepted / the seconds spent on
``photos.*`` members; the pairing of media with sidecars at the run's end is
in ``finish_seconds`` (from the last member settled to the run's end);
``scan_seconds`` is the listing of the parts before the first member, and
``outside_members_seconds`` the run's seconds minus every member's.

The import is verified: every product's accepted count equals what was
generated, nothing rejected, every media file paired with exactly its own
sidecar, nothing reported as not imported; the bench exits non-zero
otherwise. The last line printed is one JSON object.
"""

import argparse
import base64
import json
import os
import random
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

from bench.activity_bench import HTML_END, HTML_HEAD, _cell, _entry  # noqa: E402
from bench.scratch import import_takeout, scratch_lake  # noqa: E402

EXPORT = "takeout-20251201T000000Z-1-{:03d}.zip"
STAMP = (2025, 12, 1, 0, 0, 0)
CHUNK = 8 * 2**20
PHOTOS = "Takeout/Google Photos"
ALBUM = "Lisbon 2023"
ALBUM_COPIES = 4
JPEG = b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00MM\x00*\x00\x00\x00\x08"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
MBOX = "Takeout/Mail/All mail Including Spam and Trash.mbox"
WORDS = ("meeting", "tomorrow", "project", "invoice", "holiday", "photos", "dinner", "train", "report", "budget",
         "weekend", "garden", "concert", "tickets", "review", "draft", "contract", "flight", "hotel", "museum",
         "coffee", "family", "birthday", "football", "school", "doctor", "update", "schedule", "office", "release",
         "the", "a", "and", "of", "to", "in", "we", "you", "please", "thanks", "for", "with", "on", "at", "is",
         "café", "Grüße", "naïve", "señor", "Zürich", "København", "Ελλάδα", "日本")
PEOPLE = tuple(f"{first} {last}" for first in ("Ann", "Bob", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hiro")
               for last in ("Martin", "Schulz", "Rossi", "García", "Nowak", "Sato"))
LABELS = ("Inbox,Opened,Category Updates", "Inbox,Important,Opened", "Sent,Opened", "Archived,Opened",
          "Inbox,Unread,Category Promotions", "Spam,Unread", "Trash,Opened", "Opened,Projects 2023")


@dataclass
class Expected:
    """What was generated: accepted counts per product, and each media path's own sidecar path."""

    products: dict = field(default_factory=dict)
    sidecar_of: dict = field(default_factory=dict)
    mails: int = 0

    def add(self, product: str, count: int = 1) -> None:
        self.products[product] = self.products.get(product, 0) + count


class Parts:
    """The export's zip parts, open together (a product spans parts, as in Takeout)."""

    def __init__(self, folder: Path, count: int):
        self.paths = [folder / EXPORT.format(i + 1) for i in range(count)]
        self.zips = [zipfile.ZipFile(path, "w", allowZip64=True) for path in self.paths]

    def write(self, part: int, name: str, data: bytes, *, stored: bool = False) -> None:
        info = zipfile.ZipInfo(name, STAMP)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        self.zips[part].writestr(info, data, compresslevel=None if stored else 6)

    def stream(self, part: int, name: str, *, stored: bool = False):
        info = zipfile.ZipInfo(name, STAMP)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        if not stored:
            info._compresslevel = 6  # ZipInfo has no public setter; Takeout deflates text at the default level
        return self.zips[part].open(info, "w", force_zip64=True)

    def close(self) -> None:
        for archive in self.zips:
            archive.close()


# --- Google Photos -------------------------------------------------------------------------------------------------


@dataclass
class MediaFile:
    folder: str
    name: str
    size: int
    taken: datetime
    part: int = 0


def _sidecar_name(name: str) -> str:
    # Takeout cuts a sidecar's name to 46 characters before ".json".
    return f"{(name + '.supplemental-metadata')[:46]}.json"


def _sidecar(rng: random.Random, media: MediaFile) -> bytes:
    taken = int(media.taken.timestamp())
    created = taken + rng.randint(60, 86400 * 30)
    stamp = {"timestamp": str(taken), "formatted": media.taken.strftime("%b %d, %Y, %I:%M:%S %p UTC")}
    if rng.random() < 0.8:
        geo = {"latitude": round(38.70 + rng.random() * 0.1, 7), "longitude": round(-9.20 + rng.random() * 0.1, 7),
               "altitude": round(rng.uniform(0, 120), 2), "latitudeSpan": 0.0, "longitudeSpan": 0.0}
    else:  # no position: Google writes zeros
        geo = {"latitude": 0.0, "longitude": 0.0, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0}
    data = {
        "title": media.name, "description": "", "imageViews": str(rng.randint(0, 40)),
        "creationTime": {"timestamp": str(created), "formatted": ""}, "photoTakenTime": stamp,
        "geoData": geo, "geoDataExif": geo,
        "url": f"https://photos.google.com/photo/AF1Qip{rng.getrandbits(128):032x}",
        "googlePhotosOrigin": {"mobileUpload": {"deviceFolder": {"localFolderName": ""},
                                                "deviceType": "ANDROID_PHONE"}},
    }
    if rng.random() < 0.2:
        data["people"] = [{"name": rng.choice(PEOPLE)}]
    if rng.random() < 0.1:
        data["favorited"] = True
    return json.dumps(data, indent=2, ensure_ascii=False).encode()


def _plan_media(rng: random.Random, budget: int) -> list[MediaFile]:
    """Photos and videos in year folders until `budget` bytes, then album copies of a few photos."""
    media, used = [], 0
    taken = datetime(2019, 1, 1, 9, tzinfo=UTC)
    while used < budget:
        taken += timedelta(seconds=rng.randint(600, 86400 * 3))
        stamp = taken.strftime("%Y%m%d_%H%M%S")
        if rng.random() < 0.08:
            name, size = f"VID_{stamp}.mp4", rng.randint(8 * 2**20, 60 * 2**20)
        elif rng.random() < 0.5:
            name, size = f"PXL_{stamp}{rng.randint(0, 999):03d}.jpg", rng.randint(1_500_000, 5_000_000)
        else:
            name, size = f"IMG_{stamp}.jpg", rng.randint(1_500_000, 5_000_000)
        size = min(size, max(budget - used, 1_500_000))  # the last file does not overshoot the budget by a video
        media.append(MediaFile(f"{PHOTOS}/Photos from {taken.year}", name, size, taken))
        used += size
    photos = [m for m in media if m.name.endswith(".jpg")][:ALBUM_COPIES]
    media += [MediaFile(f"{PHOTOS}/{ALBUM}", m.name, m.size, m.taken) for m in photos]
    return media


def _media_bytes(rng: random.Random, media: MediaFile):
    """The file's bytes in chunks: its magic header, then random (incompressible) bytes."""
    header = MP4 if media.name.endswith(".mp4") else JPEG
    # An album copy is the same photo: the same bytes, from a generator seeded by its name.
    body = random.Random(f"{media.name}:{media.size}")
    yield header
    left = media.size - len(header)
    while left > 0:
        step = min(CHUNK, left)
        yield body.randbytes(step)
        left -= step


def write_photos(parts: Parts, rng: random.Random, budget: int, capacities: list[int], expected: Expected) -> None:
    media = _plan_media(rng, budget)
    part, filled = 0, 0
    for item in media:
        while part < len(capacities) - 1 and filled + item.size > capacities[part]:
            part, filled = part + 1, 0
        item.part, filled = part, filled + item.size
    count = len(capacities)
    for item in media:
        path = f"{item.folder}/{item.name}"
        with parts.stream(item.part, path, stored=True) as out:
            for chunk in _media_bytes(rng, item):
                out.write(chunk)
        sidecar = f"{item.folder}/{_sidecar_name(item.name)}"
        # Every sidecar in another part than its media file: pairing must work across parts.
        parts.write((item.part + 1) % count, sidecar, _sidecar(rng, item))
        expected.sidecar_of[path] = sidecar
        expected.add("photos.media")
        expected.add("photos.sidecar")
    album = {"title": ALBUM, "description": "A week by the sea", "access": "protected",
             "date": {"timestamp": "1696574331", "formatted": "Oct 6, 2023, 6:38:51 AM UTC"}}
    parts.write(0, f"{PHOTOS}/{ALBUM}/metadata.json", json.dumps(album, indent=2).encode())
    expected.add("photos.album")


# --- Gmail ---------------------------------------------------------------------------------------------------------


def _text(rng: random.Random, words: int) -> str:
    picked = rng.choices(WORDS, k=words)
    return "\r\n".join(" ".join(picked[i:i + 12]) for i in range(0, words, 12))


def _mail(rng: random.Random, i: int, at: datetime) -> bytes:
    date = at.strftime("%a, %d %b %Y %H:%M:%S +0000")
    sender, to = rng.sample(PEOPLE, 2)
    address = sender.lower().replace(" ", ".").encode("ascii", "ignore").decode()
    head = (f"From {1780133326917537410 + i}@xxx {at:%a %b %d %H:%M:%S} +0000 {at.year}\r\n"
            f"X-GM-THRID: {1780133326917000000 + i // 3}\r\nX-Gmail-Labels: {rng.choice(LABELS)}\r\n")
    kind = rng.random()
    if kind < 0.02:  # a chat message: no Message-ID, no subject
        return (head + f"From: {sender} <{address}@example.org>\r\nDate: {date}\r\n"
                "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + _text(rng, 20) + f" {i}\r\n\r\n").encode()
    head += (f"Delivered-To: me@example.org\r\nReceived: from mail.example.org (mail.example.org [192.0.2.{i % 250}])"
             f" by mx.google.com with ESMTPS id {i:x}\r\nMessage-ID: <{i}.{rng.getrandbits(48):x}@example.org>\r\n"
             f"Date: {date}\r\nFrom: {sender} <{address}@example.org>\r\nTo: {to} <me@example.org>\r\n"
             f"Subject: {' '.join(rng.choices(WORDS, k=5))} #{i}\r\nMIME-Version: 1.0\r\n")
    text = _text(rng, rng.randint(250, 450))
    if kind < 0.22:
        return (head + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text + "\r\n\r\n").encode()
    html = "<html><body><p>" + text.replace("\r\n", "<br>\r\n") + "</p></body></html>"
    alternative = ("--alt\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                   f"{text}\r\n--alt\r\nContent-Type: text/html; charset=UTF-8\r\n"
                   f"Content-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n--alt--\r\n")
    if kind < 0.92:
        return (head + 'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n' + alternative + "\r\n").encode()
    attachment = base64.encodebytes(rng.randbytes(45_000)).decode().replace("\n", "\r\n")
    return (head + 'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n--mix\r\n'
            'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n' + alternative
            + f'--mix\r\nContent-Type: application/pdf; name="scan {i}.pdf"\r\n'
            f'Content-Disposition: attachment; filename="scan {i}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + attachment + "--mix--\r\n\r\n").encode()


def write_mbox(parts: Parts, part: int, rng: random.Random, budget: int, expected: Expected) -> None:
    written, at = 0, datetime(2015, 1, 1, tzinfo=UTC)
    # The mails fit in ten years whatever their number, so none lies in the future (which is refused).
    step = max(120, min(20000, 2 * 10 * 365 * 86400 // max(budget // 8000, 1)))
    with parts.stream(part, MBOX) as out:
        while written < budget:
            at += timedelta(seconds=rng.randint(60, step))
            message = _mail(rng, expected.mails, at)
            out.write(message)
            written += len(message)
            expected.mails += 1
    expected.add("mail.mbox", expected.mails)


# --- the small products --------------------------------------------------------------------------------------------


def write_keep(parts: Parts, part: int, rng: random.Random, count: int, expected: Expected) -> None:
    edited = 1_500_000_000_000_000
    # Eight years of notes (µs) whatever their number: none edited in the future.
    step = min(10**12, 2 * 8 * 365 * 86400 * 10**6 // max(count, 1))
    for i in range(count):
        edited += rng.randint(min(10**9, step // 2), step)
        note = {"color": rng.choice(("DEFAULT", "YELLOW", "BLUE")), "isTrashed": i % 25 == 0,
                "isPinned": i % 7 == 0, "isArchived": i % 5 == 0, "title": f"Note {i}",
                "userEditedTimestampUsec": edited, "createdTimestampUsec": edited - 10**9,
                "labels": [{"name": rng.choice(("Home", "Work", "Ideas"))}]}
        if i % 3:
            note["textContent"] = _text(rng, rng.randint(10, 120))
        else:
            note["listContent"] = [{"text": w, "isChecked": rng.random() < 0.5} for w in rng.sample(WORDS, 6)]
        parts.write(part, f"Takeout/Keep/Note {i}.json", json.dumps(note, ensure_ascii=False).encode())
    expected.add("keep.note", count)


def write_fit(parts: Parts, part: int, rng: random.Random, workouts: int, expected: Expected) -> None:
    start = datetime(2021, 3, 1, 6, tzinfo=UTC)
    for _ in range(workouts):
        start += timedelta(days=rng.randint(1, 5))
        lat, lng, points = 52.52, 13.405, []
        for s in range(600):
            lat, lng = lat + rng.uniform(-1, 1) * 1e-4, lng + rng.uniform(-1, 1) * 1e-4
            at = (start + timedelta(seconds=s * 3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            points.append(f"<Trackpoint><Time>{at}</Time><Position><LatitudeDegrees>{lat:.7f}</LatitudeDegrees>"
                          f"<LongitudeDegrees>{lng:.7f}</LongitudeDegrees></Position><AltitudeMeters>"
                          f"{30 + rng.random() * 5:.1f}</AltitudeMeters><HeartRateBpm><Value>{rng.randint(120, 170)}"
                          "</Value></HeartRateBpm></Trackpoint>")
        begin = start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        tcx = ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/'
               f'xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Id>{begin}</Id>'
               f'<Lap StartTime="{begin}"><TotalTimeSeconds>1800.0</TotalTimeSeconds><DistanceMeters>'
               f"{rng.uniform(3000, 8000):.1f}</DistanceMeters><Calories>{rng.randint(200, 600)}</Calories>"
               "<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>"
               + "".join(points) + "</Track></Lap></Activity></Activities></TrainingCenterDatabase>")
        parts.write(part, f"Takeout/Fit/Activities/{start:%Y-%m-%dT%H_%M_%S}.000Z_PT30M_Running.tcx", tcx.encode())
        expected.add("fit.tcx", 1 + len(points))
    days = 3 * 365
    rows = ["Date,Move Minutes count,Calories (kcal),Distance (m),Heart Points,Heart Minutes,Average speed (m/s),"
            "Step count,Average weight (kg)"]
    day = datetime(2020, 1, 1, tzinfo=UTC)
    for _ in range(days):
        rows.append(f"{day:%Y-%m-%d},{rng.randint(0, 90)},{rng.uniform(1500, 2800):.1f},{rng.uniform(0, 9000):.1f},"
                    f"{rng.randint(0, 40)},{rng.randint(0, 40)},{rng.uniform(0.8, 1.6):.2f},{rng.randint(0, 15000)},")
        day += timedelta(days=1)
    parts.write(part, "Takeout/Fit/Daily activity metrics/Daily activity metrics.csv", "\n".join(rows).encode() + b"\n")
    expected.add("fit.daily", days)


def write_activity(parts: Parts, part: int, rng: random.Random, events: int, expected: Expected) -> None:
    """Search as JSON, YouTube as HTML (My Activity's two shapes), newest first as Takeout lists them."""
    for product, kind in (("Search", "json"), ("YouTube", "html")):
        at = datetime(2025, 6, 30, 12, tzinfo=UTC)
        name = "My Activity.json" if kind == "json" else "MyActivity.html"
        with parts.stream(part, f"Takeout/My Activity/{product}/{name}") as out:
            out.write(b"[" if kind == "json" else HTML_HEAD.encode())
            for i in range(events):
                at -= timedelta(seconds=rng.randint(5, 7200), microseconds=rng.randint(0, 999) * 1000)
                entry = _entry(rng, product, i, at)
                text = ("," if i else "") + json.dumps(entry, indent=2, ensure_ascii=False) if kind == "json" \
                    else _cell(entry, at)
                out.write(text.encode())
            out.write(b"]\n" if kind == "json" else HTML_END.encode())
        expected.add(f"activity.{kind}", events)


def write_location(parts: Parts, part: int, rng: random.Random, points: int, expected: Expected) -> None:
    at, lat, lng = datetime(2022, 5, 1, tzinfo=UTC), 485000000, 23000000
    with parts.stream(part, "Takeout/Location History (Timeline)/Records.json") as out:
        out.write(b'{\n  "locations": [')
        for i in range(points):
            at += timedelta(seconds=rng.randint(30, 600))
            lat, lng = lat + rng.randint(-3000, 3000), lng + rng.randint(-3000, 3000)
            record = {"latitudeE7": lat, "longitudeE7": lng, "accuracy": rng.randint(5, 60), "source": "WIFI",
                      "deviceTag": 1234567890, "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{i % 1000:03d}Z"}
            out.write((("," if i else "") + "\n    " + json.dumps(record)).encode())
        out.write(b"\n  ]\n}\n")
    expected.add("location.records", points)


ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\n"
       "DTSTART:20231006T090000Z\r\nDTEND:20231006T100000Z\r\nUID:bench1@google.com\r\nSUMMARY:Dentist\r\n"
       "RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
VCF = "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nN:{name.split()[1]};{name.split()[0]};;;\r\n"
              f"EMAIL;TYPE=INTERNET:{i}@example.org\r\nEND:VCARD\r\n" for i, name in enumerate(PEOPLE))


def generate(folder: Path, gib: float, seed: int = 12) -> tuple[list[Path], Expected]:
    rng = random.Random(seed)
    total = int(gib * 2**30)
    count = 3 if gib < 0.5 else 4 if gib < 2 else 5
    expected = Expected()
    parts = Parts(folder, count)
    last = count - 1
    try:
        # Takeout orders products by name: Photos first, spanning parts; the rest in the last part.
        write_keep(parts, last, rng, round(100 + 400 * gib), expected)
        write_fit(parts, last, rng, round(5 + 20 * gib), expected)
        write_activity(parts, last, rng, round(5000 + 20000 * gib), expected)
        write_location(parts, last, rng, round(10000 + 50000 * gib), expected)
        parts.write(last, "Takeout/Calendar/Personal.ics", ICS.encode())
        expected.add("calendar.ics")
        parts.write(last, "Takeout/Contacts/My Contacts/My Contacts.vcf", VCF.encode())
        expected.add("contacts.vcf", len(PEOPLE))
        mbox_budget = total // 5
        write_mbox(parts, last, rng, mbox_budget, expected)
        parts.zips[last].fp.flush()
        # What the last part holds so far, deflated: the media make up the rest of the export's size.
        small = parts.paths[last].stat().st_size
        media_budget = max(total - small, 64 * 2**20)
        target = (media_budget + small) / count
        capacities = [int(target)] * (count - 1) + [max(int(target - small), 0)]
        write_photos(parts, rng, media_budget, capacities, expected)
    finally:
        parts.close()
    return parts.paths, expected


# --- measuring -----------------------------------------------------------------------------------------------------


def drop_cache(paths: list[Path]) -> str:
    """Make the next read of the files come from the disk; how it was done.

    ``echo 3 > /proc/sys/vm/drop_caches`` (root only) empties the whole page
    cache after a sync: an honest cold read. Without root, fsync and
    ``posix_fadvise(DONTNEED)`` per file is all there is, and the kernel may
    keep pages regardless.
    """
    for path in paths:
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return "fadvise"
    return "drop_caches"


def sequential_read(paths: list[Path]) -> float:
    """Every byte of every part, in order, 8 MiB at a time; seconds."""
    buffer = bytearray(CHUNK)
    started = time.perf_counter()
    for path in paths:
        with path.open("rb", buffering=0) as handle:
            while handle.readinto(buffer):
                pass
    return time.perf_counter() - started


def member_seconds(run_id: int) -> dict:
    """product -> {"members", "seconds", "bytes"} from the run's members (import_member.seconds)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Sum

    from core.rls import user_scope
    from imports.models import ImportMember

    user = get_user_model().objects.get(username="bench")
    with user_scope(user.pk):
        rows = (ImportMember.objects.filter(run_id=run_id).values("product")
                .annotate(members=Count("id"), seconds=Sum("seconds"), bytes=Sum("size")).order_by("product"))
        return {row["product"] or "other": {"members": row["members"], "seconds": round(row["seconds"], 2),
                                            "bytes": row["bytes"]} for row in rows}


def run_phases(run_id: int) -> dict:
    """Seconds before the first member started (listing the parts) and after the last settled (pairing, totals)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min

    from core.rls import user_scope
    from imports.models import ImportMember, ImportRun

    user = get_user_model().objects.get(username="bench")
    with user_scope(user.pk):
        run = ImportRun.objects.get(pk=run_id)
        members = ImportMember.objects.filter(run_id=run_id).aggregate(first=Min("committed_at"),
                                                                       last=Max("committed_at"))
        first = ImportMember.objects.filter(run_id=run_id, committed_at=members["first"]).first()
    scan = (members["first"] - run.started_at).total_seconds() - first.seconds
    finish = (run.finished_at - members["last"]).total_seconds()
    return {"scan_seconds": round(scan, 2), "finish_seconds": round(finish, 2)}


def slowest_members(run_id: int, limit: int = 5) -> list:
    from django.contrib.auth import get_user_model

    from core.rls import user_scope
    from imports.models import ImportMember

    user = get_user_model().objects.get(username="bench")
    with user_scope(user.pk):
        return [(m.name.rsplit("/", 1)[-1], m.product, round(m.seconds, 2), m.size, m.accepted) for m in
                ImportMember.objects.filter(run_id=run_id).order_by("-seconds")[:limit]]


def verify(summary: dict, expected: Expected) -> list[str]:
    """Every generated record accounted for; the problems found, if any."""
    from django.contrib.auth import get_user_model

    from core.rls import user_scope
    from sources.photos.models import PhotoMedia

    problems = []
    products = summary["products"]
    for product, count in sorted(expected.products.items()):
        got = products.get(product, {})
        if got.get("accepted") != count or got.get("rejected"):
            problems.append(f"{product}: generated {count}, accepted {got.get('accepted')}, "
                            f"rejected {got.get('rejected')}")
    extra = set(products) - set(expected.products)
    if extra:
        problems.append(f"unexpected products: {sorted(extra)}")
    if summary["status"] != "succeeded" or summary["rejections"]:
        problems.append(f"run {summary['status']}, rejections {summary['rejections']}")
    if summary["not_imported"]:
        problems.append(f"not imported: {summary['not_imported']} (expected everything to be)")
    user = get_user_model().objects.get(username="bench")
    with user_scope(user.pk):
        paired = dict(PhotoMedia.objects.values_list("path", "sidecar_path"))
    wrong = {path: paired.get(path) for path, sidecar in expected.sidecar_of.items() if paired.get(path) != sidecar}
    if wrong:
        sample = dict(list(wrong.items())[:3])
        problems.append(f"{len(wrong)} of {len(expected.sidecar_of)} media files not paired with their own sidecar, "
                        f"e.g. {sample}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=1.0, help="the export's size in GiB (about)")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="takeout-bench-"))
    try:
        started = time.perf_counter()
        paths, expected = generate(work, args.gib, args.seed)
        sizes = [path.stat().st_size for path in paths]
        print(f"generated {len(paths)} parts, {sum(sizes) / 2**30:.3f} GiB ("
              + ", ".join(f"{size / 2**20:.0f}" for size in sizes) + " MiB): "
              f"{expected.products['photos.media']} media files, {expected.mails} mails, in "
              f"{time.perf_counter() - started:.1f} s", flush=True)

        cold_by = drop_cache(paths)
        cold = sequential_read(paths)
        warm = sequential_read(paths)
        print(f"sequential read: {cold:.2f} s after dropping the files' cached pages, {warm:.2f} s warm "
              f"({sum(sizes) / 2**20 / warm:.0f} MiB/s)", flush=True)

        with scratch_lake("takeout_bench"):
            from django.contrib.auth import get_user_model

            get_user_model().objects.create_user("bench")
            command_started = time.perf_counter()
            result = import_takeout(paths)
            command_seconds = time.perf_counter() - command_started
            summary = result.summary
            by_product = member_seconds(summary["run"])
            slowest = slowest_members(summary["run"])
            phases = run_phases(summary["run"])
            problems = verify(summary, expected)
        for product, stats in by_product.items():
            print(f"  {product}: {stats['members']} members, {stats['seconds']} s, {stats['bytes']} bytes", flush=True)
        print(f"  slowest members: {slowest}", flush=True)
        if problems:
            sys.exit("the import does not account for the export:\n  " + "\n  ".join(problems))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    seconds = result.seconds
    photo_rows = expected.products["photos.media"] + expected.products["photos.sidecar"]
    photo_seconds = sum(v["seconds"] for k, v in by_product.items() if k.startswith("photos."))
    members_total = sum(v["seconds"] for v in by_product.values())
    print(json.dumps({
        "gib": args.gib,
        "seconds": round(seconds, 2),
        "read_seconds": round(warm, 3),
        "ratio_vs_read": round(warm / seconds, 4),
        "mails_per_s": round(expected.mails / by_product["mail.mbox"]["seconds"]),
        "photos_per_s": round(photo_rows / photo_seconds, 1),
        "peak_rss_mb": round(result.peak_rss_mb, 1),
        "cold_read_seconds": round(cold, 3),
        "ratio_vs_cold_read": round(cold / seconds, 4),
        "cold_read_by": cold_by,
        "command_seconds": round(command_seconds, 2),
        "outside_members_seconds": round(seconds - members_total, 2),
        **phases,
        "bytes": sum(sizes), "parts": len(paths), "mails": expected.mails,
        "media_files": expected.products["photos.media"],
        "member_seconds": {k: v["seconds"] for k, v in by_product.items()},
        "note": "read_seconds warm (page cache), like the import; photos_per_s = (media + sidecars) / photos.* "
                "member seconds; mails_per_s = mails / mbox member seconds",
    }))


if __name__ == "__main__":
    main()
