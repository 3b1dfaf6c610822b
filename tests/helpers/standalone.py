"""A real Spark standalone cluster on 127.0.0.1, started from the pyspark package's own
launcher (bin/spark-class): one master and N workers, each its own JVM process."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List

import pyspark


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spark_class() -> str:
    return str(Path(pyspark.__file__).parent / "bin" / "spark-class")


def _wait_for(path: Path, text: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"{path.name} exited early:\n{path.read_text(errors='replace')}")
        time.sleep(0.5)
    raise TimeoutError(f"{path.name} did not log {text!r} within {seconds}s")


@dataclass
class Cluster:
    url: str
    workers: List[subprocess.Popen] = field(default_factory=list)


@contextmanager
def standalone_cluster(
    folder: Path, workers: int = 2, cores_per_worker: int = 1
) -> Iterator[Cluster]:
    """Start the cluster, yield its URL and worker processes, and stop everything after."""
    env = {
        **os.environ,
        "SPARK_HOME": str(Path(pyspark.__file__).parent),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_WORKER_DIR": str(folder / "work"),
    }
    port = _free_port()
    cluster = Cluster(url=f"spark://127.0.0.1:{port}")
    url = cluster.url
    processes: List[subprocess.Popen] = []

    def launch(name: str, *args: str) -> subprocess.Popen:
        log = open(folder / f"{name}.log", "w")
        process = subprocess.Popen(
            [_spark_class(), *args], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        processes.append(process)
        return process

    try:
        master = launch(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(_free_port()),
        )
        _wait_for(folder / "master.log", "Starting Spark master", master)
        for index in range(workers):
            worker = launch(
                f"worker{index}",
                "org.apache.spark.deploy.worker.Worker",
                url,
                "--host",
                "127.0.0.1",
                "--cores",
                str(cores_per_worker),
                "--memory",
                "2g",
                "--webui-port",
                str(_free_port()),
            )
            _wait_for(folder / f"worker{index}.log", "Successfully registered with master", worker)
            cluster.workers.append(worker)
        yield cluster
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
