"""A member's task dies mid-training: Spark retries it and the members come out identical.

Losing a whole standalone worker is tested in test_standalone_cluster.py, on its cluster.
"""

import pytest
from helpers.processes import SLOW_FIT, fit_in_a_child, kill_a_training_worker


@pytest.mark.slow
def test_a_killed_training_task_is_retried_and_the_members_are_identical(slow_fit_digests):
    # local[2,4]: two slots, and a failed task is retried up to 4 times, as on a cluster.
    members, killed, log = fit_in_a_child(
        {**SLOW_FIT, "MASTER": "local[2,4]"}, kill_a_training_worker
    )
    assert killed is not None
    assert "Lost task" in log or "Python worker exited unexpectedly" in log
    # The clean fit runs in this suite's session: members do not depend on the master.
    assert members == slow_fit_digests
