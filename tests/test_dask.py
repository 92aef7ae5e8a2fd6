"""The extract stage on a real Dask LocalCluster (worker processes): the same
bytes as a local run, a worker killed mid-run, an unreachable scheduler."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from distributed import Client, LocalCluster

from .conftest import ROOT

OUTPUTS = ("machine_claims.jsonl", "claims.jsonl", "claims.csv", "report.html")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster:
        yield cluster


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def test_a_local_cluster_writes_the_same_bytes_as_local_processes(run_dir, tmp_path):
    """ingest, nlp on `--scheduler local --jobs 2`, review, link, export: every output and annotation as a local run."""
    out, ann = tmp_path / "out", tmp_path / "annotations"
    shutil.copytree(ROOT / "annotations", ann)
    for args in (["ingest"], ["nlp", "--scheduler", "local", "--jobs", "2"],
                 ["review", "--annotations", str(ann)], ["link", "--annotations", str(ann)],
                 ["export", "--annotations", str(ann)]):
        result = cli(*args, "--out", str(out))
        assert result.returncode == 0, result.stderr
        if args[0] == "nlp":
            assert "Dask cluster tcp://127.0.0.1:" in result.stdout and "2 worker threads" in result.stdout
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (run_dir / "out" / name).read_bytes(), name
    for local in (run_dir / "annotations").glob("*.yaml"):
        assert (ann / local.name).read_bytes() == local.read_bytes(), local.name


def _chunk_tasks(dask_scheduler):
    """Runs on the scheduler: {key: (state, worker address or None)} of the extract chunks it knows."""
    return {key: (ts.state, ts.processing_on.address if ts.processing_on else None)
            for key, ts in dask_scheduler.tasks.items() if str(key).startswith("_extract_chunk")}


def kill_a_busy_worker_after_the_first_chunk(client, chunks, timeout=240):
    """SIGKILL the process of a worker that is running a chunk, once another chunk is done; its pid, or None."""
    deadline, seen = time.monotonic() + timeout, set()
    while time.monotonic() < deadline:
        tasks = client.run_on_scheduler(_chunk_tasks)
        seen |= set(tasks)
        done = len(seen - set(tasks)) + sum(state == "memory" for state, _ in tasks.values())
        busy = [worker for state, worker in tasks.values() if state == "processing"]
        if done >= 1 and busy and len(seen) == chunks:
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            return pid
        time.sleep(0.05)
    return None


def test_a_worker_killed_mid_run_is_replaced_and_the_output_is_the_same(cluster, run_dir, tmp_path, monkeypatch):
    from pipeline.nlp import stage

    monkeypatch.chdir(ROOT)                               # documents.jsonl names the corpus files from here
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(run_dir / "out" / "documents.jsonl", out)
    documents = stage.read_jsonl(out / "documents.jsonl")
    failures = []

    def run():
        try:
            stage.run("corpus", out, scheduler=cluster.scheduler_address)
        except BaseException as err:                      # reported by the assertion below
            failures.append(err)

    with Client(cluster) as client:
        pids_before = set(client.run(os.getpid).values())
        worker = threading.Thread(target=run)
        worker.start()
        killed = kill_a_busy_worker_after_the_first_chunk(client, len(stage.chunked(documents, 2)))
        worker.join(timeout=300)
        pids_after = set(client.run(os.getpid).values())
    assert killed in pids_before and killed not in pids_after, "no worker was killed while running a chunk"
    assert not failures, failures
    assert (out / "machine_claims.jsonl").read_bytes() == (run_dir / "out" / "machine_claims.jsonl").read_bytes()
    assert sorted(p.name for p in (out / "cache").iterdir()) == sorted(f"{d['doc_id']}.json" for d in documents)


def test_an_unreachable_scheduler_is_exit_2_within_the_timeout_and_writes_nothing(run_dir, tmp_path):
    with socket.socket() as sock:                         # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(run_dir / "out" / "documents.jsonl", out)
    start = time.monotonic()
    result = cli("nlp", "--out", str(out), "--scheduler", f"tcp://127.0.0.1:{port}",
                 env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"})
    assert result.returncode == 2, result.stderr
    assert f"error: tcp://127.0.0.1:{port}: cannot reach the Dask scheduler within 3 s" in result.stderr
    assert time.monotonic() - start < 60
    assert sorted(p.name for p in out.iterdir()) == ["documents.jsonl"]


def test_a_scheduler_without_workers_is_an_input_error_after_the_timeout(run_dir):
    import dask

    from pipeline.errors import InputError
    from pipeline.nlp.stage import extract_documents, read_jsonl

    documents = read_jsonl(run_dir / "out" / "documents.jsonl")[:1]
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0", silence_logs=logging.ERROR) as empty, \
            dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(InputError, match="the Dask scheduler has no workers after 2 s; start some with `dask worker"):
            extract_documents(documents, scheduler=empty.scheduler_address, progress=False)


@pytest.mark.parametrize("value", ["cluster", "127.0.0.1"])
def test_a_scheduler_that_is_no_address_is_refused(value):
    result = cli("nlp", "--scheduler", value)
    assert result.returncode == 2 and "neither 'local' nor a Dask scheduler address" in result.stderr


def test_make_passes_scheduler_and_format_to_the_nlp_stage(tmp_path):
    result = subprocess.run(["make", "-n", "-B", "nlp", "SCHEDULER=tcp://10.0.0.5:8786", "FORMAT=parquet",
                             f"OUT={tmp_path}"], capture_output=True, text=True, cwd=ROOT)
    nlp = [line for line in result.stdout.splitlines() if " nlp " in line]
    assert nlp and "--scheduler tcp://10.0.0.5:8786" in nlp[0] and "--format parquet" in nlp[0]


def test_local_workers_start_without_dasks_malloc_trim_threshold(cluster):
    """Dask's nannies set MALLOC_TRIM_THRESHOLD_ for workers, which costs spaCy ~15% CPU: our LocalCluster unsets it,
    also after another LocalCluster in this process (the module's `cluster`) left Dask's value in os.environ."""
    from pipeline.nlp.dask import cluster_client

    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") == "65536"      # what the earlier nannies left behind
    with cluster_client("local", 1) as client:
        assert list(client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values()) == [None]
    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") == "65536"      # and put back as it was


def test_a_malloc_trim_threshold_the_user_set_reaches_the_workers(monkeypatch):
    from pipeline.nlp.dask import cluster_client

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    with cluster_client("local", 1) as client:
        assert list(client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values()) == ["131072"]


def test_local_workers_run_without_dasks_profiler():
    """The statistical profiler costs spaCy ~15%: our LocalCluster's workers start without it."""
    from pipeline.nlp.dask import _profiling, cluster_client

    with cluster_client("local", 1) as client:
        assert list(client.run(_profiling).values()) == [False]


def test_a_cluster_whose_workers_profile_is_told_how_to_stop_it(capsys):
    """A cluster someone started keeps Dask's default, the profiler on: the run says what it costs and what to set.
    (Its own cluster: the module's may have restarted a worker while our client's settings were in force.)"""
    from pipeline.nlp.dask import cluster_client

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as theirs, cluster_client(theirs.scheduler_address):
        pass
    err = capsys.readouterr().err
    assert "1 Dask worker(s) run the statistical profiler" in err
    assert "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False" in err


def test_a_worker_running_other_rules_is_refused_before_any_work(tmp_path):
    """A worker started from a copy of the project whose rule file differs by one comment line: exit-2 error naming it."""
    from pipeline.errors import InputError
    from pipeline.nlp.dask import cluster_client

    copy = tmp_path / "other"
    shutil.copytree(ROOT / "pipeline", copy / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "pipeline" / "nlp" / "patterns" / "lexicon.yml").open("a", encoding="utf-8") as fh:
        fh.write("\n# an edit on one worker only\n")
    with LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=":0",
                      silence_logs=logging.ERROR) as empty:
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", empty.scheduler_address,
                                   "--nthreads", "1", "--no-dashboard"], cwd=copy,
                                  env={**os.environ, "PYTHONPATH": str(copy)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with pytest.raises(InputError, match=r"worker tcp://\S+ runs extractor \S+, this client \S+: install "
                                                 r"the same version of the project and model on every worker"):
                with cluster_client(empty.scheduler_address):
                    pass
        finally:
            worker.terminate()
            worker.wait(timeout=30)
