"""deploy/: the Grafana dashboard, its provisioning and the Prometheus files, checked offline.

No Grafana server can run here, so the dashboard is decoded by Grafana's own schema models
(grafana-foundation-sdk, generated from the dashboard schema): a field the schema does not
know is dropped by the decoder, so a round trip must give back the file. Every query must use
the provisioned Prometheus datasource and only series and labels that a live exposition of
a small workspace shows; promtool (where installed) parses every PromQL expression, the rules
and the scrape configuration.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from svc_workspace import Env, daily_csv

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
GRAFANA = DEPLOY / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "stratmon.json"
RULES = DEPLOY / "prometheus" / "stratmon_rules.yml"
PROMTOOL = shutil.which("promtool")
NO_PROMTOOL = "promtool (Debian package `prometheus`, installed by .ci/run) is not on PATH"
# Series Prometheus makes itself, and Grafana's templating function (not PromQL).
OWN = {"up": {"job", "instance"}}
GRAFANA_FUNCTIONS = {"label_values"}
# Keys Grafana writes that the schema model does not declare: the display text of a query
# variable (Grafana rebuilds it from `query` when it saves).
SCHEMA_EXTRAS = {".templating.list[].definition"}
PROMQL_WORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
}


def _dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def _datasource() -> dict[str, Any]:
    prov = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "stratmon.yml").read_text())
    (ds,) = prov["datasources"]
    return dict(ds)


def _panels(panels: list[Any]) -> list[Any]:
    """Every panel, rows' nested (collapsed) panels included."""
    out = []
    for p in panels:
        out.append(p)
        out += _panels(list(getattr(p, "panels", None) or []))
    return out


def _exposition(env: Env) -> dict[str, set[str]]:
    """Sample name -> label names, from a live exposition after a request, an ingest and a
    run (so the labelled request, ingest and run families have samples)."""
    env.client.get("/api/v1/strategies", headers=env.h("viewer"))
    day, nav = env.built.days[0], float(env.built.navs["good"][0])
    r = env.client.post(
        "/api/v1/ingest/daily",
        content=daily_csv([("good", day, nav, 0.0)]),
        headers={**env.h("operator"), "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    run = env.client.post(
        "/api/v1/runs", json={"as_of": env.built.days[-2].isoformat()}, headers=env.h("operator")
    )
    assert run.status_code == 202, run.text
    env.client.app.state.runner.wait(60)  # type: ignore[attr-defined]
    text = env.client.get("/metrics", headers=env.h("viewer")).text
    names: dict[str, set[str]] = {}
    for fam in text_string_to_metric_families(text):
        names.setdefault(fam.name, set())
        for s in fam.samples:
            names.setdefault(s.name, set()).update(s.labels)
    return names


def _selectors(expr: str) -> list[tuple[str, set[str]]]:
    """(series name, label names it is matched or grouped on) for each series in ``expr``:
    the matchers in its braces, and the ``by``/``without`` labels of the aggregation that
    encloses the expression (enough for this dashboard's one-level aggregations)."""
    strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    grouped = set()
    for labels in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", strings):
        grouped |= {x.strip() for x in labels.split(",") if x.strip()}
    out = []
    for m in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?", strings):
        name, braces = m.group(1), m.group(2) or ""
        end = m.end(1)
        if name in PROMQL_WORDS or strings[end : end + 1] == "(" or name.isdigit():
            continue  # a keyword or a function call
        if re.fullmatch(r"\d+[smhdwy]", name) or strings[m.start() - 1 : m.start()] == "[":
            continue  # a duration
        if not (name.startswith("stratmon_") or name in OWN):
            continue
        matched = set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", braces))
        out.append((name, matched | grouped))
    return out


def _queries(dash: dict[str, Any]) -> list[str]:
    exprs = [
        str(t["expr"])
        for p in dash["panels"]
        for q in [p, *p.get("panels", [])]
        for t in q.get("targets", [])
    ]
    return exprs


def test_sdk_decodes_the_dashboard_without_losing_a_field() -> None:
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.cog.plugins import register_default_plugins
    from grafana_foundation_sdk.models import prometheus
    from grafana_foundation_sdk.models.dashboard import Dashboard, Panel, RowPanel

    register_default_plugins()
    raw = _dashboard()
    dash = Dashboard.from_json(raw)
    back = json.loads(json.dumps(dash, cls=JSONEncoder))

    def dropped(a: Any, b: Any, path: str) -> list[str]:
        if isinstance(a, dict):
            assert isinstance(b, dict), path
            lost = [f"{path}.{k}" for k in a if k not in b]
            return lost + [x for k in a if k in b for x in dropped(a[k], b[k], f"{path}.{k}")]
        if isinstance(a, list):
            assert isinstance(b, list) and len(a) == len(b), path
            return [x for ai, bi in zip(a, b, strict=True) for x in dropped(ai, bi, f"{path}[]")]
        assert a == b, (path, a, b)
        return []

    assert set(dropped(raw, back, "")) <= SCHEMA_EXTRAS
    assert dash.uid == "stratmon-overview" and dash.schema_version == raw["schemaVersion"]
    panels = _panels(dash.panels or [])
    rows = [p for p in panels if isinstance(p, RowPanel)]
    charts = [p for p in panels if isinstance(p, Panel)]
    assert len(rows) == 4 and len(charts) == len(panels) - len(rows) >= 12
    ds = _datasource()
    assert (ds["type"], ds["uid"]) == ("prometheus", "stratmon-prometheus")
    n_targets = 0
    for p in charts:
        assert p.datasource is not None, p.title
        assert (p.datasource.type_val, p.datasource.uid) == (ds["type"], ds["uid"]), p.title
        assert p.targets, f"{p.title} has no query"
        for t in p.targets:
            assert isinstance(t, prometheus.Dataquery), (p.title, type(t))
            assert t.datasource is not None and t.datasource.uid == ds["uid"], p.title
            assert t.expr, p.title
            n_targets += 1
    assert n_targets == len(_queries(raw))
    assert dash.templating is not None and dash.templating.list_val
    for var in dash.templating.list_val:
        assert var.datasource is not None
        assert (var.datasource.type_val, var.datasource.uid) == (ds["type"], ds["uid"])


def test_provisioning_points_at_the_dashboard_and_datasource() -> None:
    prov = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "stratmon.yml").read_text())
    assert prov["apiVersion"] == 1
    (provider,) = prov["providers"]
    assert provider["type"] == "file"
    path = Path(provider["options"]["path"])
    assert path.is_absolute()
    # The documented layout: deploy/grafana/dashboards/*.json copied into that folder.
    assert sorted(p.name for p in (GRAFANA / "dashboards").glob("*.json")) == [DASHBOARD.name]
    mounted = path / DASHBOARD.name
    assert mounted.suffix == ".json" and mounted.parent == path
    ds = _datasource()
    assert ds["type"] == "prometheus" and ds["access"] == "proxy"
    assert ds["url"].startswith("http://") and ds["url"].endswith(":9090")


def test_queries_use_only_exported_series_and_labels(env: Env) -> None:
    exported = _exposition(env)
    dash = _dashboard()
    exprs = _queries(dash)
    assert len(exprs) >= 15
    variables = [str(v["query"]["query"]) for v in dash["templating"]["list"]]
    rules = yaml.safe_load(RULES.read_text())
    rule_exprs = [str(r["expr"]) for g in rules["groups"] for r in g["rules"]]
    used: dict[str, set[str]] = {}
    for expr in exprs + rule_exprs:
        for name, labels in _selectors(expr):
            used.setdefault(name, set()).update(labels)
    for v in variables:
        m = re.fullmatch(r"(\w+)\((\w+), (\w+)\)", v)
        assert m and m.group(1) in GRAFANA_FUNCTIONS, v
        used.setdefault(m.group(2), set()).add(m.group(3))
    assert len(used) >= 12
    for name, labels in used.items():
        known = OWN.get(name)
        if known is None:
            assert name in exported, f"{name} is not in stratmon's exposition"
            known = exported[name] | ({"le"} if name.endswith("_bucket") else set())
        assert labels <= known, (name, labels - known)
    # the families the dashboard is about are there, with the labels its filters use
    assert {"strategy_id", "pool", "sector"} <= exported["stratmon_strategy_health_score"]
    assert "severity" in exported["stratmon_strategy_firing_alerts"]
    # the judgement of the stored assessment is on the dashboard, with its labels
    judgement = {
        "stratmon_verdict": "verdict",
        "stratmon_recommended_action": "action",
        "stratmon_health_component": "component",
        "stratmon_decay_alarm": "strategy_id",
        "stratmon_current_capital": "strategy_id",
        "stratmon_suggested_capital": "strategy_id",
    }
    for name, label in judgement.items():
        assert name in used, f"{name} is on no panel"
        assert label in exported[name], (name, label)
    titles = " ".join(p["title"] for p in dash["panels"]).lower()
    for topic in ("health", "drawdown", "alerts", "service"):
        assert topic in titles


def test_selector_parser_on_known_expressions() -> None:
    expr = 'sum by (le, route) (rate(stratmon_x_bucket{status=~"5..", a="b,c"}[5m])) > 0'
    assert _selectors(expr) == [("stratmon_x_bucket", {"le", "route", "status", "a"})]
    assert _selectors('up{job="stratmon"} == 0') == [("up", {"job"})]
    assert _selectors("stratmon_a / ignoring(x) stratmon_b offset 1d") == [
        ("stratmon_a", set()),
        ("stratmon_b", set()),
    ]


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_promtool_accepts_rules() -> None:
    assert PROMTOOL is not None
    out = subprocess.run(
        [PROMTOOL, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout + out.stderr


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_promtool_parses_every_dashboard_expression(tmp_path: Path) -> None:
    """Each panel query as a recording rule: ``promtool check rules`` parses the PromQL
    without a server. Grafana's template variables sit inside label-matcher strings, which
    PromQL parses as any string; its interval macros would not parse, so none may be used."""
    assert PROMTOOL is not None
    exprs = _queries(_dashboard())
    assert not [e for e in exprs if "$__" in e], "replace Grafana interval macros first"
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"stratmon:panel_{i}", "expr": e} for i, e in enumerate(exprs)
                ],
            }
        ]
    }
    good = tmp_path / "dashboard_rules.yml"
    good.write_text(yaml.safe_dump(rules), encoding="utf-8")
    out = subprocess.run(
        [PROMTOOL, "check", "rules", str(good)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{len(exprs)} rules found" in out.stdout + out.stderr
    # the same check fails on a broken expression (it is a real parse)
    rules["groups"][0]["rules"] = [{"record": "stratmon:bad", "expr": "sum by (le (rate(x[5m]))"}]
    bad = tmp_path / "bad_rules.yml"
    bad.write_text(yaml.safe_dump(rules), encoding="utf-8")
    out = subprocess.run(
        [PROMTOOL, "check", "rules", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode != 0


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_promtool_accepts_the_scrape_config(tmp_path: Path) -> None:
    """The scrape configuration with its rule file; the bearer-token file it names is
    replaced by a temporary one (promtool checks that it exists)."""
    assert PROMTOOL is not None
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics" and job["authorization"]["type"] == "Bearer"
    key = tmp_path / "stratmon.key"
    key.write_text("smk_0_x\n", encoding="utf-8")
    job["authorization"]["credentials_file"] = str(key)
    shutil.copy(RULES, tmp_path / RULES.name)
    assert config["rule_files"] == [RULES.name]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    out = subprocess.run(
        [PROMTOOL, "check", "config", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
