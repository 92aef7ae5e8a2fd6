"""The nlp stage on a Dask cluster: `--scheduler local` (a LocalCluster on
this machine) or `--scheduler tcp://host:8786` (a cluster someone started).

The work is what the local fork pool does: the same chunks of whole documents
(`stage.chunked`), the same function on each chunk (`stage._extract`), only
plain claim records coming back. So the records, and every file the client
writes from them in document order, are the same as a local run.

- The client reads each chunk's texts and ships them with it: workers need the
  installed project and model, not a shared folder.
- Each worker process loads the pipelines once (`full_pipeline()` is cached per
  process) and keeps them for every chunk it takes.
- A worker that dies mid-chunk: the scheduler gives the chunk to another worker
  (up to ALLOWED_FAILURES deaths). The client takes each chunk's result once, and
  only the client writes outputs and the cache, so nothing is written twice.
- At most IN_FLIGHT chunks a worker are queued, so the client holds a bounded
  number of texts whatever the corpus size.
"""

import contextlib
import functools
import gc
import importlib.util
import logging
import os
import sys
from itertools import islice

import dask
from tqdm import tqdm

from ..errors import InputError
from ..ingest.reader import document_texts
from . import full_pipeline, rules_pipeline, stage

IN_FLIGHT = 4            # chunks queued per worker thread: it never waits for work, the client never holds the corpus
ALLOWED_FAILURES = 3     # worker deaths a chunk survives before the run fails (Dask's allowed-failures)
# Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536 (to hand memory back sooner). Setting it
# also turns off glibc's adaptive mmap threshold, and spaCy's many mid-sized arrays then cost about 15%
# more CPU (measured: the same chunks, 22 s vs 25.5 s). None unsets it for the workers this client spawns;
# README "Beyond one machine" says how to do the same for `dask worker`.
MALLOC_TRIM = "MALLOC_TRIM_THRESHOLD_"
# Each worker's statistical profiler (for the dashboard) samples the task thread's stack every 10 ms on the
# event loop; over spaCy's deep call stacks that cost about 15% (the same 6 chunks on one warm worker:
# 19.6/21.3 s with it, 17.0/18.4 s without, 17.8/18.3 s in-process). Our LocalCluster's workers run without it.
PROFILER = "distributed.worker.profile.enabled"
LOCAL_WORKER_CONFIG = {f"distributed.nanny.pre-spawn-environ.{MALLOC_TRIM}": None, PROFILER: False}


def _extract_chunk(chunk, texts, every_paragraph):
    """Runs on a worker: claim records of a chunk of documents."""
    _pipelines_loaded()
    return stage._extract(chunk, progress=False, every_paragraph=every_paragraph, texts=texts)


@functools.lru_cache(maxsize=1)
def _pipelines_loaded():
    """Once per worker process: load both pipelines, then keep their objects out of the
    garbage collector's passes (as the fork pool does), which would otherwise walk the model each time."""
    full_pipeline(), rules_pipeline()
    gc.freeze()


def _connect_timeout():
    """Dask's own connect timeout (DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT), in seconds."""
    return dask.utils.parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="s")


@contextlib.contextmanager
def cluster_client(scheduler, jobs=1):
    """A distributed.Client: on a new LocalCluster of `jobs` worker processes, or connected to `scheduler`.

    An address that cannot be reached, or a cluster without workers, is an
    InputError (exit 2) within the connect timeout, before anything is written.
    """
    from distributed import Client, LocalCluster

    timeout = _connect_timeout()
    dask_default = dask.config.get(f"distributed.nanny.pre-spawn-environ.{MALLOC_TRIM}", default=None)
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES, **LOCAL_WORKER_CONFIG}), \
            contextlib.ExitStack() as stack:
        if scheduler == "local":
            stack.enter_context(_without_dasks_malloc_trim(dask_default))
            cluster = stack.enter_context(LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                       silence_logs=logging.ERROR, dashboard_address=":0"))   # a free port
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout=timeout))
            except (OSError, TimeoutError, ValueError) as err:
                raise InputError(scheduler, f"cannot reach the Dask scheduler within {timeout:g} s ({err}); "
                                 "start one with `dask scheduler`, or use --scheduler local") from None
            try:
                client.wait_for_workers(1, timeout=timeout)
            except TimeoutError:
                raise InputError(scheduler, f"the Dask scheduler has no workers after {timeout:g} s; "
                                 f"start some with `dask worker {scheduler} --nworkers 2`") from None
        _same_extractor_everywhere(client, scheduler)
        if scheduler != "local":
            _warn_of_profilers(client)
        yield client


@contextlib.contextmanager
def _without_dasks_malloc_trim(dask_default):
    """A nanny writes its pre-spawn variables into this process's os.environ (distributed's
    WorkerProcess.start), so after any earlier LocalCluster here, workers would inherit Dask's
    value from us. Dask's own value is held back while ours start; one the user set is kept."""
    leftover = os.environ.get(MALLOC_TRIM)
    if leftover is None or dask_default is None or leftover != str(dask_default):
        yield
        return
    del os.environ[MALLOC_TRIM]
    try:
        yield
    finally:
        os.environ.setdefault(MALLOC_TRIM, leftover)


def _serves_dashboard():
    """Runs on the scheduler: Dask serves its dashboard only where bokeh is installed."""
    return importlib.util.find_spec("bokeh") is not None


def _profiling(dask_worker):
    """Runs on a worker: whether its statistical profiler is on."""
    return "profile" in dask_worker.periodic_callbacks


def _warn_of_profilers(client):
    """A cluster someone else started keeps its settings; say what its profiler costs and how to stop it."""
    profiling = sum(client.run(_profiling).values())
    if profiling:
        print(f"nlp: {profiling} Dask worker(s) run the statistical profiler, which costs spaCy about 15% "
              "here: start them with DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False (README, Beyond one machine)",
              file=sys.stderr, flush=True)


def _same_extractor_everywhere(client, scheduler):
    """Outputs are identical to a local run only if every worker runs the same rules, code and model."""
    mine = stage.fingerprint()
    for worker, theirs in client.run(stage.fingerprint).items():
        if theirs != mine:
            raise InputError(scheduler, f"worker {worker} runs extractor {theirs}, this client {mine}: "
                             "install the same version of the project and model on every worker")


def extract_on_cluster(documents, scheduler, jobs=1, progress=True, every_paragraph=False):
    """{doc_id: [claim records]}, as stage.extract_documents, computed on a Dask cluster."""
    from distributed import as_completed

    if not documents:
        return {}
    with cluster_client(scheduler, jobs) as client:
        threads = max(1, sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()))
        link = client.dashboard_link if client.run_on_scheduler(_serves_dashboard) else None
        print(f"nlp: Dask cluster {client.scheduler.address}, {threads} worker threads"
              + (f", dashboard {link}" if link else ""), flush=True)
        chunks = iter(stage.chunked(documents, threads))

        def submit(chunk):
            return client.submit(_extract_chunk, chunk, document_texts(chunk), every_paragraph, pure=False)

        running = as_completed([submit(c) for c in islice(chunks, IN_FLIGHT * threads)])
        results = {}
        with tqdm(total=len(documents), unit="doc", desc="nlp", delay=2, disable=not progress) as bar:
            for future in running:
                part = future.result()
                future.release()
                results.update(part)
                bar.update(len(part))
                chunk = next(chunks, None)
                if chunk is not None:
                    running.add(submit(chunk))
    return {r["doc_id"]: results[r["doc_id"]] for r in documents}
