"""Time estimates from measurements: the training pace (stored per recipe shape, live from the run's own steps)
and the chat reply speed (tokens/s of the loaded model), with fake clocks and recorded timings."""

from __future__ import annotations

import pytest

from studio.chat import speed as chat_speed
from studio.train import speed as train_speed
from studio.train.config import TrainConfig
from studio.train.hardware import CPU
from studio.train.plan import make_plan


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_step_pace_drops_the_warm_up_and_gives_the_eta():
    clock = FakeClock()
    pace = train_speed.StepPace(clock)
    assert pace.eta(0, 100) is None and pace.eta(0, 100, planned_s_per_step=2.0) == 200.0
    pace.begin(0)
    clock.now = 30.0  # first step: warm-up (model on device, first graph)
    pace.step(1)
    assert pace.seconds_per_step() == 30.0  # one step: all we know
    for step in range(2, 11):  # then 5 s a step
        clock.now += 5.0
        pace.step(step)
    assert pace.seconds_per_step() == pytest.approx(5.0)
    assert pace.eta(10, 40, planned_s_per_step=1.0) == pytest.approx(150.0)  # measured beats planned
    for step in range(11, 200):  # the pace changes (another job started): the window follows it
        clock.now += 9.0
        pace.step(step)
    assert pace.seconds_per_step() == pytest.approx(9.0) and pace.steps == 199


def test_stored_pace_makes_the_plan_measured(own_cache):
    cfg = TrainConfig(base_model="bundled:smollm2-135m-instruct")
    groups = {f"f{i}": 3 for i in range(12)}
    guess = make_plan(cfg, CPU, groups, 12, {"max_length": 64}, 45, n_test=12)
    assert guess.time_source == "guess" and "rough guess" in " ".join(guess.summary_lines())
    # a recorded run: 40 steps took 12m 23s (18.6 s a step) on this machine
    train_speed.record(guess.speed_key, 743 / 40, 40)
    plan = make_plan(cfg, CPU, groups, 12, {"max_length": 64}, 45, n_test=12)
    # the steps, the worker's start (a stated default until a worker measured it) and the val passes: one before
    # the first step and one every eval_steps, each ceil(12 val / batch) batches at about a third of a step
    val = (1 + plan.max_steps // plan.eval_steps) * -(-12 // plan.batch_size) * 743 / 40 * train_speed.EVAL_STEP_SHARE
    assert plan.eval_s == pytest.approx(val, abs=0.1) and plan.eval_s > 0
    start = train_speed.DEFAULT_WORKER_START_S
    assert plan.time_source == "measured"
    assert plan.time_s == pytest.approx(743 / 40 * plan.max_steps + start + plan.eval_s, rel=1e-3)
    train_speed.record_setup(guess.speed_key, 30.0)  # the model load, measured once: added to the time
    train_speed.record_worker_start(8.0)  # a worker's own start, measured: replaces the default
    loaded = make_plan(cfg, CPU, groups, 12, {"max_length": 64}, 45, n_test=12)
    assert loaded.time_s == pytest.approx(743 / 40 * plan.max_steps + 30.0 + 8.0 + plan.eval_s, rel=1e-3)
    assert "38s to start and load the model" in loaded.time_text() and "of val loss" in loaded.time_text()
    no_val = make_plan(cfg, CPU, groups, 0, {"max_length": 64}, 45, n_test=12)
    assert no_val.eval_s == 0 and "val loss" not in no_val.time_text()
    # the set-up depends on model, method and device only: another batch size shares it
    assert train_speed.lookup_setup(guess.speed_key.replace("|b", "|b9", 1)) == 30.0
    assert "measured on this machine" in plan.time_text()
    other = make_plan(cfg.replace(batch_size=4), CPU, groups, 12, {"max_length": 64}, 45, n_test=12)
    assert other.time_source == "guess"  # another recipe shape is not measured by this run
    train_speed.record(guess.speed_key, 10.0, 40)  # runs are averaged
    assert train_speed.lookup(guess.speed_key) == pytest.approx((743 / 40 * 40 + 10.0 * 40) / 80, rel=1e-3)


def test_cpu_guess_is_not_ten_times_too_fast():
    # benchmarks/results/train.json: SmolLM2-135M on 2 cores, batch 8, max length 64 took about 23 s a step
    cfg = TrainConfig(base_model="bundled:smollm2-135m-instruct", max_steps=2)
    plan = make_plan(cfg, CPU, {f"f{i}": 3 for i in range(12)}, 12, {"max_length": 64}, 45)
    assert 23 / 2 <= plan.time_s / 2 <= 23 * 2


def test_callback_reports_the_runs_own_pace_and_records_it(own_cache):
    from types import SimpleNamespace

    from studio.train.callbacks import make_events_callback

    class Ctx:
        def __init__(self):
            self.progress_calls = []

        def stop_requested(self):
            return False

        def emit(self, *a, **k):
            pass

        def progress(self, done, total, message="", **extra):
            self.progress_calls.append(extra)
            return {"eta_s": extra.get("eta_s")}

    ctx = Ctx()
    cb = make_events_callback(ctx, speed_key="k", planned_s_per_step=3.0)
    clock = FakeClock()
    cb.pace = train_speed.StepPace(clock)
    state = SimpleNamespace(global_step=0, max_steps=10, is_world_process_zero=True)
    control = SimpleNamespace(should_training_stop=False, should_save=False)
    cb.on_train_begin(None, state, control)
    clock.now = 20.0
    state.global_step = 1
    cb.on_step_end(None, state, control)
    for step in range(2, 6):
        clock.now += 4.0
        state.global_step = step
        cb.on_step_end(None, state, control)
    assert ctx.progress_calls[-1]["eta_s"] == pytest.approx(20.0)  # 5 steps left at 4 s
    cb.on_train_end(None, state, control)
    assert train_speed.lookup("k") == pytest.approx(4.0)
    assert train_speed.lookup_worker_start() is None  # not a job's own worker process: its age says nothing


def test_a_worker_process_records_its_own_start(own_cache, monkeypatch):
    """In a job's worker process, the seconds from the process start to the model load are stored per machine."""
    from types import SimpleNamespace

    from studio.train.callbacks import make_events_callback

    monkeypatch.setenv("STUDIO_JOB_WORKER", "1")
    ctx = SimpleNamespace(stop_requested=lambda: False, emit=lambda *a, **k: None,
                          progress=lambda *a, **k: {})
    cb = make_events_callback(ctx, speed_key="k", planned_s_per_step=None)
    state = SimpleNamespace(global_step=0, max_steps=4, is_world_process_zero=True)
    cb.on_train_begin(None, state, SimpleNamespace(should_training_stop=False, should_save=False))
    import psutil

    age = __import__("time").time() - psutil.Process().create_time()
    assert 0 < train_speed.lookup_worker_start() <= age + 1


def test_chat_speed_meter_store_and_wait():
    clock = FakeClock()
    meter = chat_speed.ReplyMeter(clock)
    assert meter.rate(10) is None  # no time passed
    clock.now = 156.0  # a recorded CPU reply: 128 tokens in 156 s
    rate = meter.rate(128)
    assert rate == pytest.approx(128 / 156)
    assert chat_speed.reply_seconds(rate, 128) == pytest.approx(156.0)
    assert chat_speed.reply_seconds(None, 128) is None


def test_chat_speed_store_and_status_text(own_cache):
    from studio.ui.chat import speed_text

    key = chat_speed.speed_key("bundled:smollm2-135m-instruct", "cpu", pair=True)
    assert chat_speed.lookup(key) is None
    assert "first reply" in speed_text("chat.eta", None, 128, "en")
    chat_speed.record(key, 0.8, 128)
    assert chat_speed.lookup(key) == pytest.approx(0.8)
    text = speed_text("chat.eta", chat_speed.lookup(key), 128, "en")
    assert "0.8 tokens/s" in text and "2m 40s" in text and "seconds" not in text


def test_engine_measures_tokens_per_second(tiny_llama, own_cache):
    from studio.chat.engine import ChatSettings, ModelCache, build_messages, expected_speed, stream_reply

    loaded = ModelCache(1).get(str(tiny_llama))
    assert loaded.tokens_per_s is None and expected_speed(str(tiny_llama), pair=False) is None
    list(stream_reply(loaded, build_messages([], "hello"), ChatSettings(max_new_tokens=8)))
    assert loaded.tokens_per_s and loaded.tokens_per_s > 0
    assert expected_speed(str(tiny_llama), pair=False) == pytest.approx(loaded.tokens_per_s, rel=1e-2)


def test_calibration_times_real_steps_and_the_plan_says_measured(tmp_path, tiny_llama, own_cache, capsys):
    import json

    from studio.cli import main
    from tests.fixtures.train_data import make_facts_workspace

    ws = make_facts_workspace(tmp_path / "home" / "workspaces" / "facts", n_facts=4)
    args = ["train", "--workspace", str(ws.path), "--base-model", str(tiny_llama), "--output", str(tmp_path / "x"),
            "--plan", "--json"]
    assert main(args) == 0
    before = json.loads(capsys.readouterr().out)["plan"]
    assert before["time_source"] == "guess"
    assert main(args + ["--calibrate"]) == 0
    after = json.loads(capsys.readouterr().out)["plan"]
    assert after["time_source"] == "measured" and after["s_per_step"] > 0
    from studio.train import speed as train_speed_mod

    train_speed_mod.record(after["speed_key"], 500.0, 50)  # a run under a heavy load, stored before
    assert main(args + ["--calibrate"]) == 0
    again = json.loads(capsys.readouterr().out)["plan"]
    assert again["s_per_step"] < 100  # the calibration the user asked for replaces it, not 3 steps against 50
    # the steps plus the measured set-up (model load, data) the calibration timed before its first step
    assert after["setup_s"] is not None and after["setup_s"] > 0
    assert after["start_s"] == train_speed_mod.DEFAULT_WORKER_START_S  # in-process: no worker start measured
    assert after["time_s"] == pytest.approx(after["s_per_step"] * after["max_steps"] + after["setup_s"]
                                            + after["start_s"] + after["eval_s"], rel=0.01, abs=0.1)
    assert not (tmp_path / "x").exists()  # the calibration leaves no run behind


def test_generation_eta_waits_for_a_chunk_of_work_and_ignores_the_model_load(monkeypatch):
    """The walk on the Socket HOWTO showed "about 17m left" for a run that ended 2 minutes later: a rate taken from
    the first few requests (and the model load) swings tenfold. The ETA is the pace earlier runs measured here
    until this run has done a chunk's worth of work, then this run's own pace from its first request."""
    import studio.generate.pipeline as pl

    now = [1000.0]
    monkeypatch.setattr(pl.time, "time", lambda: now[0])
    state = pl.RunState(total=4)
    assert state.eta_s() is None  # nothing measured yet: say nothing rather than a wild number
    state.measured_s_per_chunk = 30.0
    assert state.eta_s() == 120.0
    now[0] += 60  # the model loads: not part of any pace
    state.work_started = now[0]
    now[0] += 5
    state.partial = 0.05  # a few requests back: still the measured pace
    assert state.eta_s() == pytest.approx(3.95 * 30.0)
    now[0] += 35
    state.done, state.partial = 1, 0.0  # one chunk in 40 s of work: 3 chunks left at that pace
    assert state.eta_s() == pytest.approx(120.0)

