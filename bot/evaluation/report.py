"""Markdown report and precision-coverage plot of one evaluation run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SYSTEM_TITLES = {
    "patientbot": "PatientBot (shipped config)",
    "patientbot_before": "PatientBot's FAQ gate before issue 17",
    "rasa_default": "Stock Rasa 3.6 (default config)",
    "tfidf": "TF-IDF nearest neighbour",
}
FIGURES = (
    ("accuracy_in_scope", "Top-1 accuracy (in scope)"),
    ("coverage", "Coverage (in scope answered)"),
    ("precision_answered", "Precision of answered"),
    ("oos_wrong_rate", "Wrong-answer rate (out of scope)"),
    ("coverage_at_precision_95", "Coverage at precision >= 0.95"),
    ("one_tap_rate", "One tap (right FAQ answered or offered)"),
    ("suggest_rate_out_of_scope", "Out of scope offered suggestions"),
    ("n_in_scope", "In-scope questions"),
    ("n_out_of_scope", "Out-of-scope questions"),
    ("n_answered", "Answered"),
)
CITATIONS = {
    "covid_q": "Wei, Huang, Vosoughi, Wei. What Are People Asking About COVID-19? A Question Classification Dataset. ACL 2020 NLP-COVID workshop.",
    "liveqa_medical": "Ben Abacha, Agichtein, Pinter, Demner-Fushman. Overview of the Medical Question Answering Task at TREC 2017 LiveQA. TREC 2017.",
}


def markdown(result: dict[str, Any]) -> str:
    systems = result["systems"]
    names = list(systems)
    lines = [f"# Evaluation: {result['dataset']}", ""]
    if result["dataset"] in CITATIONS:
        lines += [f"Data: {CITATIONS[result['dataset']]} Measured on, never trained on.", ""]
    lines += ["| figure | " + " | ".join(SYSTEM_TITLES.get(n, n) for n in names) + " |"]
    lines += ["|---|" + "---|" * len(names)]
    for key, title in FIGURES:
        lines.append(f"| {title} | " + " | ".join(str(systems[n].get(key, "")) for n in names) + " |")
    lines += ["", "Shipped thresholds: " + ", ".join(f"{n} {systems[n].get('threshold')}" for n in names), ""]
    lines += _routing_lines(systems)
    for name in names:
        confusions = systems[name].get("worst_confusions") or []
        if confusions:
            lines += [f"## Worst confusions: {SYSTEM_TITLES.get(name, name)}", "", "| expected | answered | count |", "|---|---|---|"]
            lines += [f"| {c['expected']} | {c['answered']} | {c['count']} |" for c in confusions]
            lines.append("")
    return "\n".join(lines)


def _routing_lines(systems: dict[str, Any]) -> list[str]:
    """Shares of each decision on the questions no FAQ answers (systems that decide more than answer/abstain)."""
    lines: list[str] = []
    for name, figures in systems.items():
        routing = figures.get("routing") or {}
        if not routing:
            continue
        decisions = sorted({k for entry in routing.values() for k in entry if k not in ("n", "right_intent")})
        lines += [
            f"## Questions no FAQ answers: what {SYSTEM_TITLES.get(name, name)} did",
            "",
            "| kind | n | " + " | ".join(decisions) + " | right intent |",
            "|---|---|" + "---|" * len(decisions) + "---|",
        ]
        for kind, entry in routing.items():
            cells = " | ".join(str(entry.get(d, 0.0)) for d in decisions)
            lines.append(f"| {kind} | {entry['n']} | {cells} | {entry.get('right_intent', '')} |")
        lines.append("")
    return lines


def plot(result: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5), dpi=110)
    for name, figures in result["systems"].items():
        curve = figures.get("curve") or []
        ax.plot([p["coverage"] for p in curve], [p["precision"] for p in curve], label=SYSTEM_TITLES.get(name, name))
        ax.scatter([figures["coverage"]], [figures["precision_answered"]], marker="o")
    ax.axhline(0.95, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("coverage (share of in-scope questions answered)")
    ax.set_ylabel("precision of answered questions")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Precision against coverage as the threshold moves: {result['dataset']}")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
