"""The explorer's worker processes: each request's work runs where it can be stopped.

A Python thread cannot be stopped from outside: a request given up at its deadline would keep
its thread computing, its CPU and its place, for as long as the work lasts (minutes, for a
large request), and every request after it would find the explorer busy. So the work runs in a
few worker processes. A job (a module-level function and its arguments, pickled) goes down a
pipe to an idle worker; when no answer has come by the deadline, the worker is killed, which
frees its CPU and memory at once, and a new one takes its place.

Workers are started with ``forkserver`` where the platform has it: the fork server imports
SymPy, NetworkX and the records once (:data:`PRELOAD`), and each worker is a fork of it, ready
in milliseconds, so replacing a killed one costs little. Elsewhere they are spawned.

Examples
--------
>>> import operator
>>> workers = Workers(size=1, timeout=30)
>>> workers.call(divmod, 7, 2)  # a job returns (status, document); divmod only a pair
(3, 1)
>>> workers.call(operator.truediv, 1, 0)[1]["error"].split(";")[0]
'internal error (ZeroDivisionError: division by zero)'
>>> workers.close()
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from chainrule import budget

#: What the work imports, loaded once in the fork server so that every worker starts warm.
PRELOAD = (
    "numpy",
    "sympy",
    "networkx",
    "chainrule.explore.work",
    "chainrule.explore.math",
    "chainrule.explore.layout",
    "chainrule.calculus.delta",
    "chainrule.graph.graphfile",
    "chainrule.verification.verify",
    "chainrule.numeric.train",
)
BUSY = "the explorer is busy; try again in a moment"
READY = "ready"


def guarded(function: Callable[..., tuple[int, Any]], *args: Any) -> tuple[int, Any]:
    """``function(*args)``, an (HTTP status, document) pair; an exception it raises is a bug,
    answered 500 with one line (its traceback on stderr with ``CHAINRULE_DEBUG=1``)."""
    try:
        return function(*args)
    except Exception as error:
        return _bug(error)


def _bug(error: Exception) -> tuple[int, Any]:
    """The answer to an exception a job let out: 500 and one line."""
    if os.environ.get("CHAINRULE_DEBUG") == "1":
        traceback.print_exception(error)
    return 500, {
        "error": f"internal error ({type(error).__name__}: {error}); this is a bug in "
        "chainrule, please report it"
    }


def _serve(connection: Connection) -> None:
    """A worker: say it is ready, then answer each job sent down `connection` until the
    server closes it."""
    # Ctrl-C in a terminal reaches every process of the group: the server stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        connection.send(READY)
    except (EOFError, OSError):
        return  # the server stopped while this worker was starting
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return  # the server has gone
        answer = guarded(function, *args)
        try:
            connection.send(answer)
        except (EOFError, OSError):
            return
        except Exception as error:  # an answer that cannot be pickled is a bug too
            connection.send(_bug(error))


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Global to this process's fork server, and read only when it starts.
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def _start_fork_server() -> None:
    """Start the fork server now, with Ctrl-C ignored.

    Ctrl-C in a terminal reaches every process of its group: the fork server would die of
    one that came while it imports SymPy, printing a traceback. A process started with SIGINT
    ignored keeps it ignored (Python installs no handler over an ignored SIGINT), and so do
    the workers it forks. Only the main thread may ignore a signal, and for no longer than
    starting a process takes; elsewhere the fork server starts with the first worker.
    """
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child,), name="chainrule explore worker", daemon=True
        )
        self.process.start()
        child.close()
        # A job's deadline is for its work, not for a worker still starting.
        if not self.connection.poll(budget.WORKER_START_SECONDS) or self.connection.recv() != READY:
            self.stop()
            raise RuntimeError(
                f"it was not ready within {budget.WORKER_START_SECONDS:g} s (a script that "
                "starts the explorer must keep its own code under if __name__ == '__main__':, "
                "since each worker imports it)"
            )

    def call(self, function: Callable, args: tuple, seconds: float) -> tuple[bool, Any]:
        """(True, the job's answer), or (False, None) when none came within `seconds`."""
        self.connection.send((function, args))
        if not self.connection.poll(seconds):
            return False, None
        return True, self.connection.recv()

    def stop(self) -> None:
        """Kill the process (SIGKILL: the work holds no resource but its memory and CPU)."""
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class Workers:
    """At most `size` jobs at a time, each in a worker process, each given `timeout` seconds to
    find a free worker and `timeout` seconds to finish.

    A job past its deadline is answered 503 and its worker killed and replaced, so that the
    work stops with the request. Workers start on the first job, or before with
    :meth:`start`; :meth:`close` stops them all.
    """

    def __init__(self, size: int = 2, timeout: float = 8.0) -> None:
        self.size, self.timeout = size, timeout
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.members: set[_Worker] = set()
        self.lock = threading.Lock()
        self.started = self.closed = False
        self.failure: str | None = None
        self._threads: Any = None  # the anyio limiter of waiting threads, made when first used

    def start(self) -> None:
        """Start the workers in the background (the first one may wait for the fork server to
        import its modules, about a second); at once if started already."""
        with self.lock:
            if self.started:
                return
            self.started = True
        if _context().get_start_method() == "forkserver":
            _start_fork_server()
        threading.Thread(target=self._fill, name="chainrule explore workers", daemon=True).start()

    def _fill(self) -> None:
        for _ in range(self.size):
            self._add()

    def _add(self) -> None:
        """Start a worker and make it available (in a thread of its own: it waits for the
        worker to be ready)."""
        try:
            worker = _Worker(_context())
        except (OSError, EOFError, RuntimeError, ValueError) as error:
            with self.lock:
                self.failure = f"could not start a worker process: {error}"
            return
        with self.lock:
            if self.closed:
                worker.stop()
                return
            self.members.add(worker)
        self.idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """Stop `worker` now, and start another in the background."""
        with self.lock:
            self.members.discard(worker)
        worker.stop()
        threading.Thread(target=self._add, daemon=True).start()

    def call(self, function: Callable[..., tuple[int, Any]], *args: Any) -> tuple[int, Any]:
        """(HTTP status, document) of ``function(*args)`` run in a worker, blocking: 503 when
        no worker is free within the timeout, or when the job does not finish within it (its
        worker killed). `function` is sent by reference: a module-level function."""
        self.start()
        try:
            worker = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            with self.lock:
                failure = self.failure if not self.members else None
            return (500, {"error": failure}) if failure else (503, {"error": BUSY})
        try:
            finished, answer = worker.call(function, args, self.timeout)
        except (EOFError, OSError):  # the process ended under the job: out of memory, killed
            self._replace(worker)
            return 503, {
                "error": "the work ended before it answered (its process stopped); try a "
                "smaller network or selection"
            }
        if not finished:
            self._replace(worker)
            return 503, {
                "error": f"the request took more than {self.timeout:g} s and was given up; "
                "try a smaller network or selection"
            }
        self.idle.put(worker)
        return answer

    async def run(self, function: Callable[..., tuple[int, Any]], *args: Any) -> tuple[int, Any]:
        """:meth:`call` from the server's event loop, in a thread of its own (it waits on a
        pipe, using no CPU); at most four such threads a worker wait, the others queue."""
        import anyio

        if self._threads is None:
            self._threads = anyio.CapacityLimiter(4 * self.size)
        try:
            # call() ends within two timeouts; this bounds the wait for a thread as well.
            with anyio.fail_after(2 * self.timeout + 2):
                return await anyio.to_thread.run_sync(
                    partial(self.call, function, *args),
                    limiter=self._threads,
                    abandon_on_cancel=True,
                )
        except TimeoutError:
            return 503, {"error": BUSY}

    def close(self) -> None:
        """Stop every worker (the server is stopping)."""
        with self.lock:
            self.closed = True
            members, self.members = list(self.members), set()
        for worker in members:
            worker.stop()

    def pids(self) -> list[int]:
        """The process ids of the workers alive (tests and benchmarks watch them)."""
        with self.lock:
            return [worker.process.pid for worker in self.members if worker.process.pid]
