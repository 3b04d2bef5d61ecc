"""deploy/: the Grafana dashboard and Prometheus rules refer only to series stratmon exports,
and Prometheus's own checker accepts the configuration (where promtool is installed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from svc_workspace import Env

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
OWN = {"up", "label_values"}


def _exported(env: Env) -> set[str]:
    text = env.client.get("/metrics", headers=env.h("viewer")).text
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            if kind == "counter":
                names.add(f"{name}_total")
    return names


def _series(expr: str) -> set[str]:
    found = set(re.findall(r"\b(stratmon_[a-z0-9_]+)", expr))
    return found


def test_dashboard_and_rules_use_exported_series(env: Env) -> None:
    exported = _exported(env)
    dash = json.loads((DEPLOY / "grafana" / "dashboards" / "stratmon.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 15
    rules = yaml.safe_load((DEPLOY / "prometheus" / "stratmon_rules.yml").read_text())
    exprs += [str(r["expr"]) for g in rules["groups"] for r in g["rules"]]
    used = set().union(*(_series(e) for e in exprs))
    assert used and used <= exported, used - exported
    titles = " ".join(p["title"] for p in dash["panels"]).lower()
    for topic in ("health", "drawdown", "alerts", "service"):
        assert topic in titles


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool (Debian `prometheus`) absent"
)
def test_promtool_accepts_rules() -> None:
    out = subprocess.run(
        ["promtool", "check", "rules", str(DEPLOY / "prometheus" / "stratmon_rules.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
