"""The same bytes uploaded again: after their run was deleted they import anew;
otherwise the page says when they were imported, links there and offers to import again."""

import io

from django.test import Client
from django.urls import reverse

from audit.models import Event
from core.rls import user_scope
from imports.models import ImportRun
from imports.pipeline import process_run
from tests.imports.conftest import LH, count_rows, make_zip, minute_points, records_json
from uploads import actions
from uploads.models import UploadBatch


def upload_bytes(user, data: bytes, name="takeout-001.zip") -> UploadBatch:
    """Send `data` through the real upload actions (create, one PATCH), as the tus views do."""
    upload = actions.create_upload(user, size=len(data), metadata={"filename": name})
    actions.receive(user, upload.pk, offset=0, stream=io.BytesIO(data), length=len(data))
    with user_scope(user.pk):
        return UploadBatch.objects.get(pk=upload.batch_id)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def takeout(tmp_path) -> bytes:
    return make_zip(tmp_path / "takeout-001.zip", {f"{LH}/Records.json": records_json(minute_points(40))}).read_bytes()


def test_after_deleting_a_run_its_page_says_so_and_the_same_bytes_import_again(committed, make_user, tmp_path):
    alice = make_user("alice", "user")
    data = takeout(tmp_path)
    first = upload_bytes(alice, data)
    process_run(first.import_run_id)
    assert count_rows(alice, "timeseries.location_point") == 40
    client = signed_in(alice)

    deleted = client.post(reverse("lake:delete"), {"scope": "import_run", "import_run": first.import_run_id,
                                                   "confirm": "alice"})
    assert deleted.status_code == 200 and "Verified" in deleted.content.decode()
    assert count_rows(alice, "timeseries.location_point") == 0
    page = client.get(reverse("imports:run", args=[first.import_run_id])).content.decode()
    assert "Deleted" in page and "The rows this import added were deleted on" in page
    assert "Succeeded" not in page
    listing = client.get(reverse("imports:list")).content.decode()
    assert "Deleted" in listing

    again = upload_bytes(alice, data, name="takeout-001 (1).zip")
    assert again.import_run_id != first.import_run_id and not again.reused_run
    process_run(again.import_run_id)
    assert count_rows(alice, "timeseries.location_point") == 40
    with user_scope(alice.pk):
        assert ImportRun.objects.get(pk=again.import_run_id).accepted == 40


def test_after_deleting_everything_no_run_is_left_and_the_same_bytes_import_again(committed, make_user, tmp_path):
    alice = make_user("alice", "user")
    batch = upload_bytes(alice, takeout(tmp_path))
    process_run(batch.import_run_id)
    signed_in(alice).post(reverse("lake:delete"), {"scope": "everything", "confirm": "alice"})
    with user_scope(alice.pk):  # everything means the runs too: their names and samples were hers
        assert not ImportRun.objects.filter(pk=batch.import_run_id).exists()
    again = upload_bytes(alice, takeout(tmp_path))
    assert again.import_run_id != batch.import_run_id
    process_run(again.import_run_id)
    assert count_rows(alice, "timeseries.location_point") == 40


def test_the_same_bytes_again_say_when_they_were_imported_and_can_be_imported_again(committed, make_user,
                                                                                      tmp_path):
    alice = make_user("alice", "user")
    data = takeout(tmp_path)
    first = upload_bytes(alice, data)
    process_run(first.import_run_id)
    client = signed_in(alice)

    repeat = upload_bytes(alice, data)
    assert repeat.import_run_id == first.import_run_id and repeat.reused_run
    status = client.get(reverse("uploads:batch", args=[repeat.pk])).json()
    earlier = status["already_imported"]
    assert earlier["run_url"] == reverse("imports:run", args=[first.import_run_id])
    assert earlier["sentence"].startswith("These files were already imported on ")
    assert earlier["import_again_url"] == reverse("uploads:batch-import-again", args=[repeat.pk])
    page = client.get(reverse("uploads:new")).content.decode()
    assert "Already imported" in page and "Import again" in page

    response = client.post(earlier["import_again_url"])
    with user_scope(alice.pk):
        repeat.refresh_from_db()
    assert repeat.import_run_id != first.import_run_id and not repeat.reused_run
    assert response.status_code == 302 and response.url == reverse("imports:run", args=[repeat.import_run_id])
    process_run(repeat.import_run_id)
    with user_scope(alice.pk):
        run = ImportRun.objects.get(pk=repeat.import_run_id)
    assert (run.accepted, run.duplicates) == (0, 40)
    assert count_rows(alice, "timeseries.location_point") == 40
    assert Event.objects.using("owner").filter(action="upload.imported_again", actor_id=alice.pk).count() == 1
    # A second click (a double submit) does not make a third run.
    client.post(earlier["import_again_url"])
    with user_scope(alice.pk):
        assert ImportRun.objects.count() == 2


def test_bob_cannot_import_alices_batch_again(committed, make_user, tmp_path):
    alice, bob = make_user("alice", "user"), make_user("bob", "user")
    data = takeout(tmp_path)
    process_run(upload_bytes(alice, data).import_run_id)
    repeat = upload_bytes(alice, data)
    response = signed_in(bob).post(reverse("uploads:batch-import-again", args=[repeat.pk]))
    assert response.status_code == 404
    with user_scope(alice.pk):
        assert ImportRun.objects.count() == 1
