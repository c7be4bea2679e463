"""Prometheus metrics at /metrics: positions and lags read from the store, the same in every
worker. A scrape signs nothing: the write path keeps the checkpoints."""
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import whole_log


def scrape(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {sample.name: sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def test_metrics_give_the_log_position_the_lags_and_the_checkpoint(client, auth, activity, app):
    metrics = scrape(client)  # public, like /api/v1/health
    size = len(whole_log(app.extensions["iku"].agenda))  # the users' accounts and the activity
    assert metrics["iku_store_up"] == 1
    assert metrics["iku_log_position"] == size
    assert metrics["iku_tree_size"] == size
    assert metrics["iku_checkpoint_position"] == size  # signed after the write, not by the scrape
    assert metrics["iku_checkpoint_lag_events"] == 0 and metrics["iku_checkpoint_witnesses"] == 0
    assert 0 <= metrics["iku_checkpoint_age_seconds"] < 60
    assert metrics["iku_recorded_times_simulated"] == 0

    client.post(f"/api/v1/activities/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    metrics = scrape(client)
    assert metrics["iku_log_position"] == size + 1
    assert metrics["iku_view_lag_events"] == metrics["iku_log_position"] - metrics["iku_view_position"]
    assert client.get("/api/v1/iku?period=2021-Q1", headers=auth("pimpinan")).status_code == 200
    assert scrape(client)["iku_view_lag_events"] == 0  # the read caught the view up
