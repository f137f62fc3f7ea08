"""Semantic search benchmark: embedding rate, nearest-neighbour latency, HNSW recall, import slowdown.

    python bench/vector_bench.py --items 100000

In a scratch lake (bench/scratch.py: a fresh test_vector_bench_<name> database,
bootstrapped and migrated like the test suite's, dropped afterwards):

* embed: N generated place-and-activity texts through the default model
  (settings.EMBEDDING_MODEL), in batches as the embedding job does:
  ``embed_per_s``. ``store_per_s`` is embed + INSERT into vectors.embedding
  under row-level security (the HNSW index maintained as rows arrive).
  ``multilingual_embed_per_s``: the multilingual model on 500 of them.
* search: 200 queries for the one user who owns the N vectors, 10 nearest
  each, through vectors.store.nearest: ``p50_ms``/``p95_ms`` with the HNSW
  index, ``exact_p50_ms`` with the exact scan the fallback uses (on a server
  without pgvector only the exact numbers exist), ``recall_at_10`` of HNSW
  against exact.
* import: ``manage.py import_takeout`` of a generated My Activity export
  (bench/activity_bench.py's generator, ``--import-events`` events), each
  time as a new user: with no worker on the "vectors" queue (embedding off:
  its jobs only wait) and with an RQ worker embedding beside it (on),
  interleaved after a warm-up import. ``import_slowdown`` = 1 - median rate
  on / median rate off.

The last line printed is one JSON object.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datalake.settings")

VERBS = ("Visited", "Searched for", "Watched", "Read about", "Lunch at", "Meeting at", "Walked to",
         "Bought tickets for", "Called", "Booked", "Dinner near", "Coffee with friends at", "Listened to",
         "Drove to", "Reviewed")
THINGS = ("museum", "bakery", "train station", "dentist", "library", "football match", "concert hall", "pharmacy",
          "hiking trail", "bookshop", "swimming pool", "cinema", "pizza place", "hardware store", "cathedral",
          "zoo", "flower market", "ramen bar", "airport", "bike repair", "yoga studio", "farmers market",
          "art gallery", "ski resort", "beach bar", "city hall", "night club", "bowling alley", "vet clinic",
          "car wash", "wine bar", "tea house", "climbing gym", "observatory", "aquarium", "brewery")
ADJECTIVES = ("old", "new", "tiny", "famous", "quiet", "crowded", "cheap", "fancy", "local", "central", "northern",
              "hidden", "historic", "modern", "family", "open-air", "late-night", "riverside")
CITIES = ("Vienna", "Berlin", "Paris", "Lisbon", "Madrid", "Rome", "Prague", "Warsaw", "Oslo", "Dublin", "London",
          "Zurich", "Munich", "Hamburg", "Lyon", "Porto", "Seville", "Milan", "Naples", "Krakow", "Bergen", "Graz")


def texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(VERBS)} the {rng.choice(ADJECTIVES)} {rng.choice(THINGS)} in {rng.choice(CITIES)}"
            + (f", {rng.choice(ADJECTIVES)} {rng.choice(THINGS)} nearby" if rng.random() < 0.4 else "")
            + f" #{rng.randint(1, 999)}" for _ in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fill(user_id: int, items: list[str], batch: int = 1000) -> tuple[float, float]:
    """Embed and store `items` for the user: (embed-only texts/s, embed+store texts/s)."""
    from core.rls import user_scope
    from vectors import embedders, store
    from vectors.documents import Document

    embedder = embedders.current()
    model = embedders.current_name()
    embedding = storing = 0.0
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        began = time.perf_counter()
        vectors = embedder.documents(chunk)
        embedded = time.perf_counter()
        docs = [Document("activity_event", str(start + i), text, "", text, None, None, "activity.json", None)
                for i, text in enumerate(chunk)]
        with user_scope(user_id):
            store.insert(user_id, model, docs, vectors)
        embedding += embedded - began
        storing += time.perf_counter() - began
        if start // batch % 20 == 0:
            print(f"  stored {start + len(chunk)} of {len(items)}", file=sys.stderr, flush=True)
    return len(items) / embedding, len(items) / storing


def searches(user_id: int, queries: list[str], exact_queries: int) -> dict:
    from core.rls import user_scope
    from vectors import embedders, store

    model = embedders.current_name()
    vectors = embedders.current().documents(queries)
    hnsw_ms, exact_ms, recalls = [], [], []
    for index, vector in enumerate(vectors):
        began = time.perf_counter()
        with user_scope(user_id):
            approximate = store.nearest(user_id, model, vector, 10)
        hnsw_ms.append((time.perf_counter() - began) * 1000)
        if index < exact_queries:
            began = time.perf_counter()
            with user_scope(user_id):
                exact = store.nearest(user_id, model, vector, 10, exact=True)
            exact_ms.append((time.perf_counter() - began) * 1000)
            recalls.append(len({pk for pk, _ in approximate} & {pk for pk, _ in exact}) / 10)
    hnsw = store.path() == store.HNSW
    return {"path": store.path(), "p50_ms": round(percentile(hnsw_ms, 0.5), 2) if hnsw else None,
            "p95_ms": round(percentile(hnsw_ms, 0.95), 2) if hnsw else None,
            "exact_p50_ms": round(statistics.median(exact_ms), 2), "exact_p95_ms": round(percentile(exact_ms, 0.95), 2),
            "recall_at_10": round(statistics.mean(recalls), 4) if hnsw else 1.0}


def _start_worker():
    from core.testing import database_url_for_children
    from vectors import jobs

    env = dict(os.environ, DATABASE_URL=database_url_for_children())
    worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "rqworker", jobs.QUEUE],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)  # connected and listening before the import starts
    return worker


def _stop_worker(worker) -> None:
    # RQ's first SIGTERM waits for the job in hand to finish; the second stops it at once.
    worker.terminate()
    time.sleep(1)
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def import_rates(events: int) -> dict:
    """Import rate (events/s) of the same export with embedding off and on (a vectors worker beside it).

    Interleaved (off, on, off, on, after a warm-up) and the medians compared: on a shared machine the
    load drifts, and the first import of a month range pays for its partitions.
    """
    import django_rq
    from django.contrib.auth import get_user_model

    from bench.activity_bench import write_exports
    from bench.scratch import import_takeout
    from vectors import jobs

    work = Path(tempfile.mkdtemp(prefix="vector-bench-"))
    rates: dict[str, list[float]] = {"warm": [], "off": [], "on": []}
    try:
        files = write_exports(work, events)
        archive = work / "takeout-20250701T000000Z-001.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for path in files["json"]:
                out.write(path, f"Takeout/My Activity/{path.parent.name}/{path.name}")
        for index, kind in enumerate(("warm", "off", "on", "off", "on")):
            user = f"{kind}{index}"
            get_user_model().objects.create_user(user)
            # Embedding on: the worker takes the earlier runs' jobs and this run's as its members commit.
            worker = _start_worker() if kind == "on" else None
            try:
                result = import_takeout([archive], user=user)
            finally:
                if worker is not None:
                    _stop_worker(worker)
            accepted = sum(v["accepted"] for k, v in result.summary["products"].items() if k.startswith("activity."))
            rates[kind].append(accepted / result.seconds)
        waiting = django_rq.get_queue(jobs.QUEUE).count
    finally:
        shutil.rmtree(work, ignore_errors=True)
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    return {"import_events": events, "import_off_per_s": round(off), "import_on_per_s": round(on),
            "import_slowdown": round(1 - on / off, 4), "embedding_jobs_left": waiting}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--exact-queries", type=int, default=200, help="exact scans (for p50 and recall)")
    parser.add_argument("--import-events", type=int, default=20_000)
    args = parser.parse_args()

    from bench.scratch import scratch_lake

    with scratch_lake("vector_bench"):
        import django_rq
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connections

        from vectors import embedders, jobs

        django_rq.get_queue(jobs.QUEUE).empty()
        user = get_user_model().objects.create_user("bench")
        items = texts(args.items, seed=1)
        embed_per_s, store_per_s = fill(user.pk, items)
        with connections["owner"].cursor() as cursor:
            cursor.execute("ANALYZE vectors.embedding")
        multilingual = embedders.load("e5-small-384")
        began = time.perf_counter()
        multilingual.documents(items[:500])
        multilingual_per_s = 500 / (time.perf_counter() - began)
        found = searches(user.pk, texts(args.queries, seed=2), min(args.exact_queries, args.queries))
        imports = import_rates(args.import_events)
        result = {"items": args.items, "model": settings.EMBEDDING_MODEL, "embed_per_s": round(embed_per_s),
                  "store_per_s": round(store_per_s), "multilingual_embed_per_s": round(multilingual_per_s, 1),
                  "queries": args.queries, **found, **imports}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
