from helpers.course.report import METRICS_MIMETYPE, metrics_bundle


def test_bundle_is_readable_and_machine_readable():
    bundle = metrics_bundle({"val_acc": 0.912345, "epochs": 3})
    assert bundle["text/plain"] == "Final metrics: val_acc=0.9123, epochs=3"
    assert bundle[METRICS_MIMETYPE] == {"val_acc": 0.912345, "epochs": 3}
