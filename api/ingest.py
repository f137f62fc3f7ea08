"""Live locations posted by a phone app, written like an import's: same table, same key, same scope.

The primary key (user, recorded_at, lat_e7, lng_e7) is the dedupe key of
every location point, so a batch the app sends twice (it retries until it
hears back) adds its rows once.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from api import livefeeds
from core.maintenance import ensure_partitions_for
from core.rls import user_scope
from sources import registry
from sources.location.devices import upsert_devices
from sources.location.tables import LOCATION_POINT

_INSERT = """
INSERT INTO timeseries.location_point (user_id, recorded_at, utc_offset_minutes, lat_e7, lng_e7, accuracy_m,
    altitude_m, vertical_accuracy_m, velocity_mps, heading_deg, source, device_tag, platform, activity_type,
    product)
SELECT %(user)s, * FROM unnest(%(recorded_at)s::timestamptz[], %(offset)s::smallint[], %(lat)s::int[],
    %(lng)s::int[], %(acc)s::float8[], %(alt)s::float8[], %(vac)s::float8[], %(vel)s::float8[],
    %(heading)s::float8[], %(source)s::text[], %(device)s::bigint[], %(platform)s::text[],
    %(activity)s::text[], %(product)s::text[])
ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True)
class IngestResult:
    received: int
    accepted: int
    duplicates: int
    skipped: int
    rejected: dict[str, int]

    def as_dict(self) -> dict:
        return {"received": self.received, "accepted": self.accepted, "duplicates": self.duplicates,
                "skipped": self.skipped, "rejected": self.rejected}


def ingest(user, product: str, payload) -> IngestResult:
    """Parse `payload` of `product` (livefeeds.OWNTRACKS / OVERLAND) and store its points at once.

    Raises livefeeds.BadPayload when the body as a whole is wrong; single bad
    positions are counted by reason and the rest stored.
    """
    parse = livefeeds.owntracks if product == livefeeds.OWNTRACKS else livefeeds.overland
    parsed = parse(payload, now=timezone.now())
    points = parsed.points
    inserted = 0
    if points:
        ensure_partitions_for(LOCATION_POINT, min(p.recorded_at for p in points),
                              max(p.recorded_at for p in points))
        tags = {p.device: livefeeds.device_tag(product, p.device) if p.device else None for p in points}
        with user_scope(user.pk), transaction.atomic():
            upsert_devices([(tag, device, product) for device, tag in tags.items() if tag is not None],
                           user_id=user.pk)
            with connection.cursor() as cursor:
                cursor.execute(_INSERT, {
                    "user": user.pk, "recorded_at": [p.recorded_at for p in points],
                    "offset": [p.utc_offset_minutes for p in points], "lat": [p.lat_e7 for p in points],
                    "lng": [p.lng_e7 for p in points], "acc": [p.accuracy_m for p in points],
                    "alt": [p.altitude_m for p in points], "vac": [p.vertical_accuracy_m for p in points],
                    "vel": [p.velocity_mps for p in points], "heading": [p.heading_deg for p in points],
                    "source": ["" for _ in points], "device": [tags[p.device] for p in points],
                    "platform": [product for _ in points], "activity": [p.activity_type for p in points],
                    "product": [product for _ in points]})
                inserted = cursor.rowcount
            # No audit row per post (a phone posts every minute); the token's use is audited.
            if inserted:
                registry.data_changed(user.pk)
    received = len(points) + parsed.skipped + sum(parsed.rejected.values())
    return IngestResult(received=received, accepted=inserted, duplicates=len(points) - inserted,
                        skipped=parsed.skipped, rejected=parsed.rejected)
