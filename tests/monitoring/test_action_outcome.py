"""After a confirmed maintenance action, the page it lands on follows the job and shows how it ended."""

import re

from tests.monitoring.conftest import SCRATCH


def confirm(client, name, **data):
    response = client.post(f"/ops/actions/{name}/", {"confirm": "yes", **data})
    assert response.status_code == 302
    assert re.fullmatch(r"/ops/actions/jobs/ops-[0-9a-f]{32}/(\?next=.*)?", response["Location"])
    return response["Location"]


def test_the_outcome_page_says_queued_then_what_the_action_did(client, committed, make_user, run_worker):
    client.force_login(make_user("otto", "ops"))
    outcome = confirm(client, "analyze-parents", next="/ops/partitions/")

    waiting = client.get(outcome).content.decode()
    assert "Waiting for a worker" in waiting and "hx-trigger" in waiting
    assert run_worker("maintenance").returncode == 0
    done = client.get(outcome).content.decode()
    assert "Finished" in done and "hx-trigger" not in done
    assert re.search(r"Analyzed \d+ partitioned table\(s\): .*timeseries\.location_point", done)
    assert 'href="/ops/partitions/"' in done


def test_a_failed_action_shows_its_error(client, committed, make_user, run_worker, scratch):
    scratch.execute(f"CREATE TABLE {SCRATCH}.brief (id int)")
    client.force_login(make_user("otto", "ops"))
    outcome = confirm(client, "vacuum", target=f"{SCRATCH}.brief")
    scratch.execute(f"DROP TABLE {SCRATCH}.brief")  # gone before a worker gets to it

    run_worker("maintenance")

    page = client.get(outcome).content.decode()
    assert "Failed" in page and "brief" in page


def test_an_unknown_job_is_a_404_and_only_ops_see_outcomes(client, committed, make_user):
    client.force_login(make_user("otto", "ops"))
    assert client.get("/ops/actions/jobs/ops-" + "0" * 32 + "/").status_code == 404
    assert client.get("/ops/actions/jobs/import-run-1-0/").status_code == 404  # not an ops action's job
    client.force_login(make_user("alice", "user"))
    assert client.get("/ops/actions/jobs/ops-" + "0" * 32 + "/").status_code == 403
