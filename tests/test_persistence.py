"""Save and load: round trips, refusals that change nothing, and damaged models."""

import json
import os

import numpy as np
import pytest
from helpers.data import files_under

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier

SMALL = {"iterations": 15, "depth": 3, "seed": 5}


@pytest.fixture(scope="module")
def fitted(binary_df):
    clf = SampledEnsembleClassifier(
        numMembers=2, learningRate=0.2, l2LeafReg=2.0, catboostParams={"border_count": 32}, **SMALL
    )
    return clf.fit(binary_df)


def probabilities(model, df):
    return np.array(
        [r.probability.toArray() for r in model.transform(df).select("probability").collect()]
    )


def snapshot(path):
    return {name: open(os.path.join(path, name), "rb").read() for name in files_under(path)}


def test_model_round_trip_keeps_uid_params_members_and_predictions(tmp_path, fitted, binary_df):
    path = str(tmp_path / "model")
    fitted.save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.uid == fitted.uid
    assert loaded.extractParamMap() == {
        loaded.getParam(p.name): v for p, v in fitted.extractParamMap().items()
    }
    assert loaded.getCatboostParams() == {"border_count": 32}
    assert loaded.getLearningRate() == 0.2
    assert loaded.members == fitted.members
    assert loaded.memberSeeds == fitted.memberSeeds
    assert (loaded.numClasses, loaded.numFeatures) == (2, 5)
    assert loaded.summary.drop(columns="member").equals(fitted.summary.drop(columns="member"))
    np.testing.assert_array_equal(
        probabilities(loaded, binary_df), probabilities(fitted, binary_df)
    )


def test_estimator_round_trip_keeps_uid_and_params(tmp_path):
    clf = SampledEnsembleClassifier(numMembers=3, combiner="median", catboostParams={"rsm": 0.5})
    path = str(tmp_path / "estimator")
    clf.save(path)
    loaded = SampledEnsembleClassifier.load(path)
    assert loaded.uid == clf.uid
    assert loaded.getNumMembers() == 3 and loaded.getCombiner() == "median"
    assert loaded.getCatboostParams() == {"rsm": 0.5}


def test_saving_onto_an_existing_path_without_overwrite_changes_nothing(tmp_path, fitted):
    path = str(tmp_path / "model")
    fitted.save(path)
    before = snapshot(path)
    with pytest.raises(FileExistsError, match="already exists.*overwrite"):
        fitted.save(path)
    with pytest.raises(FileExistsError, match="already exists"):
        SampledEnsembleClassifier().save(path)
    assert snapshot(path) == before


def test_overwrite_replaces_the_model(tmp_path, fitted, binary_df):
    path = str(tmp_path / "model")
    fitted.save(path)
    other = SampledEnsembleClassifier(numMembers=3, **SMALL).fit(binary_df)
    other.write().overwrite().save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.members == other.members


PICKLE_MARKERS = (b"cloudpickle", b"__reduce__", b"c__builtin__", b"\x8c\x08builtins")


def test_no_pickle_anywhere_in_a_saved_model(tmp_path, fitted):
    path = str(tmp_path / "model")
    fitted.save(path)
    names = files_under(path)
    assert any(n.startswith("members/") and n.endswith(".parquet") for n in names)
    for name in names:
        data = open(os.path.join(path, name), "rb").read()
        base = os.path.basename(name)
        # Every file is of a known, code-free kind...
        if base.startswith("."):
            assert base.endswith(".crc") and data[:4] == b"crc\x00", name
        elif base == "_SUCCESS":
            assert data == b"", name
        elif name.startswith("members/"):
            assert data[:4] == b"PAR1" and data[-4:] == b"PAR1", name
        else:
            assert name.startswith("metadata/part-"), name
            metadata = json.loads(data)
            assert metadata["formatVersion"] == 1 and metadata["numMembers"] == 2
        # ...and none holds a pickle stream or the names pickles carry.
        assert not (data[:1] == b"\x80" and 2 <= data[1] <= 5), name
        assert not any(marker in data for marker in PICKLE_MARKERS), name


def test_a_loaded_stage_takes_its_saved_uid_through_the_one_private_pyspark_call():
    # pyspark has no public way to set a uid; its own DefaultParamsReader calls _resetUid.
    from sparkensemble.persistence import param_maps, with_saved_uid

    estimator = with_saved_uid(SampledEnsembleClassifier(numMembers=3), "saved_uid_1")
    assert estimator.uid == "saved_uid_1"
    assert all(param.parent == "saved_uid_1" for param in estimator.params)
    param_map, defaults = param_maps(estimator)
    assert param_map == {"numMembers": 3}
    assert defaults["numMembers"] == 5 and defaults["seed"] == 0
