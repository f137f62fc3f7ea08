"""Process one import run: claim it, stream its members, load each in one transaction.

The order of events for a run:

1. Claim: take the run's advisory lock (imports.liveness), then flip it from
   queued to running with a conditional UPDATE. Either failing means someone
   else has it, and this call returns without touching anything.
2. Scan: list the members of zip parts (the central directory is cheap) as
   `pending` rows, so the page can show members done of total. A tgz has no
   index; its members are counted as they are met.
3. Load: read the parts in order, each member once, front to back. Members
   already committed by an earlier attempt are skipped, so a run resumed
   after a SIGKILL redoes at most the member that was in flight. Each member
   is detected by content, parsed, and committed in one transaction with its
   rows, its member row and its share of the run's counts. A long member whose
   parser marks restart points (sources.records.Checkpoint: an mbox's message
   boundaries) commits in steps of IMPORT_CHECKPOINT_BYTES instead, each step
   with its rows, its counts and the byte it reached; a resumed attempt skips
   those bytes and goes on from there.
4. Finish: ANALYZE after big loads, decide the status, tell the analytics
   module (if installed) that the user's data changed.
"""

import datetime as dt
import io
import logging
import os
import socket
import time
from operator import attrgetter

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.rls import user_scope
from events import outbox
from imports import liveness, loader
from imports.archive import ArchiveRejected, Reason, iter_members
from imports.models import ImportFile, ImportMember, ImportRun
from imports.progress import progress_key
from sources import registry
from sources.detect import HEAD_BYTES
from sources.records import Checkpoint, Rejection
from sources.sanitize import BROKEN_DOCUMENT, TEXT_TOO_LONG, sample_of
from vault.keys import KeyMissing
from vault.rawstore import open_raw
from vectors import jobs as vector_jobs

log = logging.getLogger(__name__)

MAX_SAMPLES = 5
MAX_PROBLEMS = 5
# Below this many new rows the planner's statistics are still good enough.
ANALYZE_AFTER_ROWS = 100_000
PROGRESS_EVERY_S = 1.0
SKIP_CHUNK = 1 << 20
# A member started this often without settling took its worker down each time
# (a crash in a C extension, the OOM killer): the next attempt gives it up
# rather than die again.  Two, so that one ordinary kill or restart mid-member
# (a deploy, SAFETY.md's SIGKILL fault) still resumes it.
MAX_MEMBER_STARTS = 2

# Why a member holds no data, shown beside it in the report.
SKIP_REASONS = registry.skip_reasons() | {
    "info.encrypted_backups": "Takeout's note that encrypted Timeline backups exist on Google's servers; the "
                              "backups themselves are not part of Takeout.",
    "info.archive_browser": "Takeout's table of contents (an index page), not data.",
}
# What to do about it, when such a member is all the upload held (the backups note also when
# the rest held no timeline: Settings.json and position-less Timeline Edits are what most new
# Takeouts carry beside it).
NOTICES = {
    "info.encrypted_backups": (
        "This export holds no location history; its “Encrypted Backups.txt” says why: Google now keeps "
        "Timeline on your phone, and Takeout merely notes that encrypted backups exist. To import your "
        "timeline, export it on the phone (Android: Settings › Location › Location services › Timeline › "
        "Export Timeline data; iPhone: Google Maps › Your Timeline › … › Export) and upload that Timeline.json here."
    ),
    "info.archive_browser": (
        "“archive_browser.html” is Takeout's table of contents, not data. Upload the whole export (all its "
        "parts) rather than this page alone."
    ),
}
# A member no source claims (and no notice explains).
UNRECOGNIZED = "Not recognized as a Takeout product the lake imports; nothing was imported from it."
NO_DATA = "Nothing in these files was recognized as Takeout data the lake imports."



class _TextCheck:
    """Refuses records whose text is longer than its column, remembering the values that fit.

    Records.json repeats a handful of source/platform/activity combinations,
    so most points cost one set lookup.  The remembered set is bounded: place
    ids are unique per visit.
    """

    REMEMBER = 4096

    def __init__(self, limits: dict[str, int]):
        self.limits = tuple(limits.items())
        names = [name for name, _ in self.limits]
        if not names:
            self.values = lambda item: ()
        else:
            getter = attrgetter(*names)
            self.values = getter if len(names) > 1 else (lambda item: (getter(item),))
        self.fit: set[tuple] = set()

    def problem(self, values: tuple) -> str | None:
        """A sentence for the first value too long for its column, or None (and remember they fit)."""
        for (name, limit), value in zip(self.limits, values, strict=True):
            if value is not None and len(value) > limit:
                return f"{name} is {len(value):,} characters long; the lake keeps at most {limit}."
        if len(self.fit) < self.REMEMBER:
            self.fit.add(values)
        return None


def _text_sample(item) -> str:
    values = {name: getattr(item, name) for name in item.__slots__}
    return sample_of({name: v.isoformat() if isinstance(v, dt.datetime) else v for name, v in values.items()})


class MemberBroken(Exception):
    """The member's document (JSON, HTML, CSV) broke off part-way: nothing of it is kept (rolled back)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_owner(run_id: int) -> int | None:
    """The user of an open run, for the scope; None when the run is not queued or running."""
    for row in liveness.open_runs():
        if row["id"] == run_id:
            return row["user_id"]
    return None


def process_run(run_id: int, *, batch_rows: int = loader.BATCH_ROWS) -> ImportRun | None:
    """Claim and process a queued run. Returns the finished run, or None if it was not ours to take."""
    user_id = run_owner(run_id)
    if user_id is None or not liveness.try_lock(run_id):
        return None
    try:
        now = timezone.now()
        with user_scope(user_id):
            claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
                status=ImportRun.Status.RUNNING, stage=ImportRun.Stage.SCANNING, claimed_by=worker_name(),
                heartbeat_at=now, started_at=now,
            )
        if not claimed:
            return None
        return Pipeline(run_id, user_id, batch_rows=batch_rows).run()
    finally:
        # The lock outlives transactions; a crash releases it with the session.
        try:
            liveness.unlock(run_id)
        except DatabaseError:
            log.warning("could not release the lock of import run %s (its session is gone with it)", run_id)


class _Counting(io.RawIOBase):
    """A member stream that replays the head detect() read and counts bytes for the progress line."""

    def __init__(self, head: bytes, stream, on_progress, name: str = "", size: int | None = None):
        self._head, self._stream, self._on_progress = head, stream, on_progress
        # The member's path: where a file's name is its only record of something (a saved-places
        # list is named by its file), the parser may read it; detection never does.
        self.name = name
        # Its size as the archive declares it (None if unknown): a parser that keeps nothing of
        # the bytes (a photo's) may stop reading once it has what it needs.
        self.size = size
        self.count, self._next_report = 0, time.monotonic() + PROGRESS_EVERY_S

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._stream.read(), b""
            else:
                data, self._head = self._head[:size], self._head[size:]
        else:
            data = self._stream.read(size)
        self.count += len(data)
        if time.monotonic() >= self._next_report:
            self._next_report = time.monotonic() + PROGRESS_EVERY_S
            self._on_progress(self.count)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def skip(self, offset: int) -> int:
        """Read past the member's first `offset` bytes (committed by an earlier attempt); how many were.

        Read, not seeked: a compressed member has no other way to its middle,
        and reading on keeps the archive's size and CRC checks of the whole
        member. At disk speed that is a small part of parsing the same bytes.
        """
        while self.count < offset:
            if not self.read(min(SKIP_CHUNK, offset - self.count)):
                break
        return self.count


class Pipeline:
    def __init__(self, run_id: int, user_id: int, *, batch_rows: int = loader.BATCH_ROWS):
        self.run_id, self.user_id, self.batch_rows = run_id, user_id, batch_rows
        self.loaded_targets: set = set()
        self._batches: tuple = ()
        self.new_rows = 0
        # What earlier attempts committed of the member in flight (its row, when it has a checkpoint).
        self._prior: ImportMember | None = None

    def _run(self) -> ImportRun:
        with user_scope(self.user_id):
            return ImportRun.objects.get(pk=self.run_id)

    def _set(self, **fields) -> None:
        with user_scope(self.user_id):
            ImportRun.objects.filter(pk=self.run_id).update(**fields)

    def run(self) -> ImportRun:
        try:
            with user_scope(self.user_id):
                files = list(ImportFile.objects.filter(run_id=self.run_id).order_by("part"))
            self.scan(files)
            self._set(stage=ImportRun.Stage.LOADING, heartbeat_at=timezone.now())
            for file in files:
                self.load_file(file)
            self._set(stage=ImportRun.Stage.ANALYZING, heartbeat_at=timezone.now())
            if self.new_rows >= ANALYZE_AFTER_ROWS:
                loader.analyze(sorted(self.loaded_targets, key=lambda t: t.table.label))
        except Exception as error:
            if type(error).__name__ == "JobTimeoutException" or lost_database(error):
                # Leave it running: the member in flight rolled back (a lost
                # session takes its transaction and the run's lock with it), and
                # the reconciler gives the run another attempt.
                log.warning("import run %s interrupted (%s); left for the reconciler", self.run_id,
                            type(error).__name__)
                raise
            log.exception("import run %s failed", self.run_id)
            with user_scope(self.user_id):
                self._set(status=ImportRun.Status.FAILED, stage=ImportRun.Stage.FINISHED, finished_at=timezone.now(),
                          error=f"The import stopped on an unexpected error ({type(error).__name__}: {error}).")
                record_finished(self._run())
            raise
        run = self.finish()
        try:
            cache.delete(progress_key(self.run_id))
        except Exception:
            log.warning("could not clear the progress of import run %s", self.run_id, exc_info=True)
        return run

    # --- scanning ------------------------------------------------------------

    def scan(self, files: list[ImportFile]) -> None:
        """Pending rows for zip members (cheap: the central directory), and the byte total."""
        for file in files:
            try:
                handle = open_raw(file.path)
            except (OSError, KeyMissing) as error:
                self._file_error(file, f"The file {file.original_name} cannot be read from the raw store ({error}).")
                continue
            with handle:
                if handle.read(4)[:2] != b"PK":
                    continue
                handle.seek(0)
                try:
                    members = list(iter_members(handle, name_hint=file.original_name))
                except ArchiveRejected as error:
                    self._file_error(file, error.message)
                    continue
            with user_scope(self.user_id):
                ImportMember.objects.bulk_create(
                    [ImportMember(user_id=self.user_id, run_id=self.run_id, file=file, name=m.name, size=m.size)
                     for m in members],
                    ignore_conflicts=True,
                )
                self._recount()

    def _recount(self) -> None:
        counts = ImportMember.objects.filter(run_id=self.run_id).aggregate(
            total=Count("id"), done=Count("id", filter=~Q(status=ImportMember.Status.PENDING)),
            size=Coalesce(Sum("size"), 0))
        ImportRun.objects.filter(pk=self.run_id).update(members_total=counts["total"], members_done=counts["done"],
                                                        bytes_total=counts["size"])

    def _file_error(self, file: ImportFile, message: str) -> None:
        file.error = message
        with user_scope(self.user_id):
            file.save(update_fields=["error"])

    # --- loading ---------------------------------------------------------------

    def load_file(self, file: ImportFile) -> None:
        if file.error:
            return
        with user_scope(self.user_id):
            settled = set(
                ImportMember.objects.filter(run_id=self.run_id, file=file)
                .exclude(status=ImportMember.Status.PENDING)
                .values_list("name", flat=True)
            )
        last_member = None
        try:
            with open_raw(file.path) as handle:
                for member in iter_members(handle, name_hint=file.original_name):
                    if member.name in settled:
                        continue  # committed by an earlier attempt
                    self.load_member(file, member)
                    last_member = member.name
        except (OSError, KeyMissing) as error:
            self._file_error(file, f"The file {file.original_name} cannot be read from the raw store ({error}).")
        except ArchiveRejected as error:
            message = error.message
            if error.reason == Reason.TRUNCATED:
                after = f" after “{last_member}”" if last_member else ""
                message = (f"{file.original_name} ends early{after}: the members before that point are imported, "
                           f"the rest of this part is missing. Upload the complete part to import the rest. "
                           f"({error.message})")
            self._file_error(file, message)

    def load_member(self, file: ImportFile, member) -> None:
        started = time.monotonic()
        self._prior = None
        if member.nested_archive:
            self._settle(file, member, ImportMember.Status.SKIPPED,
                         error="An archive inside the archive: it is not opened. Upload it as a file of its own.")
            return
        starts = self._start(file, member)
        if starts > MAX_MEMBER_STARTS:
            self._settle(file, member, ImportMember.Status.FAILED,
                         error=f"Reading this file stopped the import worker {starts - 1} times (it crashed or was "
                               f"killed), so it was not tried again; nothing from it was imported.")
            return
        try:
            stream = member.open()
            head = stream.read(HEAD_BYTES)
        except ArchiveRejected as error:
            self._settle(file, member, ImportMember.Status.FAILED,
                         error=f"{error.message} Nothing from it was imported.")
            if file_is_tar(file):
                raise
            return
        product = registry.detect(member.name, head)
        source = registry.source_for(product)
        if source is None:
            why = SKIP_REASONS.get(product) or UNRECOGNIZED
            self._settle(file, member, ImportMember.Status.SKIPPED, product=product, error=why)
            stream.close()
            return

        since = time.time()

        def report(count: int) -> None:
            rows = sum(b.result.staged + len(b.rows) for b in self._batches)
            try:
                cache.set(progress_key(self.run_id), {"member": member.name, "bytes": count, "size": member.size,
                                                      "rows": rows, "since": since, "at": time.time()}, timeout=300)
                vector_jobs.note_importing()  # embedding jobs take a smaller share meanwhile
            except Exception:
                # The live progress line is a nicety; Redis being away must not fail the member.
                log.warning("could not publish the progress of import run %s", self.run_id, exc_info=True)

        counting = _Counting(head, stream, report, member.name, member.size)
        self._batches = ()
        try:
            resumed_from = counting.skip(self._prior.checkpoint_offset) if self._prior else 0
            report(counting.count)
            items = iter(source.formats[product](counting))
            while True:
                with user_scope(self.user_id):
                    stats = self._load_items(source, items, product, base=resumed_from, counting=counting)
                    finished = stats["checkpoint"] is None
                    if finished:
                        self._settle(file, member, ImportMember.Status.DONE, product=product, stats=stats,
                                     seconds=time.monotonic() - started, resumed_from=resumed_from)
                    else:
                        self._checkpoint(file, member, product, stats, seconds=time.monotonic() - started)
                    # In this step's transaction: the events commit with its rows, or neither does.
                    for dataset, added in stats["datasets"].items():
                        outbox.record(self.user_id, outbox.ROWS_ADDED, {
                            "import_run_id": self.run_id, "family": source.name, "dataset": dataset,
                            "product": product, **added}, import_run_id=self.run_id)
                    if stats["accepted"]:
                        # On the low-priority queue once this step's rows commit.
                        vector_jobs.enqueue_run(self.user_id, self.run_id)
                if finished:
                    break
                started = time.monotonic()
        except MemberBroken as broken:
            self._settle(file, member, ImportMember.Status.FAILED, product=product, error=str(broken))
        except ArchiveRejected as error:
            # The member's bytes could not be trusted (CRC, lying size, bomb): its rows rolled back.
            self._settle(file, member, ImportMember.Status.FAILED, product=product,
                         error=f"{error.message} {self._kept_before()}")
            if file_is_tar(file):
                raise  # a tar cannot go on past a broken member
        finally:
            stream.close()

    def _kept_before(self) -> str:
        """What of a failed member stays: nothing, or what its committed checkpoints hold."""
        if self._prior is None or not self._prior.checkpoint_offset:
            return "Nothing from it was imported."
        return (f"Its first {self._prior.checkpoint_offset:,} bytes ({self._prior.accepted:,} records) were "
                f"imported; nothing after them was.")

    def _checkpoint(self, file, member, product: str, stats: dict, *, seconds: float) -> None:
        """Commit a step of a long member: its rows so far (the caller's transaction), counts and offset.

        The member stays pending. Its row holds what is committed of it (counts,
        the byte reached); the run gets this step's share at once, so the run's
        counts stay exact whichever attempt settles the member. `starts` goes
        back to 1: an attempt that gets past a checkpoint is making progress,
        whatever killed the ones before it.
        """
        with user_scope(self.user_id):
            row = ImportMember.objects.select_for_update().get(run_id=self.run_id, file=file, name=member.name)
            self._add_stats(row, stats)
            row.product, row.checkpoint_offset, row.starts = product, stats["checkpoint"], 1
            row.seconds += seconds
            row.save(update_fields=["product", "accepted", "rejected", "duplicates", "first_at", "last_at",
                                    "rejections", "checkpoint_offset", "starts", "seconds"])
            run = ImportRun.objects.select_for_update().get(pk=self.run_id)
            self._add_to_run(run, member, product, stats, seconds)
            run.save(update_fields=["accepted", "rejected", "duplicates", "load_seconds", "heartbeat_at", "products",
                                    "rejections"])
        self._prior = row

    @staticmethod
    def _add_stats(row: ImportMember, stats: dict) -> None:
        row.accepted += stats["accepted"]
        row.rejected += stats["rejected"]
        row.duplicates += stats["duplicates"]
        if stats["first"] is not None:
            row.first_at = min(row.first_at, stats["first"]) if row.first_at else stats["first"]
        if stats["last"] is not None:
            row.last_at = max(row.last_at, stats["last"]) if row.last_at else stats["last"]
        for reason, entry in stats["rejections"].items():
            row.rejections[reason] = row.rejections.get(reason, 0) + entry["count"]

    def _add_to_run(self, run: ImportRun, member, product, stats: dict, seconds: float) -> None:
        run.accepted += stats["accepted"]
        run.rejected += stats["rejected"]
        run.duplicates += stats["duplicates"]
        run.load_seconds += seconds
        run.heartbeat_at = timezone.now()
        if product:
            merge_product(run.products, product, stats)
        for reason, entry in stats["rejections"].items():
            merged = run.rejections.setdefault(reason, {"count": 0, "samples": []})
            merged["count"] += entry["count"]
            room = MAX_SAMPLES - len(merged["samples"])
            merged["samples"] += [{**s, "member": member.name} for s in entry["samples"][:max(room, 0)]]

    def _start(self, file, member) -> int:
        """Count one more attempt at the member, committed before it is read; return the count."""
        with user_scope(self.user_id):
            row, created = ImportMember.objects.get_or_create(
                run_id=self.run_id, file=file, name=member.name,
                defaults={"user_id": self.user_id, "size": member.size})
            ImportMember.objects.filter(pk=row.pk).update(starts=F("starts") + 1)
            if created:  # a tgz member, met for the first time: it joins the totals now
                ImportRun.objects.filter(pk=self.run_id).update(
                    members_total=F("members_total") + 1, bytes_total=F("bytes_total") + (member.size or 0))
        self._prior = row if row.checkpoint_offset else None
        return row.starts + 1

    def _load_items(self, source, items, product: str, *, base: int = 0, counting=None) -> dict:
        writer = loader.Writer()
        try:
            return self._load_with(writer, source, items, product, base=base, counting=counting)
        finally:
            writer.close()

    def _load_with(self, writer, source, items, product: str, *, base: int = 0, counting=None) -> dict:
        """Route each record to its table's batch (the source says which), count the rejections.

        Stops at the first Checkpoint met once IMPORT_CHECKPOINT_BYTES were read
        since this call began (`items` goes on from there in the next call);
        "checkpoint" in the result is then its offset in the member (the parser's
        offset plus `base`, where its stream began), else None: the member ended.
        """
        step_from = counting.count if counting is not None else 0
        step_bytes = settings.IMPORT_CHECKPOINT_BYTES
        checkpoint = None
        common = {"user_id": self.user_id, "run_id": self.run_id, "product": product,
                  "batch_rows": self.batch_rows, "writer": writer}
        batches: dict = {}
        routes = {}
        for kind, (target, row) in source.routes.items():
            if target not in batches:
                batches[target] = loader.BatchLoader(target, **common)
            # One over-long value would fail the whole COPY batch: that record is refused instead.
            routes[kind] = (batches[target].add, row, _TextCheck(target.text_limits))
        self._batches = tuple(batches.values())
        collected = {kind: {} for kind in source.collected}
        collected_checks = {kind: _TextCheck(spec.text_limits) for kind, spec in source.collected.items()}
        rejections: dict[str, dict] = {}
        rejected = 0

        def reject(reason: str, detail: str, sample: str) -> None:
            nonlocal rejected
            rejected += 1
            entry = rejections.setdefault(reason, {"count": 0, "samples": []})
            entry["count"] += 1
            if len(entry["samples"]) < MAX_SAMPLES:
                entry["samples"].append({"detail": detail, "sample": sample})

        for item in items:
            kind = item.__class__
            route = routes.get(kind)  # one dict look-up per record: this loop is the import's hot path
            if route is not None:
                add, row, check = route
                texts = check.values(item)
                if texts not in check.fit and (why := check.problem(texts)):
                    reject(TEXT_TOO_LONG, why, _text_sample(item))
                    continue
                add(row(item))
            elif kind is Checkpoint:
                if counting is not None and counting.count - step_from >= step_bytes:
                    checkpoint = base + item.offset
                    break
            elif kind is Rejection:
                if item.reason in BROKEN_DOCUMENT:
                    raise MemberBroken(f"The file stops being {BROKEN_DOCUMENT[item.reason]} part-way ({item.detail}); "
                                       f"nothing from it was imported, so that no half of it is. {item.sample}".strip())
                reject(item.reason, item.detail, item.sample)
            elif kind in collected:
                check = collected_checks[kind]
                if why := check.problem(check.values(item)):
                    reject(TEXT_TOO_LONG, why, _text_sample(item))
                else:
                    collected[kind][source.collected[kind].key(item)] = item
        results = []
        datasets = {}
        for batch in self._batches:
            result = batch.finish()
            if result.staged:
                results.append(result)
                self.loaded_targets.add(batch.target)
            if result.inserted:
                # first/last span the rows read (new and already there): the range the member covered.
                datasets[batch.target.table.name] = {
                    "rows_added": result.inserted, "duplicates": result.duplicates,
                    "first": iso_utc(result.first) if result.first else None,
                    "last": iso_utc(result.last) if result.last else None}
        accepted = sum(r.inserted for r in results) + sum(
            source.collected[kind].store(list(found.values()), user_id=self.user_id)
            for kind, found in collected.items() if found)
        duplicates = sum(r.duplicates for r in results)
        firsts = [r.first for r in results if r.first]
        lasts = [r.last for r in results if r.last]
        self.new_rows += accepted
        return {"accepted": accepted, "duplicates": duplicates, "rejected": rejected, "rejections": rejections,
                "first": min(firsts) if firsts else None, "last": max(lasts) if lasts else None,
                "datasets": datasets, "checkpoint": checkpoint}

    def _settle(self, file, member, status, *, product=None, error="", stats=None, seconds=0.0,
                resumed_from=None) -> None:
        """Write the member's final row and its share of the run, in the caller's transaction if any.

        `stats` are this attempt's since its last checkpoint; what checkpoints
        committed (`self._prior`) is already in the run and joins the member's row.
        """
        stats = stats or {"accepted": 0, "duplicates": 0, "rejected": 0, "rejections": {}, "first": None,
                          "last": None}
        now = timezone.now()
        total = ImportMember(accepted=0, rejected=0, duplicates=0, rejections={}, seconds=0.0)
        if self._prior is not None:
            total = self._prior
        self._add_stats(total, stats)
        with user_scope(self.user_id):
            _, created = ImportMember.objects.update_or_create(
                run_id=self.run_id, file=file, name=member.name,
                defaults={"user_id": self.user_id, "size": member.size, "product": product or total.product,
                          "status": status, "accepted": total.accepted, "rejected": total.rejected,
                          "duplicates": total.duplicates, "first_at": total.first_at, "last_at": total.last_at,
                          "rejections": total.rejections, "error": error, "seconds": total.seconds + seconds,
                          "committed_at": now, "resumed_from": resumed_from},
            )
            run = ImportRun.objects.select_for_update().get(pk=self.run_id)
            if created:
                run.members_total += 1
                run.bytes_total += member.size or 0
            run.members_done += 1
            run.bytes_done += member.size or 0
            self._add_to_run(run, member, product if status == ImportMember.Status.DONE else None, stats, seconds)
            run.save(update_fields=["members_total", "members_done", "bytes_total", "bytes_done", "accepted",
                                    "rejected", "duplicates", "load_seconds", "heartbeat_at", "products",
                                    "rejections"])

    # --- finishing ---------------------------------------------------------------

    def finish(self) -> ImportRun:
        with user_scope(self.user_id):
            run = ImportRun.objects.select_for_update().get(pk=self.run_id)
            for source in registry.SOURCES:
                if source.on_run_finished is not None:
                    source.on_run_finished(run_id=self.run_id, user_id=self.user_id)
            files = list(ImportFile.objects.filter(run_id=self.run_id))
            members = list(ImportMember.objects.filter(run_id=self.run_id))
            loaded = [m for m in members if m.status == ImportMember.Status.DONE]
            failed = [m for m in members if m.status == ImportMember.Status.FAILED]
            broken_files = [f for f in files if f.error]
            held = {m.product for m in members}
            # A member's first_at is set only when it read timed rows (new or already there).
            timeline = any(m.first_at for m in loaded if (m.product or "").startswith("location."))
            notices = []
            if not loaded:
                notices += [text for product, text in NOTICES.items() if product in held]
            elif not timeline and "info.encrypted_backups" in held:
                notices.append(NOTICES["info.encrypted_backups"])
            problems = [f"{f.original_name}: {f.error}" for f in broken_files] + [
                f"{m.name}: {m.error}" for m in failed]
            if len(problems) > MAX_PROBLEMS:
                # The report lists every failed member; the headline stays readable.
                problems = [*problems[:MAX_PROBLEMS], f"and {len(problems) - MAX_PROBLEMS} more (see below)"]
            if not loaded:
                run.status = ImportRun.Status.FAILED
                run.error = " ".join(problems) or (notices[0] if notices else NO_DATA)
            elif problems:
                run.status = ImportRun.Status.PARTIAL
                run.error = "Not everything could be imported — " + " ".join(problems) + \
                    " Everything else was imported."
            else:
                run.status = ImportRun.Status.SUCCEEDED
            run.notices = notices
            run.stage = ImportRun.Stage.FINISHED
            run.finished_at = timezone.now()
            run.members_total = len(members)
            run.members_done = len(members) - sum(m.status == ImportMember.Status.PENDING for m in members)
            run.save(update_fields=["status", "error", "notices", "stage", "finished_at", "members_total",
                                    "members_done"])
            record_finished(run)
        if run.accepted:
            notify_changed(self.user_id)
        return run


def record_finished(run: ImportRun) -> None:
    """The run's `import.finished` event, in the caller's transaction (the one that gives it its status)."""
    outbox.record(run.user_id, outbox.IMPORT_FINISHED, {
        "import_run_id": run.pk, "status": run.status, "accepted": run.accepted, "rejected": run.rejected,
        "duplicates": run.duplicates, "members": run.members_total,
        "products": {product: stats["accepted"] for product, stats in sorted(run.products.items())},
        "started_at": iso_utc(run.started_at) if run.started_at else None,
        "finished_at": iso_utc(run.finished_at) if run.finished_at else None,
    }, import_run_id=run.pk)


def lost_database(error: BaseException) -> bool:
    """Whether `error` means the worker's database session is gone, rather than a bug or bad data.

    A terminated backend (57P01), a server shutting down or restarting (57P),
    a broken connection (08, or no SQLSTATE at all: the socket closed): the
    transaction rolled back with the session, so retrying the run is safe.
    """
    import psycopg

    cause = error if isinstance(error, psycopg.Error) else error.__cause__
    if isinstance(cause, psycopg.InterfaceError):
        return True
    if not isinstance(cause, psycopg.OperationalError):
        return False
    return cause.sqlstate is None or cause.sqlstate.startswith(("08", "57P"))


def merge_product(products: dict, product: str, stats: dict) -> None:
    entry = products.setdefault(product, {"accepted": 0, "rejected": 0, "duplicates": 0, "first": None,
                                          "last": None})
    for key in ("accepted", "rejected", "duplicates"):
        entry[key] += stats[key]
    if stats["first"] is not None:
        first = iso_utc(stats["first"])
        entry["first"] = min(entry["first"], first) if entry["first"] else first
    if stats["last"] is not None:
        last = iso_utc(stats["last"])
        entry["last"] = max(entry["last"], last) if entry["last"] else last


def iso_utc(value) -> str:
    # Fixed width, so that comparing the strings compares the instants.
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def file_is_tar(file: ImportFile) -> bool:
    with open_raw(file.path) as handle:
        return handle.read(2) != b"PK"


def notify_changed(user_id: int) -> None:
    """The run added rows: every source refreshes what it derives from them (guarded).

    The cached pages go at once; the materialized views are refreshed on the
    maintenance queue, because a full REFRESH is not the import's time to spend.
    """
    try:
        registry.data_changed(user_id)
    except Exception:
        # Derived data: a failure there must not fail an import that committed.
        log.exception("updating derived data after an import failed")
