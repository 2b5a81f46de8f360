"""Live co-editing under load: N simulated editors against two server processes on Redis and PostgreSQL.

Each editor is a pycrdt doc speaking the y-websocket protocol over a real websocket (aiohttp's client,
offering permessage-deflate as browsers do). Editors are split between two
uvicorn processes serving ``dbstudio.asgi:application`` with the Redis channel layer and a scratch
PostgreSQL database, so every edit crosses processes through Redis.

Every editor owns one table and appends one column to it per edit (``--rate`` edits per second); the
column's ``comment`` holds the send time. Every other editor records when the column appears in its
own doc: that is the propagation latency (edit sent → applied by another editor), measured on one
clock since all editors live in this process. At the end the program checks that every edit is in
every editor's doc, in the Yjs state stored in the database, and in the design document the server
saved as a revision after the pause in edits, and prints latency percentiles and the servers' CPU.

Usage:
    .venv/bin/python bench/collab_load.py                          # 20 editors x 10 edits/s x 60 s
    .venv/bin/python bench/collab_load.py --clients 6 --duration 10
    .venv/bin/python bench/collab_load.py --quick                  # smoke test: 4 editors, 3 s

Needs PostgreSQL (TEST_POSTGRES_URL) and Redis (TEST_REDIS_URL), as the tests do; the scratch
database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from tests.e2e.conftest import free_port, python  # noqa: E402
from tests.services import redis_url, scratch_postgres  # noqa: E402

SECRET_KEY = secrets.token_urlsafe(50)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def tail_bursts(deliveries: list[tuple[float, float]], began: float, gap: float = 0.1) -> str:
    """Whether the slowest 1 % of deliveries come in bursts (a stall somewhere) or spread out (waiting
    for a CPU): edits sent within ``gap`` seconds of each other count as one burst."""
    if not deliveries:
        return "tail: no deliveries"
    cut = percentile([latency for _, latency in deliveries], 99)
    slow = sorted(sent for sent, latency in deliveries if latency >= cut)
    bursts: list[list[float]] = [[slow[0]]]
    for sent in slow[1:]:
        if sent - bursts[-1][-1] <= gap:
            bursts[-1].append(sent)
        else:
            bursts.append([sent])
    big = max(bursts, key=len)
    return (f"tail (>= p99, {cut * 1000:.0f} ms): {len(slow)} deliveries of {len(bursts)} bursts of edits; the biggest "
            f"{len(big)} deliveries, edits sent over {(big[-1] - big[0]) * 1000:.0f} ms from +{big[0] - began:.1f} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat (0, 0 elsewhere)."""
    try:
        fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the servers ------------------------------------------------------------------------------------


def server_env(database_url: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url(),
            "DBSTUDIO_DATA_DIR": data_dir,
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@contextmanager
def servers(
    count: int, env: dict[str, str], data_dir: str, profile: Path | None = None
) -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    """``count`` uvicorn processes on free ports, stopped on exit (with ``profile``, under cProfile)."""
    started: list[tuple[int, subprocess.Popen[bytes]]] = []
    logs = []
    log_dir = Path(os.environ.get("BENCH_LOG_DIR") or data_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        for i in range(count):
            port = free_port()
            log = open(log_dir / f"server-{i}.log", "wb")  # noqa: SIM115 - closed below
            logs.append(log)
            command = [python(), "-m", "uvicorn", "dbstudio.asgi:application", "--host", "127.0.0.1"]
            if profile is not None:
                command[1:1] = ["-m", "cProfile", "-o", str(profile / f"server-{i}.prof")]
            process = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log)
            started.append((port, process))
        for port, process in started:
            wait_for_port(port, process)
        yield started
    finally:
        for _, process in started:
            # SIGINT lets cProfile write its file (uvicorn re-raises SIGTERM, which would kill it first).
            process.send_signal(signal.SIGINT if profile is not None else signal.SIGTERM)
        for _, process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
        for i in range(len(logs)):
            text = (log_dir / f"server-{i}.log").read_text(errors="replace").strip()
            if text:
                errors = [line for line in text.splitlines() if "Error" in line or "Traceback" in line]
            if errors:
                print(f"--- server {i} log: {len(errors)} error lines, first: {errors[0]}")


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer within {timeout}s")


# --- the editors ------------------------------------------------------------------------------------


# An edit's column comment: when it was sent (time.monotonic(), one clock on this machine) and its id.
STAMP = re.compile(rb"sent@(\d+\.\d+)#(c\d+_\d+)")


class Closed(Exception):
    """The socket closed (``code`` as the server sent it, None if it did not)."""

    def __init__(self, code: int | None):
        super().__init__(code)
        self.code = code


class Socket:
    """A client websocket on aiohttp, whose frame reader and masking are C: the editors' own CPU is load
    on the machine the servers are measured on, and with the pure-Python client they took more of it
    than both servers together. Offers permessage-deflate as browsers do."""

    def __init__(self) -> None:
        self.session: Any = None
        self.ws: Any = None

    async def open(self, url: str, cookie: str, origin: str, deflate: bool) -> None:
        import aiohttp

        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(
            url,
            headers={"Cookie": cookie, "Origin": origin},
            max_msg_size=64 * 1024 * 1024,
            compress=15 if deflate else 0,
            autoping=True,
            heartbeat=None,
            timeout=aiohttp.ClientWSTimeout(ws_close=10),
        )

    async def recv(self) -> str | bytes:
        import aiohttp

        message = await self.ws.receive()
        if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            return message.data
        raise Closed(self.ws.close_code)

    async def send(self, data: str | bytes) -> None:
        if self.ws.closed:
            raise Closed(self.ws.close_code)
        if isinstance(data, str):
            await self.ws.send_str(data)
        else:
            await self.ws.send_bytes(data)

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()


class Editor:
    """One simulated editor: a pycrdt doc synced over a real websocket."""

    def __init__(self, index: int, url: str, cookie: str, origin: str, clients: int, deflate: bool = True):
        from pycrdt import Doc

        self.index = index
        self.url = url
        self.cookie = cookie
        self.origin = origin
        self.doc: Doc = Doc()
        self.sent: list[str] = []
        self.seen: set[str] = set()
        self.latencies: list[tuple[float, float]] = []  # (send time, latency) of each delivery to this editor
        self.lag: list[float] = []  # how late each send was against its schedule (client-side overload)
        self.clients = clients
        self.ws = Socket()
        self.deflate = deflate
        self.outgoing: list[bytes] = []  # this editor's own transactions' updates, as they commit
        self.synced = asyncio.Event()
        self.errors: list[Any] = []

    async def connect(self) -> None:
        from pycrdt import YMessageType, YSyncMessageType, create_sync_message, read_message, write_message

        await self.ws.open(self.url, self.cookie, self.origin, self.deflate)
        hello = json.loads(await self.ws.recv())
        assert hello.get("type") == "hello" and not hello["read_only"], hello
        step1 = await self.ws.recv()
        assert isinstance(step1, bytes) and step1[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1])
        step2 = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2])
        await self.ws.send(step2 + write_message(self.doc.get_update(read_message(step1[2:]))))
        await self.ws.send(create_sync_message(self.doc))
        while True:
            message = await self.ws.recv()
            if isinstance(message, bytes) and message[:2] == step2:
                self.doc.apply_update(read_message(message[2:]))
                break
        # An edit's update as its transaction commits: O(change), where get_update(state) is O(doc).
        self.doc.observe(lambda event: self.outgoing.append(event.update))

    def doc_column_ids(self) -> set[str]:
        """Every column id in this editor's doc (the final check: what the doc holds, not what was seen)."""
        from pycrdt import Map

        tables = self.doc.get("document", type=Map)["tables"]
        return {str(column["id"]) for table in tables for column in table["columns"]}

    async def listen(self) -> None:
        from pycrdt import YMessageType, read_message

        try:
            while True:
                message = await self.ws.recv()
                if isinstance(message, str):
                    data = json.loads(message)
                    if data.get("type") in ("error", "read_only", "document.invalid"):
                        self.errors.append(data)
                    continue
                if message[:1] == bytes([YMessageType.SYNC]) and message[1] in (1, 2):
                    now = time.monotonic()
                    self.doc.apply_update(read_message(message[2:]))
                    self.outgoing.clear()  # the remote update just applied, not an edit of ours
                    # Which edits arrived, read from the update's bytes (an edit's comment is one
                    # contiguous UTF-8 string in it): observing the doc cost the editors more CPU than
                    # the servers spent. That the docs really hold every edit is checked at the end.
                    for sent, column_id in STAMP.findall(message):
                        name = column_id.decode()
                        if name not in self.seen:
                            self.seen.add(name)
                            if not name.startswith(f"c{self.index}_"):
                                self.latencies.append((float(sent), now - float(sent)))
        except Closed as exc:
            if exc.code not in (None, 1000):
                self.errors.append({"closed": exc.code})

    async def edit(self, n: int) -> None:
        from pycrdt import Map, create_update_message

        from designs import collab
        from designs.compiler.document import Column

        column_id = f"c{self.index}_{n}"
        column = Column.model_validate(
            {
                "id": column_id,
                "name": f"col_{n}",
                "type": {"name": "text"},
                "comment": f"sent@{time.monotonic()!r}#{column_id}",
            }
        ).model_dump(mode="json", by_alias=True)
        table = self.doc.get("document", type=Map)["tables"][self.index]
        self.outgoing.clear()
        with self.doc.transaction():
            table["columns"].append(collab.to_y(column))
        [update] = self.outgoing
        self.outgoing.clear()
        self.sent.append(column_id)
        await self.ws.send(create_update_message(update))

    async def run(self, start: float, rate: float, duration: float) -> None:
        interval = 1 / rate
        offset = interval * self.index / self.clients  # spread the editors' sends over the interval
        n = 0
        loop = asyncio.get_running_loop()
        while True:
            due = start + offset + n * interval
            if due - start >= duration:
                return
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                self.lag.append(-wait)
            try:
                await self.edit(n)
            except Closed as exc:  # reported, and this editor stops; the others go on
                self.errors.append({"closed": exc.code, "while": "sending"})
                return
            n += 1


def column_ids(document: dict[str, Any]) -> set[str]:
    return {c["id"] for t in document.get("tables", []) for c in t.get("columns", [])}


def scheduled(index: int, clients: int, rate: float, duration: float) -> list[str]:
    """The ids of the columns editor ``index`` adds (the same schedule as ``Editor.run``)."""
    interval, offset = 1 / rate, (1 / rate) * index / clients
    return [f"c{index}_{n}" for n in range(int(duration * rate) + 1) if offset + n * interval < duration]


async def drive(editors: list[Editor], args: Any, barrier: Any) -> dict[str, Any]:
    """Connect these editors, wait for every process's editors, edit, then wait until all edits arrived."""
    await asyncio.gather(*(e.connect() for e in editors))
    cpu_start = time.process_time()
    listeners = [asyncio.ensure_future(e.listen()) for e in editors]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, barrier.wait)
    start = loop.time() + 0.5
    began = time.monotonic() + 0.5
    await asyncio.gather(*(e.run(start, args.rate, args.duration) for e in editors))
    sent_at = time.monotonic()
    expected = {c for i in range(args.clients) for c in scheduled(i, args.clients, args.rate, args.duration)}
    deadline = loop.time() + args.settle
    while loop.time() < deadline and not all(expected <= e.seen | set(e.sent) for e in editors):
        await asyncio.sleep(0.1)
    converged = time.monotonic() - sent_at
    for e in editors:
        await e.ws.close()
    await asyncio.gather(*listeners, return_exceptions=True)
    return {
        "elapsed": sent_at - began,
        "began": began,
        "converged_after": converged,
        "sent": [c for e in editors for c in e.sent],
        "missing": sum(len(expected - e.doc_column_ids()) for e in editors),
        "latencies": [x for e in editors for x in e.latencies],
        "lag": [x for e in editors for x in e.lag],
        "errors": [err for e in editors for err in e.errors],
        "cpu": [time.process_time() - cpu_start],
    }


def client_process(editors: list[Editor], args: Any, barrier: Any, results: Any) -> None:
    """One process of editors (a single Python process cannot keep up with 20 editors' incoming edits)."""
    try:
        # uvloop (which uvicorn[standard] installs, and the servers use) when there is one: the editors'
        # own event-loop overhead is load on the machine the servers are measured on.
        try:
            import uvloop

            results.put(uvloop.run(drive(editors, args, barrier)))
        except ImportError:
            results.put(asyncio.run(drive(editors, args, barrier)))
    except Exception as exc:  # the parent still gets an answer, and reports the failure
        sent = [c for e in editors for c in e.sent]
        failed = {"elapsed": 0.0, "converged_after": float("nan"), "sent": sent, "missing": len(sent)}
        results.put({**failed, "latencies": [], "lag": [], "errors": [{"process failed": repr(exc)}]})


def run_editors(editors: list[Editor], args: Any) -> dict[str, Any]:
    """Run the editors in ``args.client_procs`` processes; their results, merged."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    groups = [editors[i :: args.client_procs] for i in range(args.client_procs)]
    groups = [g for g in groups if g]
    barrier, results = context.Barrier(len(groups)), context.Queue()
    workers = [context.Process(target=client_process, args=(g, args, barrier, results)) for g in groups]
    for worker in workers:
        worker.start()
    parts = [results.get(timeout=args.duration + args.settle + 120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return {
        "elapsed": max(p["elapsed"] for p in parts),
        "began": min(p.get("began", math.inf) for p in parts),
        "converged_after": max(p["converged_after"] for p in parts),
        "expected": {c for p in parts for c in p["sent"]},
        **{key: [x for p in parts for x in p.get(key, [])] for key in ("latencies", "lag", "errors", "cpu")},
        "missing": sum(p["missing"] for p in parts),
    }


# --- setup and checks (Django in this process, on the same database) ---------------------------------


def django_setup(env: dict[str, str]) -> None:
    for key in ("DATABASE_URL", "REDIS_URL", "DBSTUDIO_DATA_DIR", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"):
        os.environ[key] = env[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "dbstudio.settings"
    import django

    django.setup()


def make_design(clients: int) -> tuple[int, list[str]]:
    """A design with one table per editor and ``clients`` editor accounts; their session cookies."""
    from django.contrib.auth.models import User
    from django.test import Client

    from designs.models import Design, Membership, Role

    owner = User.objects.create_user("bench-owner", password=secrets.token_urlsafe(12))
    document = {"format": 1, "name": "Load", "tables": [{"id": f"t{i}", "name": f"editor_{i}"} for i in range(clients)]}
    design = Design.create(owner=owner, name="Load", document=document)
    cookies = []
    for i in range(clients):
        user = User.objects.create_user(f"editor{i}", password=secrets.token_urlsafe(12))
        Membership.objects.create(design=design, user=user, role=Role.EDITOR)
        browser = Client()
        browser.force_login(user)
        cookies.append(f"sessionid={browser.cookies['sessionid'].value}")
    return design.pk, cookies


def stored(design_id: int) -> tuple[set[str], set[str], int]:
    """Column ids in the stored Yjs state, in the saved design document, and the revision number."""
    from pycrdt import Doc

    from designs import collab
    from designs.models import Design

    state, _ = collab.load_state(design_id)
    ydoc: Doc = Doc()
    ydoc.apply_update(state)
    design = Design.objects.get(pk=design_id)
    return column_ids(collab.document_of(ydoc)), column_ids(design.document), design.revision_number


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10.0, help="edits per second per editor")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of editing")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait for convergence")
    parser.add_argument("--quick", action="store_true", help="smoke test: 4 editors, 3 s")
    parser.add_argument(
        "--no-deflate", action="store_true", help="do not offer permessage-deflate (browsers do; the default)"
    )
    parser.add_argument("--client-procs", type=int, default=4, help="processes the editors are spread over")
    parser.add_argument("--profile", type=Path, help="run the servers under cProfile, writing DIR/server-N.prof")
    parser.add_argument("--samples", type=Path, help="write each delivery: [seconds into the run, latency ms] (JSON)")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.duration = 4, 3.0
    if args.clients < 2:
        parser.error("--clients must be at least 2")

    with ExitStack() as stack:
        scratch = stack.enter_context(scratch_postgres("collab_bench"))
        database_url = make_url(scratch).set(drivername="postgresql").render_as_string(hide_password=False)
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="dbstudio-bench-"))
        env = server_env(database_url, data_dir)
        subprocess.run([python(), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        django_setup(env)
        from django.db import connections

        design_id, cookies = make_design(args.clients)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        procs = stack.enter_context(servers(args.servers, env, data_dir, args.profile))
        editors = []
        for i in range(args.clients):
            port = procs[i % len(procs)][0]
            url = f"ws://127.0.0.1:{port}/ws/designs/{design_id}/"
            editors.append(Editor(i, url, cookies[i], f"http://127.0.0.1:{port}", args.clients, not args.no_deflate))
        load_before = load_average()
        cpu_before = [cpu_seconds(p.pid) for _, p in procs]
        busy_before = machine_busy()
        connections.close_all()  # the editors' processes are forked from this one
        result = run_editors(editors, args)
        cpu_used = [cpu_seconds(p.pid) - b for (_, p), b in zip(procs, cpu_before, strict=True)]
        load_after = load_average()
        busy_after = machine_busy()

        expected: set[str] = result["expected"]
        # The revision is saved once edits pause (DBSTUDIO_COLLAB_SAVE_DELAY, 3 s) or an editor leaves.
        deadline = time.monotonic() + 30
        while True:
            in_state, in_document, revision = stored(design_id)
            if expected <= in_document or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        connections.close_all()

    latencies = [latency * 1000 for _, latency in result["latencies"]]
    deliveries = len(expected) * (args.clients - 1)
    missing_clients = result["missing"]
    lag = [x * 1000 for x in result["lag"]]
    errors = result["errors"]
    print(
        f"editors: {args.clients} in {min(args.client_procs, args.clients)} processes, on {args.servers} "
        f"server processes, {args.rate:g} edits/s each"
    )
    print(f"edits sent: {len(expected)} in {result['elapsed']:.1f} s ({len(expected) / result['elapsed']:.0f}/s)")
    print(f"deliveries: {len(latencies)} of {deliveries} expected; converged {result['converged_after']:.2f} s after")
    print(
        f"latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
        f"p99 {percentile(latencies, 99):.1f}  max {max(latencies, default=float('nan')):.1f}"
    )
    print(tail_bursts(result["latencies"], result["began"]))
    if args.samples:
        args.samples.write_text(json.dumps([[round(sent - result["began"], 4), round(latency * 1000, 2)]
                                            for sent, latency in sorted(result["latencies"])]))
    if lag:
        print(f"sender lag: {len(lag)} sends late, max {max(lag):.1f} ms (this process was busy)")
    print(f"server CPU s: {', '.join(f'{c:.1f}' for c in cpu_used)} over {result['elapsed']:.0f} s of editing")
    print(f"editor processes' CPU s: {', '.join(f'{c:.1f}' for c in result['cpu'])}")
    spent = busy_after[1] - busy_before[1]
    if spent > 0:
        share = (busy_after[0] - busy_before[0]) / spent
        print(f"machine busy: {share:.0%} of {os.cpu_count()} CPUs while the editors ran")
    print(f"load average: before {load_before}, after {load_after}")
    print(f"missing in editors' docs: {missing_clients}")
    print(f"missing in stored Yjs state: {len(expected - in_state)}")
    print(f"missing in saved document (revision {revision}): {len(expected - in_document)}")
    if errors:
        print(f"errors from the server: {len(errors)}, first: {errors[:3]}")
    ok = not missing_clients and expected <= in_state and expected <= in_document and not errors
    print("all edits everywhere" if ok else "FAILED: edits missing or errors")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
