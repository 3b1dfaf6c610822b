"""Test sessions for the supported pyspark lines: `nox -s tests` or `nox -s pyspark35`."""

import nox

nox.options.default_venv_backend = "venv"


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
