"""Jobs that action modules enqueue by name (so that jobs import actions, never the reverse) exist."""

import pytest
from django.utils.module_loading import import_string

from events.outbox import DISPATCH_JOB
from imports.actions import PROCESS_RUN_JOB
from lifecycle.actions import RESTORE_JOB, RUN_JOB
from monitoring.actions import RUN_ACTION_JOB


@pytest.mark.parametrize("name", [PROCESS_RUN_JOB, RUN_JOB, RESTORE_JOB, RUN_ACTION_JOB, DISPATCH_JOB])
def test_each_job_named_by_an_action_module_is_a_function_of_a_jobs_module(name):
    job = import_string(name)
    assert callable(job) and job.__module__.endswith(".jobs") and f"{job.__module__}.{job.__name__}" == name
