"""`patientbot eval`: PatientBot against stock Rasa and TF-IDF; `patientbot eval safety`: the red-flag layer;
`patientbot eval groups`: the support groups' myth watch and red flags in group-chat style."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.paths import EVAL_DIR, MODELS_DIR

DATASET_CHOICES = ("own", "covid_q", "liveqa_medical", "paraphrases", "advice_boundary", "all")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure answer quality (default), the safety layer (`eval safety`) or the group myth watch (`eval groups`)",
        description="`patientbot eval [--dataset NAME] [--json]` compares PatientBot, stock Rasa "
        "(default config, same data) and a TF-IDF baseline; `patientbot eval safety` measures the "
        "red-flag detector; `patientbot eval groups` the support groups' myth watch (precision, recall) and "
        "red-flag recall on group-style emergencies. Reports go to eval/reports/.",
    )
    parser.add_argument(
        "suite", nargs="?", choices=("faq", "safety", "groups"), default="faq", help="what to evaluate"
    )
    parser.add_argument("--dataset", choices=DATASET_CHOICES, default="all", help="dataset (default all)")
    parser.add_argument("--json", action="store_true", help="end with one JSON object per dataset")
    parser.add_argument(
        "--cross-validate",
        action="store_true",
        help="safety: five-fold cross-validation of the semantic detector's bars on its own examples",
    )
    parser.add_argument("--model", type=Path, default=MODELS_DIR / "patientbot.tar.gz", help="PatientBot model")
    parser.add_argument(
        "--stock-model", type=Path, default=None,
        help="stock Rasa model (default: models/stock.tar.gz, trained on the same data when stale)",
    )
    parser.add_argument(
        "--before-model", type=Path, default=None,
        help="model of the FAQ gate before issue 17 (default: models/gate_before_17.tar.gz, trained when stale)",
    )
    parser.add_argument(
        "--systems", default="patientbot,patientbot_before,rasa_default,tfidf",
        help="comma-separated systems (patientbot_before: the FAQ gate before issue 17, trained when stale)",
    )
    parser.add_argument("--report-dir", type=Path, default=EVAL_DIR / "reports", help="where reports go")
    parser.set_defaults(func=cmd_eval)


def _gate_threshold() -> float | None:
    import yaml

    from bot.training import CONFIG_FILE

    config = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    for component in config.get("pipeline", []):
        if component.get("name", "").endswith("FAQAnswerGate"):
            return float(component.get("answer_at" if component.get("calibrated") else "threshold", 0.6))
    return None


def cmd_eval(args: argparse.Namespace) -> int:
    if args.suite == "safety":
        return _eval_safety(args)
    if args.suite == "groups":
        return _eval_groups(args)
    from bot.evaluation.datasets import DATASETS
    from bot.evaluation.runner import SYSTEMS, compact, evaluate, write_report
    from bot.training import GATE_BEFORE_CONFIG_FILE, STOCK_CONFIG_FILE, ensure_model

    systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        print(f"error: unknown systems {sorted(unknown)} (known: {', '.join(SYSTEMS)})", file=sys.stderr)
        return 2
    if not args.model.exists():
        print(f"error: no model at {args.model}: run `make setup` first", file=sys.stderr)
        return 2
    stock = before = None
    if "rasa_default" in systems:
        stock = args.stock_model or ensure_model("stock", STOCK_CONFIG_FILE)
    if "patientbot_before" in systems:
        before = args.before_model or ensure_model("gate_before_17", GATE_BEFORE_CONFIG_FILE)
    datasets = DATASETS if args.dataset == "all" else (args.dataset,)
    runners: dict = {}
    lines = []
    for dataset in datasets:
        result = evaluate(
            dataset, patientbot_model=args.model, stock_model=stock, systems=systems,
            patientbot_threshold=_gate_threshold(), runners=runners, before_model=before,
        )
        md_path, png_path = write_report(result, args.report_dir)
        print(f"{dataset}: report {md_path}, plot {png_path}", file=sys.stderr)
        for name, figures in result["systems"].items():
            print(
                f"  {name:13s} acc={figures['accuracy_in_scope']:.3f} cov={figures['coverage']:.3f} "
                f"prec={figures['precision_answered']:.3f} oos_wrong={figures['oos_wrong_rate']:.3f} "
                f"cov@p95={figures['coverage_at_precision_95']:.3f} one_tap={figures['one_tap_rate']:.3f} "
                f"suggest_oos={figures['suggest_rate_out_of_scope']:.3f} "
                f"urgent={figures['urgent_tier_rate']:.3f} "
                f"(n_in={figures['n_in_scope']}, n_out={figures['n_out_of_scope']})",
                file=sys.stderr,
            )
            for kind, entry in (figures.get("routing") or {}).items():
                shares = ", ".join(f"{k} {v:.2f}" for k, v in entry.items() if k != "n")
                print(f"  {'':13s} {kind} (n={entry['n']}): {shares}", file=sys.stderr)
        lines.append(json.dumps(compact(result)))
    if args.json:
        for line in lines:
            print(line)
    return 0


def _eval_safety(args: argparse.Namespace) -> int:
    from bot.safety.evaluation import evaluate_safety, format_safety_report

    if args.cross_validate:
        from bot.safety.evaluation import cross_validate_semantic

        figures = cross_validate_semantic()
        print(json.dumps(figures, indent=2))
        return 0
    result = evaluate_safety()
    print(format_safety_report(result), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(result, default=str))
    return 0


def _eval_groups(args: argparse.Namespace) -> int:
    from bot.groups.evaluation import evaluate_groups, format_groups_report
    from bot.groups.myth_watch import load_myth_watch
    from bot.safety.net import get_safety_net

    result = evaluate_groups(load_myth_watch(), get_safety_net())
    print(format_groups_report(result), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(result))
    return 0
