"""Job runner: run, poll, events, stop, kill -9, queue order on the GPU lease, reattach after a restart."""

import os
import signal
import time

import pytest

from studio.jobs import JobRunner, job_status, read_events
from studio.jobs.lease import Lease
from studio.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "home" / "workspaces" / "jobs")
    yield w
    w.close()


@pytest.fixture
def runner(ws, tmp_path):
    return JobRunner(ws, root=tmp_path / "home")


def wait_for(runner, run_id, states, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        st = runner.status(run_id)
        if st["state"] in states:
            return st
        time.sleep(0.1)
    raise AssertionError(f"{run_id} never reached {states}: {runner.status(run_id)}")


def test_run_to_completion_with_events_and_row(runner, ws):
    rid = runner.submit("demo", {"steps": 3, "delay": 0.05})
    st = wait_for(runner, rid, {"completed"})
    assert st["result"] == {"last_step": 3} and st["progress"]["done"] == 3 and st["error"] is None
    events, offset = runner.events(rid)
    assert [e["value"] for e in events if e["type"] == "metric"] == [1, 4, 9]
    assert events[-1] == {**events[-1], "type": "state", "state": "completed"}
    assert runner.events(rid, offset)[0] == []  # incremental reads
    assert ws.get_run(rid)["status"] == "completed"
    assert (runner.run_dir(rid) / "config.yaml").is_file()


def test_failure_is_readable(runner, ws):
    rid = runner.submit("demo", {"steps": 5, "delay": 0.01, "fail_at": 2})
    st = wait_for(runner, rid, {"failed"})
    assert st["error"] == "RuntimeError: demo failure at step 2"
    assert ws.get_run(rid)["error"] == st["error"]
    assert "Traceback" in (runner.run_dir(rid) / "worker.log").read_text()  # the traceback stays in the log


def test_stop_is_graceful(runner):
    rid = runner.submit("demo", {"steps": 500, "delay": 0.05})
    wait_for(runner, rid, {"running"})
    time.sleep(0.3)
    assert runner.stop(rid)["state"] in ("stopping", "stopped")
    st = wait_for(runner, rid, {"stopped"})
    assert 0 < st["result"]["last_step"] < 500


def test_sigterm_becomes_a_stop(runner):
    rid = runner.submit("demo", {"steps": 500, "delay": 0.05})
    st = wait_for(runner, rid, {"running"})
    os.kill(st["pid"], signal.SIGTERM)
    assert wait_for(runner, rid, {"stopped"})["state"] == "stopped"


def test_kill_9_is_reported_as_killed_never_running(runner, ws):
    rid = runner.submit("demo", {"steps": 500, "delay": 0.05})
    st = wait_for(runner, rid, {"running"})
    os.kill(st["pid"], signal.SIGKILL)  # as the OOM killer would
    st = wait_for(runner, rid, {"killed"}, timeout=20)
    assert "killed" in st["error"]
    assert ws.get_run(rid)["status"] == "killed"
    # a brand-new runner (the app restarted) sees the same truth
    assert JobRunner(ws, root=runner.root).status(rid)["state"] == "killed"


def test_a_stop_ended_by_force_is_still_the_users_stop(tmp_path):
    """A worker stuck past the grace period is ended by force after Stop: reported as the user's stop, not OOM."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "status.json").write_text('{"state": "running", "pid": 999999, "start_time": 1.0}')
    (run_dir / "exit.json").write_text('{"returncode": -9}')
    (run_dir / "STOP").write_text("1")
    st = job_status(run_dir)
    assert st["state"] == "stopped" and not st.get("error") and st["note"].startswith("stopped by you"), st
    assert job_status(run_dir)["state"] == "stopped"  # never flips back
    (run_dir / "STOP").unlink()
    (run_dir / "status.json").write_text('{"state": "running", "pid": 999999, "start_time": 1.0}')
    assert "SIGKILL" in job_status(run_dir)["error"]  # without a Stop it is a kill


def test_vanished_worker_without_parent(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "status.json").write_text('{"state": "running", "pid": 999999, "start_time": 1.0}')
    st = job_status(run_dir)
    assert st["state"] == "killed" and "without reporting" in st["error"]
    assert read_events(run_dir)[0][-1]["state"] == "killed"


def test_gpu_lease_queues_in_order(runner):
    first = runner.submit("demo", {"steps": 600, "delay": 0.1}, needs_gpu=True)
    wait_for(runner, first, {"running"})
    second = runner.submit("demo", {"steps": 1, "delay": 0.01}, needs_gpu=True)
    third = runner.submit("demo", {"steps": 1, "delay": 0.01}, needs_gpu=True)
    deadline = time.time() + 40
    while time.time() < deadline and runner.status(third).get("queue_position") != 2:
        time.sleep(0.1)
    assert runner.status(second)["state"] == "queued" and runner.status(second)["queue_position"] == 1
    assert runner.status(third)["queue_position"] == 2
    runner.stop(first)
    wait_for(runner, second, {"completed"})
    wait_for(runner, third, {"completed"})
    assert runner.status(second)["started_at"] <= runner.status(third)["started_at"]
    assert runner.status(first)["state"] == "stopped"


def test_dead_ticket_does_not_block(tmp_path):
    lease = Lease(tmp_path / "lease")
    (tmp_path / "lease" / "00000000000000000001-ghost.json").write_text('{"pid": 999999, "start_time": 1}')
    ticket = lease.take_ticket("me")
    assert lease.position(ticket) == 0
    assert lease.wait(ticket, poll_s=0.01)


def test_reattach_and_latest(runner, ws):
    rid = runner.submit("demo", {"steps": 3, "delay": 0.05})
    wait_for(runner, rid, {"completed"})
    again = JobRunner(Workspace.open(ws.path), root=runner.root)
    latest = again.latest("demo")
    assert latest["id"] == rid and latest["state"] == "completed"
    assert len(again.events(rid)[0]) >= 3


def test_foreground_same_code_and_resume(runner):
    seen = []
    st = runner.run_foreground("demo", {"steps": 2, "delay": 0.01}, on_event=seen.append)
    assert st["state"] == "completed" and any(e["type"] == "metric" for e in seen)
    run_dir = runner.run_dir(st["run_id"])
    st2 = runner.run_foreground("demo", {"steps": 4, "delay": 0.01, "resume": True}, run_dir=run_dir)
    assert st2["run_id"] == st["run_id"]  # same folder, same id
    metrics = [e["step"] for e in read_events(run_dir, types={"metric"})[0]]
    assert metrics == [1, 2, 3, 4]  # resumed after the last completed step


def test_unknown_kind(runner):
    with pytest.raises(ValueError, match="unknown job kind"):
        runner.submit("nope", {})


def test_extra_env_reaches_worker_only(runner, tmp_path):
    secret = "sk-test-secret-123"
    rid = runner.submit("demo", {"steps": 1, "delay": 0.01, "echo_env": "STUDIO_TEST_SECRET"},
                        extra_env={"STUDIO_TEST_SECRET": secret})
    st = wait_for(runner, rid, {"completed"})
    assert st["result"]["env_seen"] is True
    for path in runner.run_dir(rid).rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="ignore"), path
