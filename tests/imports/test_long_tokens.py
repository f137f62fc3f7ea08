"""No single JSON string or number may cost more than a few MB, however long it is.

ijson (and yajl2_c beneath it) buffers a whole token before handing it out: a
100 MB place name took 350 MB. Stored zips and bare JSON pass the compression
ratio guard, so the cap has to hold while streaming. Memory is the process's
resident set (psutil), sampled as it reads: C extensions allocate outside
tracemalloc's view.
"""

import contextlib
import json
import subprocess
import sys
import zipfile

import psutil
import pytest

from core.rls import user_scope
from imports.models import ImportMember, ImportRun
from tests.conftest import ROOT
from tests.imports.conftest import LH, count_rows

MB = 1024 * 1024
LONG = 100 * MB

# The hostile token sits between `before` and `after`; the child generates it
# while it is read, so the test's own memory holds none of it.
SHAPES = {
    "semantic place name": ("Semantic.json", b'{"timelineObjects":[{"placeVisit":{"location":{"name":"', b"a",
                            b'"}}}]}'),
    "records source": ("Records.json", b'{"locations":[{"latitudeE7":1,"longitudeE7":2,"source":"', b"s", b'"}]}'),
    "android key": ("Timeline.json", b'{"semanticSegments":[{"', b"k", b'":1}]}'),
    "escaped string": ("Semantic.json", b'{"timelineObjects":[{"placeVisit":{"location":{"name":"', b"\\\\",
                       b'"}}}]}'),
    "number": ("Semantic.json", b'{"timelineObjects":[{"visitConfidence":1.', b"5", b"}]}"),
}

CHILD = """
import io, json, sys, time, psutil
from sources.detect import identify
from sources.location.detect import detect as location
from sources.location.parsers import FORMATS
name, before, fill, after, size = sys.argv[1], *(s.encode().decode("unicode_escape").encode("latin-1")
                                                  for s in sys.argv[2:5]), int(sys.argv[5])
process = psutil.Process()

class Hostile(io.RawIOBase):
    def __init__(self):
        self.parts = [before, fill * (size // len(fill)), after]
        self.peak = self.base = process.memory_info().rss
    def readable(self):
        return True
    def read(self, n=-1):
        self.peak = max(self.peak, process.memory_info().rss)
        if not self.parts:
            return b""
        head = self.parts[0]
        if n < 0 or n >= len(head):
            return self.parts.pop(0)
        self.parts[0] = head[n:]
        return head[:n]

stream = Hostile()
started = time.monotonic()
product = identify(name, before + fill * 1000, [location])
items = list(FORMATS[product](stream))
stream.read(0)  # one more sample: the last token is built after the last read
print(json.dumps({"product": product, "peak_mb": (stream.peak - stream.base) / 2**20,
                  "seconds": time.monotonic() - started,
                  "rejections": [[i.reason, i.detail] for i in items if hasattr(i, "reason")]}))
"""


def run_child(name: str, before: bytes, fill: bytes, after: bytes, size: int) -> dict:
    args = [b.decode("latin-1").encode("unicode_escape").decode() for b in (before, fill, after)]
    child = subprocess.run([sys.executable, "-c", CHILD, name, *args, str(size)], cwd=ROOT, capture_output=True,
                           text=True, timeout=300, check=False)
    assert child.returncode == 0, child.stderr[-2000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_100_mb_token_ends_the_member_with_a_reason_in_flat_memory(shape):
    name, before, fill, after = SHAPES[shape]

    outcome = run_child(name, before, fill, after, LONG)

    assert outcome["peak_mb"] < 24, outcome
    reasons = [reason for reason, _ in outcome["rejections"]]
    assert reasons == ["bad_json"], outcome
    assert "longer than 1 MiB" in outcome["rejections"][0][1]


def test_a_long_but_bounded_value_still_parses():
    name, before, fill, after = SHAPES["semantic place name"]

    outcome = run_child(name, before, fill, after, 512 * 1024)

    # The visit has no place, so it is rejected as a record; the document itself reads to its end.
    assert [reason for reason, _ in outcome["rejections"]] == ["missing_coordinates"], outcome


@pytest.mark.parametrize("step", [1, 2, 3, 7, 1024])
def test_the_token_cap_holds_across_chunks_escapes_keys_and_numbers(step):
    from sources.sanitize import SafeJSONStream
    from tests.sources.location.test_parsers import Trickle

    def fits(data: bytes, cap: int = 20) -> bool:
        reader = SafeJSONStream(Trickle(data, step), max_token=cap)
        try:
            while reader.read(step):
                pass
        except ValueError:
            return False
        return True

    assert fits(b'{"a": "' + b"x" * 20 + b'"}')
    assert not fits(b'{"a": "' + b"x" * 21 + b'"}')
    assert not fits(b'{"' + b"k" * 21 + b'": 1}')
    assert fits(b'["' + b"\\\\" * 10 + b'", "\\"' + b"y" * 18 + b'"]')  # escapes count as written
    assert not fits(b'["' + b"\\\\" * 11 + b'"]')
    assert not fits(b'["' + b'\\"' * 11 + b'"]')  # escaped quotes do not end the string
    assert fits(b"[" + b"9" * 20 + b", -1.5e3]")
    assert not fits(b"[" + b"9" * 21 + b"]")
    assert not fits(b"[1." + b"5" * 19 + b"]")
    assert fits(b'{"a": ' + b" " * 5000 + b'"' + b"z" * 20 + b'"}')  # whitespace is no token
    assert fits(json.dumps([{"key": "v" * 20, "n": 12345} for _ in range(500)]).encode())


def stored_zip(path, members: dict[str, tuple[bytes, bytes, bytes, int]]):
    """A ZIP_STORED archive, each member written in pieces (no compression ratio to trip on)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, (before, fill, after, size) in members.items():
            with archive.open(zipfile.ZipInfo(name), "w", force_zip64=True) as member:
                member.write(before)
                if size:
                    block = fill * min(size // len(fill), MB // len(fill))
                    for _ in range(size // len(block)):
                        member.write(block)
                member.write(after)
    return path


def peak_rss_of(command, env) -> tuple[subprocess.CompletedProcess, float]:
    """Run `command`, sampling its resident set every 20 ms; (result, peak MB)."""
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=0.02)
    stdout, stderr = child.communicate()
    return subprocess.CompletedProcess(command, child.returncode, stdout, stderr), peak / MB


def test_a_stored_zip_with_a_100_mb_place_name_imports_the_rest_in_flat_memory(alice, child_env, tmp_path):
    visit = (b'{"timelineObjects":[{"placeVisit":{"location":{"latitudeE7":1,"longitudeE7":2,"name":"',
             b"a", b'"},"duration":{"startTimestamp":"2020-01-01T00:00:00Z"}}}]}')
    good = json.dumps({"timelineObjects": [{"placeVisit": {
        "location": {"latitudeE7": 3, "longitudeE7": 4, "name": "Home"},
        "duration": {"startTimestamp": "2020-02-01T00:00:00Z"}}}]}).encode()
    semantic = f"{LH}/Semantic Location History/2020"
    members = {f"{semantic}/2020_JANUARY.json": (*visit, LONG), f"{semantic}/2020_FEBRUARY.json": (good, b"", b"", 0)}
    hostile = stored_zip(tmp_path / "takeout-001.zip", members)
    clean = stored_zip(tmp_path / "takeout-002.zip", {**members, f"{semantic}/2020_JANUARY.json": (*visit, 1000)})
    command = [sys.executable, str(ROOT / "manage.py"), "import_takeout", "--user", "alice", "--json"]

    # The baseline, measured in the same run: the same archive with a short name.
    baseline, baseline_mb = peak_rss_of([*command, str(clean)], child_env)
    assert baseline.returncode == 0, baseline.stderr[-2000:]
    result, peak_mb = peak_rss_of([*command, str(hostile)], child_env)

    assert result.returncode == 0, result.stderr[-2000:]
    assert peak_mb < baseline_mb + 32, (peak_mb, baseline_mb)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "partial"
    with user_scope(alice.pk):
        run = ImportRun.objects.get(pk=summary["run"])
        failed = ImportMember.objects.get(run=run, name=f"{semantic}/2020_JANUARY.json")
    assert failed.status == ImportMember.Status.FAILED
    assert "longer than 1 MiB" in failed.error and "nothing from it was imported" in failed.error
    assert "longer than 1 MiB" in run.error
    assert count_rows(alice, "timeseries.place_visit") == 2  # February from both runs is one row; January once
