"""Save and load without pickle, through Spark, so any Hadoop filesystem path works.

Layout of a saved model::

    path/
      metadata/   one JSON line in pyspark's DefaultParamsWriter format, plus
                  formatVersion, numFeatures, numMembers, membersDigest, the stacker as
                  JSON and, for a classifier, numClasses
      members/    parquet: member, seed, model (native CatBoost bytes), summary columns
                  (a classifier's holdout metrics differ from a regressor's)

Members are written before the metadata, and the metadata records a digest of the
members. A save interrupted part-way therefore never loads as a mix of two models:
the digest no longer matches, and loading says so.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Optional, Type, TypeVar

import pandas as pd
from pyspark import __version__ as spark_version
from pyspark.ml.param import Params
from pyspark.ml.util import DefaultParamsReader, MLReader, MLWriter
from pyspark.sql import SparkSession

from sparkensemble.member_table import canonical_member_table, member_table_schema
from sparkensemble.model_state import FORMAT_VERSION
from sparkensemble.phases import is_connect, phase

_METADATA = "metadata"
_MEMBERS = "members"

P = TypeVar("P", bound=Params)


def _join(path: str, child: str) -> str:
    # Not os.path.join: the path may be a URI (s3a://bucket/x) on any operating system.
    return path.rstrip("/") + "/" + child


def path_exists(spark: SparkSession, path: str) -> bool:
    """Whether anything exists at ``path``: Hadoop's answer, as Spark ML's own writers ask it.

    A Spark Connect client has no JVM, so it asks the server to list the path instead.
    """
    if not is_connect(spark):
        jvm = spark.sparkContext._jvm
        hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        return bool(hadoop_path.getFileSystem(conf).exists(hadoop_path))
    try:
        # Resolving the schema lists the path, and fails when nothing is there.
        spark.read.format("binaryFile").load(path).schema  # noqa: B018
    except Exception as error:  # the Connect twin of AnalysisException
        if "PATH_NOT_FOUND" in str(error) or "does not exist" in str(error):
            return False
        raise
    return True


def param_maps(instance: Params) -> tuple[Dict[str, Any], Dict[str, Any]]:
    """The Params set on ``instance`` and the defaults, by name, through public Params calls.

    A default is read from a copy with the set Params cleared, since ``getOrDefault``
    gives the set value where there is one.
    """
    defaults = instance.copy()
    for param in instance.params:
        if instance.isSet(param):
            defaults.clear(defaults.getParam(param.name))
    params = instance.params
    return (
        {p.name: instance.getOrDefault(p) for p in params if instance.isSet(p)},
        {p.name: defaults.getOrDefault(p.name) for p in params if instance.hasDefault(p)},
    )


def params_metadata(instance: Params, extra: Optional[Dict[str, Any]] = None) -> str:
    """The metadata JSON line, in the format pyspark's DefaultParamsReader reads."""
    param_map, default_param_map = param_maps(instance)
    metadata = {
        "class": f"{type(instance).__module__}.{type(instance).__name__}",
        "timestamp": int(round(time.time() * 1000)),
        "sparkVersion": spark_version,
        "uid": instance.uid,
        "paramMap": param_map,
        "defaultParamMap": default_param_map,
    }
    if extra:
        metadata.update(extra)
    return json.dumps(metadata, separators=(",", ":"))


class SafeWriter(MLWriter):
    """An MLWriter that refuses an existing path unless told to overwrite, on any session."""

    def __init__(self, instance: Params) -> None:
        super().__init__()
        self.instance = instance

    def save(self, path: str) -> None:
        """Save to ``path``; without ``overwrite()`` an existing path is left untouched."""
        if not isinstance(path, str):
            raise TypeError(f"path should be a string, got {type(path).__name__}.")
        if not self.shouldOverwrite and path_exists(self.sparkSession, path):
            raise FileExistsError(
                f"Path {path} already exists; nothing was written. To replace it, use "
                f"write().overwrite().save(path)."
            )
        with phase(self.sparkSession, f"save {type(self.instance).__name__} to {path}"):
            self.saveImpl(path)

    def _mode(self) -> str:
        # "error", not its synonym "errorifexists", which Spark Connect rejects.
        return "overwrite" if self.shouldOverwrite else "error"

    def write_metadata(self, path: str, extra: Optional[Dict[str, Any]] = None) -> None:
        line = params_metadata(self.instance, extra)
        frame = self.sparkSession.createDataFrame([(line,)], "value string").coalesce(1)
        frame.write.mode(self._mode()).text(_join(path, _METADATA))

    def saveImpl(self, path: str) -> None:
        self.write_metadata(path)


class ParamsReader(MLReader[P]):
    """Reads an instance saved by :class:`SafeWriter`, checking its class first."""

    def __init__(self, cls: Type[P]) -> None:
        super().__init__()
        self.cls = cls

    def load_metadata(self, path: str) -> Dict[str, Any]:
        expected = f"{self.cls.__module__}.{self.cls.__name__}"
        try:
            line = self.sparkSession.read.text(_join(path, _METADATA)).first()
        except Exception as error:
            if path_exists(self.sparkSession, path):
                raise ValueError(
                    f"The saved stage at {path} is incomplete or corrupted: its metadata/ "
                    f"folder cannot be read ({_first_line(error)}). An interrupted save leaves it "
                    f"so; save the stage again, or check that the path is the one you meant."
                ) from None
            raise ValueError(
                f"No saved sparkensemble stage at {path}: its metadata/ folder cannot be read "
                f"({_first_line(error)})."
            ) from None
        if line is None:
            raise ValueError(
                f"The saved stage at {path} is incomplete or corrupted: metadata/ is empty "
                f"(an interrupted save?). Save the stage again."
            )
        try:
            metadata = json.loads(line[0])
        except ValueError:
            raise ValueError(
                f"The metadata at {path} is not valid JSON; it is corrupted."
            ) from None
        if metadata.get("class") != expected:
            raise ValueError(
                f"The stage at {path} is a {metadata.get('class')}, not a {expected}; "
                f"load it with that class."
            )
        version = metadata.get("formatVersion", FORMAT_VERSION)
        if version > FORMAT_VERSION:
            raise ValueError(
                f"The stage at {path} was saved in sparkensemble format {version}, newer than "
                f"this release reads ({FORMAT_VERSION}); upgrade sparkensemble to load it."
            )
        return metadata

    def instance_from(self, metadata: Dict[str, Any]) -> P:
        instance = self.cls()
        with_saved_uid(instance, metadata["uid"])
        DefaultParamsReader.getAndSetParams(instance, metadata)
        return instance

    def load(self, path: str) -> P:
        """Load the instance saved at ``path``."""
        with phase(self.sparkSession, f"load {self.cls.__name__} from {path}"):
            return self.instance_from(self.load_metadata(path))


def with_saved_uid(instance: P, uid: str) -> P:
    """Give a freshly built instance the uid it was saved with.

    pyspark has no public call for this: its own DefaultParamsReader calls the same
    ``_resetUid``, which also moves every Param to the new parent. Kept in this one
    function; ``tests/test_persistence.py`` fails if pyspark renames it.
    """
    instance._resetUid(uid)
    return instance


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class EnsembleModelWriter(SafeWriter):
    """Writes the members as parquet, then the metadata that vouches for them."""

    def saveImpl(self, path: str) -> None:
        model = self.instance
        table, metadata = model._saved()
        table["feature_importances"] = [
            list(map(float, row)) for row in table["feature_importances"]
        ]
        schema = member_table_schema(model._task)
        frame = self.sparkSession.createDataFrame(table, schema).coalesce(1)
        frame.write.mode(self._mode()).parquet(_join(path, _MEMBERS))
        self.write_metadata(path, metadata)


class EnsembleModelReader(ParamsReader[P]):
    """Reads a model written by :class:`EnsembleModelWriter` and checks it is whole."""

    def load(self, path: str) -> P:
        with phase(self.sparkSession, f"load {self.cls.__name__} from {path}"):
            return self._load(path)

    def _load(self, path: str) -> P:
        metadata = self.load_metadata(path)
        members_path = _join(path, _MEMBERS)
        task = self.cls._task
        try:
            rows = self.sparkSession.read.schema(member_table_schema(task)).parquet(members_path)
            # A handful of rows: collect() reports a damaged file directly, where toPandas
            # would first warn about falling back from Arrow.
            table = pd.DataFrame([row.asDict() for row in rows.collect()], columns=rows.columns)
        except Exception as error:
            raise ValueError(
                f"The model at {path} is incomplete or corrupted: its members/ folder cannot be "
                f"read ({_first_line(error)})."
            ) from None
        model = self.instance_from(metadata)
        model._restore(canonical_member_table(table, task), metadata, path)
        return model


class ParamsWritable:
    """``write`` and ``read`` for a stage saved as its Params alone, as the estimators are."""

    def write(self) -> SafeWriter:
        """An MLWriter that saves this estimator's Params as JSON metadata, with no pickle.

        Returns
        -------
        SafeWriter
            The writer; ``estimator.save(path)`` is ``estimator.write().save(path)``.
        """
        return SafeWriter(self)

    @classmethod
    def read(cls) -> ParamsReader:
        """An MLReader for estimators saved with :meth:`write`; ``load(path)`` uses it.

        Returns
        -------
        ParamsReader
            The reader; call ``.load(path)`` on it.
        """
        return ParamsReader(cls)


class EnsembleModelWritable:
    """``write`` and ``read`` for a fitted model: its Params, members and state."""

    def write(self) -> EnsembleModelWriter:
        """An MLWriter that saves this model through Spark: parquet members, JSON metadata.

        ``model.save(path)`` is ``model.write().save(path)``; ``write().overwrite()``
        replaces what is at ``path``. Any path Spark can write works (``hdfs:``, ``s3a:``,
        ``dbfs:``, local), and nothing is pickled.

        Returns
        -------
        EnsembleModelWriter
            The writer; call ``.save(path)`` on it.
        """
        return EnsembleModelWriter(self)

    @classmethod
    def read(cls) -> EnsembleModelReader:
        """An MLReader for models saved with :meth:`write`; ``Model.load(path)`` uses it.

        Returns
        -------
        EnsembleModelReader
            The reader; call ``.load(path)`` on it.
        """
        return EnsembleModelReader(cls)
