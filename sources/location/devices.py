"""Devices named by Settings.json: upserted once per member, after its points."""

from django.db import connections


def upsert_devices(devices: list[tuple[int, str, str]], *, user_id: int, using: str = "default") -> int:
    """(device_tag, name, platform) rows into user_data.device; a later Settings.json renames."""
    if not devices:
        return 0
    with connections[using].cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO user_data.device (user_id, device_tag, name, platform)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (user_id, device_tag) DO UPDATE
               SET name = coalesce(nullif(EXCLUDED.name, ''), user_data.device.name),
                   platform = coalesce(nullif(EXCLUDED.platform, ''), user_data.device.platform)
            """,
            [(user_id, tag, name or "", platform or "") for tag, name, platform in devices],
        )
    return len(devices)
