"""Start and stop a private Virtuoso (Debian's virtuoso-opensource) for the
tests: on 127.0.0.1 and free ports, with its own virtuoso.ini and database in
a folder of its own, so it touches no system configuration.

    python tests/virtuoso_server.py start FOLDER  # prints MSSKG_TEST_VIRTUOSO=http://127.0.0.1:PORT
    python tests/virtuoso_server.py stop FOLDER

The tests (tests/conftest.py) use the server that $MSSKG_TEST_VIRTUOSO names,
or start one with start() when virtuoso-t is installed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BINARY = "virtuoso-t"
# Debian's defaults for the dba account (the database is new and private).
USER, PASSWORD = "dba", "dba"

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {db}
ThreadsPerQuery = 2
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 100000
; Its estimates for the saved queries run to days; they take milliseconds.
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def binary() -> str | None:
    return shutil.which(BINARY)


def ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start(folder: Path, *, wait: float = 120) -> tuple[str, int]:
    """Start a server with its database in ``folder``; its base URL and pid."""
    program = binary()
    if program is None:
        raise SystemExit(f"{BINARY} is not installed: apt-get install virtuoso-opensource")
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        http_port, sql_port = free_port(), free_port()
        if http_port == sql_port:
            continue
        (folder / "virtuoso.ini").write_text(
            INI.format(db=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8"
        )
        with (folder / "stdout.log").open("ab") as log:
            process = subprocess.Popen(
                [program, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (folder / "pid").write_text(str(process.pid))
        base = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and process.poll() is None:
            if ready(base):
                return base, process.pid
            time.sleep(0.5)
        if process.poll() is None:
            process.kill()
            process.wait()
    log_text = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
    raise SystemExit(f"virtuoso would not start:\n{log_text}")


def stop(folder: Path) -> None:
    pid_file = folder / "pid"
    if not pid_file.is_file():
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def main(argv: list[str]) -> None:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        raise SystemExit("usage: virtuoso_server.py start|stop FOLDER")
    folder = Path(argv[1]).resolve()
    if argv[0] == "start":
        base, _ = start(folder)
        print(f"MSSKG_TEST_VIRTUOSO={base}")
    else:
        stop(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
