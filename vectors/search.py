"""Hybrid search over the lake's search documents: full-text rank and vector similarity, fused.

`hybrid_search` is the one entry point (the search page, the API): it runs in
the user's scope, embeds the query with the current model and combines the
two rankings by reciprocal rank fusion (RRF: each list adds 1 / (K + rank), so
an item both lists like comes first and neither list's raw scores need
calibrating against the other's).
"""

import datetime as dt
from collections import defaultdict

from core.rls import user_scope
from sources.localtime import local
from vectors import documents, embedders, store
from vectors.models import Embedding

MEANING = "meaning"
EXACT = "exact"
MODES = (EXACT, MEANING)
# RRF's damping constant, as in Cormack et al. (2009): ranks past the first few count alike.
K = 60
# Candidates each list contributes before fusion and filters.
CANDIDATES = 200


def _fuse(*rankings: list[int]) -> dict[int, float]:
    scores: dict[int, float] = defaultdict(float)
    for ranking in rankings:
        for position, item in enumerate(ranking, start=1):
            scores[item] += 1.0 / (K + position)
    return scores


def _hits(scores: dict[int, float], *, product, start, end, limit) -> list[dict]:
    rows = {row.pk: row for row in Embedding.objects.filter(pk__in=list(scores)).defer("content")}
    labels = {dataset.name: dataset.label for _source, dataset in documents.embedded_datasets()}
    sources = {dataset.name: source.name for source, dataset in documents.embedded_datasets()}
    results = []
    for pk in sorted(scores, key=lambda pk: (-scores[pk], pk)):
        row = rows.get(pk)
        if row is None:
            continue
        when = local(row.at, row.utc_offset_minutes)
        day = when.date() if when else None
        if product and row.product != product:
            continue
        if (start or end) and day is None:
            continue
        if (start and day < start) or (end and day > end):
            continue
        results.append({"id": row.pk, "kind": labels.get(row.dataset, row.dataset), "title": row.title,
                        "detail": row.detail, "when": when, "day": day, "product": row.product,
                        "source": sources.get(row.dataset, ""), "dataset": row.dataset,
                        "rank": round(scores[pk], 6), "url": ""})
        if len(results) >= limit:
            break
    return results


def hybrid_search(user_id: int, q: str = "", mode: str = MEANING, limit: int = 50, *, product: str = "",
                  start: dt.date | None = None, end: dt.date | None = None, like: int | None = None) -> list[dict]:
    """The user's items that match `q`, best first, as result dicts.

    mode "meaning": full-text rank and vector similarity fused (RRF), the
    neighbours kept only above the model's similarity floor; "exact": the
    words only. `like` (an item's "id"): the items nearest to that item's
    vector instead of a query. `start`/`end` are local days, inclusive. Each result:
    id, kind, title, detail, when (local, naive), day, product, source, dataset,
    rank (the fused score), url.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    model = embedders.current_name()
    floor = embedders.MODELS[model].floor
    q = (q or "").strip()
    with user_scope(user_id):
        if like is not None:
            vector = store.vector_of(like)
            if vector is None:
                return []
            nearest = store.nearest(user_id, model, vector, CANDIDATES, exclude=like)
            scores = _fuse([pk for pk, distance in nearest if 1 - distance >= floor])
        elif not q:
            return []
        elif mode == EXACT:
            scores = _fuse([pk for pk, _rank in store.matching(user_id, model, q, CANDIDATES)])
        else:
            words = [pk for pk, _rank in store.matching(user_id, model, q, CANDIDATES)]
            vector = embedders.current().query(q)
            similar = [pk for pk, distance in store.nearest(user_id, model, vector, CANDIDATES)
                       if 1 - distance >= floor]
            scores = _fuse(words, similar)
        return _hits(scores, product=product, start=start, end=end, limit=limit)


def by_day(results: list[dict]) -> list[tuple[dt.date | None, list[dict]]]:
    """Results grouped by local day, the day of the best result first; undated things last."""
    groups: dict = {}
    for hit in results:
        groups.setdefault(hit["day"], []).append(hit)
    return sorted(groups.items(), key=lambda item: (item[0] is None, -item[1][0]["rank"]))


def item(user_id: int, embedding_id: int) -> dict | None:
    """One search document of the user's, for "more like this": {"id", "title", "kind"}, or None."""
    with user_scope(user_id):
        row = Embedding.objects.filter(pk=embedding_id).only("title", "dataset").first()
    if row is None:
        return None
    labels = {dataset.name: dataset.label for _source, dataset in documents.embedded_datasets()}
    return {"id": row.pk, "title": row.title, "kind": labels.get(row.dataset, row.dataset)}
