"""A run's report as plain data: the command's --json line and the report page share it."""

from dataclasses import dataclass, field

from imports.models import ImportMember, ImportRun
from sources.registry import product_label


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
        # What the Takeout held that is not in the lake, by product: files and bytes.
        "not_imported": {group.product or "other": {"files": len(group.members), "bytes": group.size}
                         for group in not_imported_by_product(run)},
    }


def unrecognized(run: ImportRun) -> list[ImportMember]:
    """Members that were skipped or failed, with why: the report's "not imported" list."""
    return list(run.members.exclude(status__in=[ImportMember.Status.DONE, ImportMember.Status.PENDING])
                .select_related("file"))


@dataclass
class NotImported:
    """The members of one product that are not in the lake, and why (the report's list)."""

    product: str | None
    label: str
    members: list = field(default_factory=list)
    size: int = 0
    failed: int = 0


def not_imported_by_product(run: ImportRun) -> list[NotImported]:
    """Skipped and failed members grouped by product, biggest first; unrecognized files last."""
    groups: dict = {}
    for member in unrecognized(run):
        group = groups.get(member.product)
        if group is None:
            group = groups[member.product] = NotImported(member.product, product_label(member.product))
        group.members.append(member)
        group.size += member.size or 0
        group.failed += member.status == ImportMember.Status.FAILED
    return sorted(groups.values(), key=lambda g: (g.product is None, -g.size, g.label))
