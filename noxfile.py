"""Test sessions for the supported pyspark lines: `nox -s tests` or `nox -s pyspark35`.

`nox -s connect_client` (not run by default: it downloads a full pyspark too) proves
that a client-only environment, pyspark-client and sparkensemble with no full pyspark,
fits, transforms, saves and loads against a local Spark Connect server.
"""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"

# pyspark-client's newest release (`pip index versions pyspark-client`); the server runs
# the full pyspark of the same version.
CONNECT_VERSION = os.environ.get("SPARKENSEMBLE_CONNECT_VERSION", "4.2.0")


@nox.session
def tests(session: nox.Session) -> None:
    """The suite on the newest pyspark, in classic and Spark Connect modes."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def pyspark35(session: nox.Session) -> None:
    """The suite on pyspark 3.5 (classic sessions; Connect support starts at pyspark 4)."""
    # pyspark 3.5 predates numpy 2; pyarrow 18+ needs numpy 2.
    session.install("-e", ".[test]", "pyspark>=3.5,<3.6", "numpy<2", "pandas<2.3", "pyarrow<18")
    session.run("python", "-m", "pytest", *session.posargs)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, server: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    raise RuntimeError(
        f"the Spark Connect server is not listening on {port}:\n{log.read_text()[-5000:]}"
    )


@nox.session(default=False)
def connect_client(session: nox.Session) -> None:
    """A pyspark-client-only venv fits, transforms, saves and loads against Spark Connect."""
    # The server: a full pyspark with its Connect server, and sparkensemble with catboost,
    # which the server's Python workers import to train and score the members.
    session.install(".", f"pyspark[connect]=={CONNECT_VERSION}")
    server_python = session.run(
        "python", "-c", "import sys; print(sys.executable)", silent=True
    ).strip()
    spark_home = session.run(
        "python", "-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))", silent=True
    ).strip()

    # The client: a second venv with pyspark-client, then sparkensemble with its
    # dependencies, as a user on Databricks serverless or a Connect cluster installs it.
    tmp = Path(session.create_tmp()).resolve()  # the server resolves paths from its own cwd
    client = tmp / "client"
    session.run(server_python, "-m", "venv", "--clear", str(client), external=True)
    pip, python = str(client / "bin" / "pip"), str(client / "bin" / "python")
    session.run(pip, "install", "-q", f"pyspark-client=={CONNECT_VERSION}", external=True)
    session.run(pip, "install", "-q", ".", external=True)
    installed = session.run(
        python,
        "-c",
        "import json, importlib.metadata as m; "
        "print(json.dumps(sorted(d.metadata['Name'].lower() for d in m.distributions())))",
        silent=True,
        external=True,
    )
    names = set(json.loads(installed.strip().splitlines()[-1]))
    if "pyspark" in names or "pyspark-client" not in names:
        session.error(f"the client venv must hold pyspark-client and no pyspark: {sorted(names)}")
    session.log(f"client venv: pyspark-client and no pyspark among {len(names)} distributions")

    # In the foreground, as sbin/start-connect-server.sh runs it (pyspark 4.2's wheel lacks
    # that script), so this session holds the server's pid and stops exactly that process.
    port = _free_port()
    command = [f"{spark_home}/bin/spark-submit", "--master", "local[2]"]
    command += ["--class", "org.apache.spark.sql.connect.service.SparkConnectServer"]
    command += ["--name", "Spark Connect server"]
    command += ["--conf", f"spark.connect.grpc.binding.port={port}"]
    command += ["--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=4"]
    env = {**os.environ, "SPARK_HOME": spark_home, "SPARK_CONNECT_MODE": "0"}
    env["PYSPARK_PYTHON"] = server_python  # the Python workers that train the members
    log = tmp / "connect-server.log"
    with open(log, "w") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, server, log)
        session.run(
            python,
            "examples/spark_connect.py",
            f"sc://localhost:{port}",
            "--path",
            str(tmp / "saved"),
            env={"PYTHONPATH": ""},  # only the client venv's packages
            external=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
