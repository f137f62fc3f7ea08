"""Location files from other apps: how fast sources/location/tracks.py reads them, against a bare read.

    python bench/tracks_bench.py --points 200000

Writes one file of N positions per format (a GPX track, a CSV, an OwnTracks Recorder
.rec, a GeoJSON FeatureCollection of timed points), then, each in a child process of its
own so their memory does not add up, parses it twice:

* ours: the product's parser (validation, E7 coordinates, records built);
* bare: the same bytes through the same library with nothing done per position
  (lxml iterparse clearing elements, csv.reader, a line read plus json.loads, ijson items).

Per format: points per second of ours, ``ratio_vs_bare`` (our seconds / bare seconds),
and our child's peak RSS. The last line printed is one JSON object.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = datetime(2020, 1, 1, tzinfo=UTC)


def positions(n: int):
    for i in range(n):
        yield START + timedelta(seconds=10 * i), 48.0 + (i % 10_000) * 1e-5, 2.0 + (i % 7_000) * 1e-5


def write_files(folder: Path, n: int) -> dict[str, Path]:
    files = {"gpx": folder / "track.gpx", "csv": folder / "positions.csv", "owntracks": folder / "2020-01.rec",
             "geojson": folder / "points.geojson"}
    with files["gpx"].open("w") as out:
        out.write('<?xml version="1.0"?>\n<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n')
        for at, lat, lng in positions(n):
            out.write(f'<trkpt lat="{lat:.6f}" lon="{lng:.6f}"><ele>35.0</ele>'
                      f"<time>{at:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>\n")
        out.write("</trkseg></trk></gpx>\n")
    with files["csv"].open("w") as out:
        out.write("time,latitude,longitude,accuracy\n")
        for at, lat, lng in positions(n):
            out.write(f"{at:%Y-%m-%dT%H:%M:%SZ},{lat:.6f},{lng:.6f},8\n")
    with files["owntracks"].open("w") as out:
        for at, lat, lng in positions(n):
            payload = json.dumps({"_type": "location", "lat": round(lat, 6), "lon": round(lng, 6),
                                  "tst": int(at.timestamp()), "acc": 8, "vel": 12})
            out.write(f"{at:%Y-%m-%dT%H:%M:%SZ}\t*                 \t{payload}\n")
    with files["geojson"].open("w") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for i, (at, lat, lng) in enumerate(positions(n)):
            out.write(("," if i else "") + json.dumps(
                {"type": "Feature", "properties": {"time": f"{at:%Y-%m-%dT%H:%M:%SZ}"},
                 "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]}}) + "\n")
        out.write("]}\n")
    return files


def bare(fmt: str, path: Path) -> int:
    count = 0
    if fmt == "gpx":
        from lxml import etree  # noqa: PLC0415 - only the child that reads GPX needs it

        for _, element in etree.iterparse(str(path), events=("end",), resolve_entities=False, no_network=True):
            if element.tag.endswith("trkpt"):
                count += 1
                element.clear()
    elif fmt == "csv":
        import csv  # noqa: PLC0415

        with path.open(newline="") as stream:
            count = sum(1 for _ in csv.reader(stream)) - 1
    elif fmt == "owntracks":
        with path.open("rb") as stream:
            count = sum(1 for line in stream if json.loads(line.split(b"\t", 2)[2]))
    else:
        import ijson  # noqa: PLC0415

        with path.open("rb") as stream:
            count = sum(1 for _ in ijson.items(stream, "features.item", use_float=True))
    return count


def ours(fmt: str, path: Path) -> int:
    from sources.location.records import LocationPoint  # noqa: PLC0415 - after sys.path is set
    from sources.location.tracks import FORMATS  # noqa: PLC0415

    with path.open("rb") as stream:
        return sum(1 for item in FORMATS[f"location.{fmt}"](stream) if isinstance(item, LocationPoint))


def child(kind: str, fmt: str, path: Path) -> None:
    started = time.perf_counter()
    count = (ours if kind == "ours" else bare)(fmt, path)
    seconds = time.perf_counter() - started
    print(json.dumps({"count": count, "seconds": seconds,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_child(kind: str, fmt: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", kind, fmt, str(path)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FORMAT", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return
    result = {"points": args.points}
    with tempfile.TemporaryDirectory() as folder:
        for fmt, path in write_files(Path(folder), args.points).items():
            mine, plain = run_child("ours", fmt, path), run_child("bare", fmt, path)
            if mine["count"] != args.points or plain["count"] != args.points:
                raise SystemExit(f"{fmt}: read {mine['count']} / {plain['count']} of {args.points} positions")
            result[fmt] = {"points_per_s": round(args.points / mine["seconds"]),
                           "seconds": round(mine["seconds"], 3), "bare_seconds": round(plain["seconds"], 3),
                           "ratio_vs_bare": round(mine["seconds"] / plain["seconds"], 2),
                           "peak_rss_mb": round(mine["peak_rss_mb"], 1),
                           "file_mb": round(path.stat().st_size / 2**20, 1)}
            print(fmt, result[fmt], file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
