"""The metric table document (``GET /strategies/{id}/metrics``) built from stored JSON text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import orjson


def metric_table_body(
    strategy_id: str, as_of: dt.date, snapshots: Sequence[tuple[str, int, str]]
) -> bytes:
    """The JSON of a :class:`~stratmon.api.schemas.MetricTable` without decoding the metrics.

    Parameters
    ----------
    strategy_id : str
    as_of : datetime.date
        The evaluation date.
    snapshots : sequence of (window, n_obs, metrics JSON text)
        As :func:`stratmon.store.service_queries.latest_metric_snapshots_raw` returns them;
        the text is strict JSON already (NaN stored as null), so it is spliced in as is.

    Returns
    -------
    bytes
        ``{"strategy_id": ..., "as_of": ..., "windows": {window: {"n_obs", "metrics"}}}``.
    """
    windows = b",".join(
        orjson.dumps(w) + b':{"n_obs":' + str(n).encode() + b',"metrics":' + raw.encode() + b"}"
        for w, n, raw in snapshots
    )
    return (
        b'{"strategy_id":'
        + orjson.dumps(strategy_id)
        + b',"as_of":'
        + orjson.dumps(as_of)
        + b',"windows":{'
        + windows
        + b"}}"
    )
