"""Run moto's server (a local AWS emulator) as a subprocess on 127.0.0.1, for demos and tests.

```python
with MotoServer() as moto:
    client = CognitoIdentityProviderClient("us-east-1", endpoint_url=moto.url)
    ...
    moto.reset()  # forget every user pool, user, ... created so far
```

The server runs in its own process on a free port of 127.0.0.1; it is stopped by its process id
(terminate, then kill when it does not exit in time) when the ``with`` block ends, and exits by
itself should this process die without stopping it (it watches its stdin pipe). Its output
goes to a temporary file whose tail is shown when it fails to start. Needs ``moto[server]``
installed in the interpreter that runs it (``python=``, by default this one).

Only the standard library and httpx are used, so a pytest fixture can reuse it as is:

```python
@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server
```
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import IO, Self

import httpx

__all__ = ["EmulatorError", "MotoServer", "free_port", "port_is_free"]

HOST = "127.0.0.1"

# ``python -m moto.server`` plus a watchdog: the server exits as soon as its stdin pipe closes,
# so it never outlives the process that started it, even one killed without cleanup.
_SERVER_MAIN = """\
import os
import sys
import threading

def _exit_with_parent():
    while os.read(0, 4096):
        pass
    os._exit(0)

threading.Thread(target=_exit_with_parent, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
"""


class EmulatorError(RuntimeError):
    """The emulator could not be started, reached or reset."""


def free_port(host: str = HOST) -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on ``host:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


class MotoServer:
    """moto's server in a subprocess on ``127.0.0.1``; a context manager.

    Args:
        port: the port to listen on; by default a free one is picked (and, should another
            process grab it first, another one is tried).
        python: the interpreter that runs moto's server; by default this one.
        startup_timeout: seconds to wait for the server to answer before giving up.
        stop_timeout: seconds to wait after SIGTERM before the server is killed.
        env: extra environment variables for the server process.
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        python: str | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 5.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self._fixed_port = port
        self._python = python or sys.executable
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._extra_env = dict(env or {})
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_path: str | None = None
        self._port: int | None = None

    # -- what callers use ----------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._port is None or self._process is None:
            raise EmulatorError("the emulator is not running")
        return f"http://{HOST}:{self._port}"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    def reset(self) -> None:
        """Drop all state of the emulator (``POST /moto-api/reset``)."""
        try:
            response = httpx.post(f"{self.url}/moto-api/reset", timeout=10.0, trust_env=False)
        except httpx.HTTPError as exc:
            raise EmulatorError(f"could not reset the emulator at {self.url}: {exc}") from exc
        if response.status_code >= 300:
            raise EmulatorError(
                f"resetting the emulator at {self.url} failed: HTTP {response.status_code}"
            )

    def start(self) -> None:
        """Start the server and wait until it answers; idempotent while it runs."""
        if self._process is not None:
            return
        if self._fixed_port is not None and not port_is_free(self._fixed_port):
            # Checked first: the readiness probe would otherwise get its answer from whatever
            # already listens there.
            raise EmulatorError(f"port {self._fixed_port} of {HOST} is already in use")
        attempts = 1 if self._fixed_port is not None else 3
        for attempt in range(1, attempts + 1):
            port = self._fixed_port if self._fixed_port is not None else free_port()
            try:
                self._spawn(port)
                self._wait_until_ready()
                return
            except EmulatorError as exc:
                tail = self.output_tail() or "(no output)"
                self.stop()
                # The free port may have been taken between picking and binding it: retry.
                if attempt < attempts and "Address already in use" in tail:
                    continue
                raise EmulatorError(
                    f"{exc}\n--- emulator output (last lines) ---\n{tail}"
                ) from None
            except BaseException:  # Ctrl-C while waiting: leave no server behind
                self.stop()
                raise

    def stop(self) -> None:
        """Stop the server by process id: SIGTERM, then SIGKILL after ``stop_timeout``."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=self._stop_timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=self._stop_timeout)
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
        self._port = None
        if self._log is not None:
            self._log.close()
            self._log = None
        log_path, self._log_path = self._log_path, None
        if log_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(log_path)

    def output_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the server's combined stdout and stderr."""
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals -------------------------------------------------------------------------
    def _spawn(self, port: int) -> None:
        # Output goes to a file, not a pipe: nobody reads a pipe while the server runs, and a
        # full pipe would block the server on its request log. The server appends to it; we
        # read it through a handle of our own, so neither side moves the other's offset. Where
        # the OS allows it (POSIX), the file is unlinked once both handles are open: nothing is
        # left behind even when this process is killed.
        fd, path = tempfile.mkstemp(prefix="moto-server-", suffix=".log")
        os.close(fd)
        self._log = open(path, "rb")  # noqa: SIM115 - closed in stop()
        self._log_path = path
        env = {**os.environ, "MOTO_PORT": str(port), **self._extra_env}
        env.setdefault("PYTHONUNBUFFERED", "1")
        try:
            with open(path, "ab") as server_log:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                    self._log_path = None
                self._process = subprocess.Popen(
                    [self._python, "-c", _SERVER_MAIN, "-H", HOST, "-p", str(port)],
                    stdin=subprocess.PIPE,
                    stdout=server_log,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
        except OSError as exc:
            raise EmulatorError(f"could not run {self._python!r}: {exc}") from None
        self._port = port

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        probe = f"{self.url}/moto-api/config"
        deadline = time.monotonic() + self._startup_timeout
        delay = 0.05
        with httpx.Client(timeout=2.0, trust_env=False) as http:
            while True:
                code = self._process.poll()
                if code is not None:
                    hint = ""
                    if "No module named" in self.output_tail():
                        hint = f' (install it: {self._python} -m pip install "moto[server]")'
                    raise EmulatorError(
                        f"the moto server exited with code {code} before answering{hint}"
                    )
                try:
                    if http.get(probe).status_code < 500:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() >= deadline:
                    raise EmulatorError(
                        f"the moto server did not answer at {self.url} "
                        f"within {self._startup_timeout:g} s"
                    )
                time.sleep(delay)
                delay = min(delay * 2, 0.5)


if __name__ == "__main__":  # python examples/_emulator.py: run a server until Ctrl-C
    with contextlib.suppress(KeyboardInterrupt), MotoServer() as server:
        print(f"moto server on {server.url} (pid {server.pid}); Ctrl-C stops it", flush=True)
        while server.running:
            time.sleep(0.5)
