"""Save and load: round trips, refusals that change nothing, and damaged models."""

import json
import os

import numpy as np
import pytest

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


def files_under(path):
    return sorted(
        os.path.relpath(os.path.join(folder, name), path)
        for folder, _, names in os.walk(path)
        for name in names
    )


def remove_members(path):
    for name in files_under(path):
        if name.startswith("members/"):
            os.remove(os.path.join(path, name))


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


def test_loading_a_path_with_no_model_names_the_path(tmp_path):
    missing = str(tmp_path / "nothing-here")
    with pytest.raises(ValueError, match=f"No saved sparkensemble stage at {missing}"):
        SampledEnsembleClassificationModel.load(missing)


def test_loading_another_class_says_which_class_it_is(tmp_path):
    path = str(tmp_path / "estimator")
    SampledEnsembleClassifier().save(path)
    with pytest.raises(ValueError, match="is a sparkensemble.classifier.SampledEnsembleClassifier"):
        SampledEnsembleClassificationModel.load(path)


def test_a_model_with_missing_members_fails_loudly(tmp_path, fitted):
    path = str(tmp_path / "model")
    fitted.save(path)
    remove_members(path)
    with pytest.raises(ValueError, match=f"model at {path} is incomplete or corrupted"):
        SampledEnsembleClassificationModel.load(path)


def test_a_truncated_members_file_fails_loudly(tmp_path, fitted):
    path = str(tmp_path / "model")
    fitted.save(path)
    parquet = [n for n in files_under(path) if n.startswith("members/") and n.endswith(".parquet")]
    full = os.path.join(path, parquet[0])
    data = open(full, "rb").read()
    open(full, "wb").write(data[: len(data) // 2])
    for crc in files_under(path):
        if crc.endswith(".crc"):
            os.remove(os.path.join(path, crc))
    with pytest.raises(ValueError, match="incomplete or corrupted"):
        SampledEnsembleClassificationModel.load(path)


def test_members_from_another_save_are_never_loaded_as_a_mix(tmp_path, fitted, binary_df):
    first, second = str(tmp_path / "first"), str(tmp_path / "second")
    fitted.save(first)
    SampledEnsembleClassifier(numMembers=2, **{**SMALL, "seed": 6}).fit(binary_df).save(second)
    # As if an overwrite died after writing members/ but before metadata/.
    remove_members(first)
    for name in files_under(second):
        if name.startswith("members/"):
            target = os.path.join(first, name)
            open(target, "wb").write(open(os.path.join(second, name), "rb").read())
    with pytest.raises(ValueError, match="do not match.*interrupted or mixed save"):
        SampledEnsembleClassificationModel.load(first)


def test_a_newer_format_version_asks_for_an_upgrade(tmp_path, fitted):
    path = str(tmp_path / "model")
    fitted.save(path)
    for name in files_under(path):
        if name.startswith("metadata/part-"):
            full = os.path.join(path, name)
            metadata = json.loads(open(full).read())
            metadata["formatVersion"] = 99
            open(full, "w").write(json.dumps(metadata) + "\n")
        elif name.startswith("metadata/") and name.endswith(".crc"):
            os.remove(os.path.join(path, name))
    with pytest.raises(ValueError, match="format 99, newer than this release reads.*upgrade"):
        SampledEnsembleClassificationModel.load(path)
