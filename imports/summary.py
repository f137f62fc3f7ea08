"""A run's report as plain data: the command's --json line and the report page share it."""

from imports.models import ImportMember, ImportRun


def run_summary(run: ImportRun) -> dict:
    """`{"run", "status", "products": {product: {accepted, rejected, duplicates, first, last}}, "rejections"}`."""
    return {
        "run": run.pk,
        "status": run.status,
        "products": {
            name: {key: stats.get(key) for key in ("accepted", "rejected", "duplicates", "first", "last")}
            for name, stats in sorted(run.products.items())
        },
        "rejections": {reason: entry["count"] for reason, entry in sorted(run.rejections.items())},
    }


def unrecognized(run: ImportRun) -> list[ImportMember]:
    """Members that were skipped or failed, with why: the report's "not imported" list."""
    return list(run.members.exclude(status__in=[ImportMember.Status.DONE, ImportMember.Status.PENDING])
                .select_related("file"))
