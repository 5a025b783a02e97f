"""Fixtures for the Python client tests.

- `pb`: stubs generated from proto/ with grpcio-tools into a temporary folder,
  once per session (nothing generated is committed).
- `server` / `stub`: one newscorpus server on a free loopback port serving
  seeds/, shared by the read-only tests.
- `start_server`: starts a private server (for tests that ingest or stop it).

The server binary is target/debug/newscorpus unless NEWSCORPUS_BIN says otherwise.
"""
from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import grpc
import pytest

ROOT = Path(__file__).resolve().parents[3]
PROTO_DIR = ROOT / "proto"
SEEDS = ROOT / "seeds"
BIN = Path(os.environ.get("NEWSCORPUS_BIN", ROOT / "target" / "debug" / "newscorpus"))
CALL_TIMEOUT = 10.0  # seconds, for every RPC in these tests
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_status(channel: grpc.Channel, service: str = "") -> int:
    """grpc.health.v1.Health/Check without generated stubs: returns the status number."""
    request = b"\x0a" + bytes([len(service)]) + service.encode() if service else b""
    check = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=lambda raw: raw,
        response_deserializer=lambda raw: raw,
    )
    response = check(request, timeout=2)
    # HealthCheckResponse{status = 1 (enum)}; absent means 0 (UNKNOWN).
    return response[1] if len(response) >= 2 and response[0] == 0x08 else 0


SERVING = 1


@dataclass
class Server:
    """A running newscorpus process."""

    process: subprocess.Popen
    address: str
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def launch(tmp_dir: Path, *extra_args: str, corpus: Path = SEEDS, via_env: bool = False) -> Server:
    """Starts a server; with via_env, corpus and address go through NEWSCORPUS_* variables."""
    if not BIN.is_file():
        pytest.fail(f"server binary not found: {BIN} (run cargo build, or set NEWSCORPUS_BIN)")
    address = f"127.0.0.1:{free_port()}"
    log_path = tmp_dir / f"server-{address.rsplit(':', 1)[1]}.log"
    env = dict(os.environ, NO_COLOR="1")
    if via_env:
        env.update(NEWSCORPUS_CORPUS=str(corpus), NEWSCORPUS_ADDR=address)
        command = [str(BIN), *extra_args]
    else:
        command = [str(BIN), "serve", "--corpus", str(corpus), "--addr", address, *extra_args]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    server = Server(process, address, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    with grpc.insecure_channel(address) as channel:
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{server.log()}")
            try:
                if health_status(channel, "newscorpus.v1.CorpusService") == SERVING:
                    return server
            except grpc.RpcError:
                pass
            if time.monotonic() > deadline:
                server.stop(signal.SIGKILL)
                pytest.fail(f"server not SERVING within {START_TIMEOUT}s:\n{server.log()}")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def pb():
    """Generated modules: pb.svc (messages), pb.types, pb.grpc (stubs); pb.out_dir holds them."""
    from grpc_tools import protoc

    out_dir = tempfile.mkdtemp(prefix="newscorpus-stubs-")
    protos = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    include = Path(protoc.__file__).resolve().parent / "_proto"
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTO_DIR}",
            f"-I{include}",
            f"--python_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            *protos,
        ]
    )
    assert code == 0, f"protoc failed with {code} for {protos}"
    sys.path.insert(0, out_dir)
    try:
        return SimpleNamespace(
            svc=importlib.import_module("newscorpus.v1.corpus_service_pb2"),
            types=importlib.import_module("newscorpus.v1.types_pb2"),
            grpc=importlib.import_module("newscorpus.v1.corpus_service_pb2_grpc"),
            out_dir=out_dir,
        )
    finally:
        sys.path.remove(out_dir)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One read-only server for the session (nothing may ingest into it)."""
    running = launch(tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def channel(server):
    with grpc.insecure_channel(server.address) as chan:
        yield chan


@pytest.fixture(scope="session")
def stub(pb, channel):
    return pb.grpc.CorpusServiceStub(channel)


@pytest.fixture
def start_server(tmp_path):
    """Factory for private servers, stopped at the end of the test."""
    started: list[Server] = []

    def start(*extra_args: str, corpus: Path = SEEDS, via_env: bool = False) -> Server:
        running = launch(tmp_path, *extra_args, corpus=corpus, via_env=via_env)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop(timeout=15)


@pytest.fixture(scope="session")
def seed_files() -> list[str]:
    return sorted(p.name for p in SEEDS.iterdir() if p.is_file())
