"""``forewarn cluster``: cluster a ``ticket_id,text`` CSV into pain points, no warehouse needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli.csv_input import read_text_csv
from pipeline.cli.errors import UserError

if TYPE_CHECKING:  # pandas is heavy: imported when the command runs, not for --help
    import pandas as pd

_COLUMNS = ("ticket_id", "text")


@click.command()
@click.argument("input_csv", type=click.Path(path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path), help="CSV file to write.")
@click.option(
    "--registry",
    "registry_path",
    type=click.Path(path_type=Path),
    default=None,
    help="JSON file of pain point ids from earlier runs; read if present, then updated (keeps ids stable).",
)
@click.option(
    "--min-cluster-size",
    type=click.IntRange(min=1),
    default=None,
    help="Fewest tickets a pain point needs [default: max(3, tickets/1000)].",
)
@click.option(
    "--embedder",
    "embedder_name",
    type=click.Choice(["auto", "onnx", "minilm", "tfidf"]),
    default="auto",
    show_default=True,
    help="auto = all-MiniLM-L6-v2 with int8 weights on ONNX Runtime (else PyTorch) when installed, else TF-IDF/LSA; onnx = the same model in float32 (2.5x slower, vectors independent of batch mates).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the community search.")
def command(
    input_csv: Path,
    out_path: Path,
    registry_path: Path | None,
    min_cluster_size: int | None,
    embedder_name: str,
    seed: int,
) -> None:
    """Cluster INPUT_CSV (columns ticket_id,text) into OUT (ticket_id,pain_point_id,pain_point_label,theme_id,theme_label).

    The number of pain points is found, not given. Tickets that fit none get an empty id and
    label. With --registry, ids carry over from the previous run on the same file or a newer one.
    """
    from tqdm import tqdm

    from detectors.painpoints import (
        PainPointClusterer,
        assign_stable_ids,
        learns_token_weights,
        weights_for_run,
    )

    frame = _read_tickets(input_csv)
    previous, saved_weights, previous_themes = _read_registry(registry_path)
    ticket_ids = frame["ticket_id"].tolist()
    clusterer = PainPointClusterer(min_cluster_size=min_cluster_size, random_state=seed)
    embedder, weights = _embedder(embedder_name), None
    if learns_token_weights(embedder) and registry_path is not None:
        # Keep the token weights of the run that wrote the registry, as detect does: its centroids
        # were pooled with them, so new tickets can still be matched to its pain points.
        texts = clusterer.embedding_texts(frame["text"].tolist())
        embedder, weights, _ = weights_for_run(embedder, texts, saved_weights)
    clusterer.set_params(embedder=embedder)
    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="text" if stage == "embed" else "step", disable=None)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()  # one finished line per stage instead of bars stacked below each other

    prior = previous.prior_groups(ticket_ids) if previous is not None else None
    try:
        clusterer.fit(frame["text"].tolist(), prior_groups=prior, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    mapping, registry, events = assign_stable_ids(previous, ticket_ids, clusterer.result_, texts=frame["text"].tolist())
    labels = {s.pain_point_id: s.label for s in registry.pain_points}
    theme_of, themes = _themes(registry, previous_themes, dict(zip(ticket_ids, frame["text"], strict=True)))
    _write(frame, mapping, labels, out_path, theme_of, themes)
    if registry_path is not None:
        _write_registry(registry, weights, registry_path, themes)
    _summarise(clusterer, mapping, labels, events, out_path, len(frame))


def _embedder(name: str):  # noqa: ANN202 - an Embedder, imported lazily
    from detectors.painpoints import (
        EmbedderUnavailableError,
        MiniLmEmbedder,
        OnnxMiniLmEmbedder,
        TfidfLsaEmbedder,
        default_embedder,
    )

    if name == "tfidf":
        return TfidfLsaEmbedder()
    if name in ("minilm", "onnx"):
        embedder = MiniLmEmbedder() if name == "minilm" else OnnxMiniLmEmbedder()
        try:
            embedder._load()
        except EmbedderUnavailableError as exc:
            raise UserError(
                f"--embedder {name} cannot load all-MiniLM-L6-v2 ({exc}); use --embedder tfidf"
            ) from exc
        return embedder
    return default_embedder()


def _read_tickets(path: Path) -> pd.DataFrame:
    frame = read_text_csv(path, _COLUMNS, row="ticket", purpose="cluster")
    ids = frame["ticket_id"].str.strip()
    blank = ids.eq("")
    if blank.any():
        line = int(blank.to_numpy().argmax()) + 2  # the header is line 1
        raise UserError(f"{path} line {line}: ticket_id is empty; every ticket needs an id")
    duplicated = ids.duplicated()
    if duplicated.any():
        line = int(duplicated.to_numpy().argmax()) + 2
        raise UserError(
            f"{path} line {line}: ticket_id {ids[duplicated].iloc[0]!r} appears twice; ids must be unique"
        )
    frame["ticket_id"] = ids
    # The same plain text `detect` clusters (ingest stores it): a Zendesk export's HTML bodies would
    # otherwise label a pain point "body p good morning", and no label may carry an address or a phone.
    from pipeline.redaction import redact

    frame["text"] = redact(frame["text"])
    return frame


def _read_registry(path: Path | None):  # noqa: ANN202 - (PainPointRegistry, token weights, ThemeRegistry), each or None
    """The registry in ``path`` and the token weights and themes stored beside it (None when absent)."""
    from detectors.painpoints import PainPointRegistry
    from detectors.painpoints.theme_identity import ThemeRegistry

    if path is None or not path.exists():
        return None, None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        themes = ThemeRegistry.from_dict(data["themes"]) if data.get("themes") else None
        return PainPointRegistry.from_dict(data), data.get("token_weights"), themes
    except (json.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
        raise UserError(
            f"{path} is not a pain point registry written by forewarn cluster ({exc}); move it away to start afresh"
        ) from exc


def _themes(registry, previous, ticket_texts):  # noqa: ANN001, ANN202 - (pain point id -> theme id, ThemeRegistry)
    """Themes over the run's pain points, ids kept from the registry file's themes, named by their tickets."""
    from detectors.painpoints.theme_identity import group_into_themes

    theme_of, themes, _ = group_into_themes(registry, previous, ticket_texts=ticket_texts)
    return theme_of, themes


def _write(frame: pd.DataFrame, mapping: dict, labels: dict, out_path: Path, theme_of: dict, themes) -> None:  # noqa: ANN001
    import pandas as pd

    ids = [mapping.get(t) or "" for t in frame["ticket_id"]]
    theme_labels = {t.theme_id: t.label for t in themes.themes}
    theme_ids = [theme_of.get(i, "") if i else "" for i in ids]
    out = pd.DataFrame(
        {
            "ticket_id": frame["ticket_id"],
            "pain_point_id": ids,
            "pain_point_label": [labels.get(i, "") if i else "" for i in ids],
            # Added after the original three, which stay as they were for existing readers.
            "theme_id": theme_ids,
            "theme_label": [theme_labels.get(t, "") if t else "" for t in theme_ids],
        }
    )
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out.to_csv(out_path, index=False)
    except OSError as exc:
        raise UserError(f"cannot write {out_path}: {exc.strerror}") from exc


def _write_registry(registry, weights: dict | None, path: Path, themes) -> None:  # noqa: ANN001
    data = registry.to_dict()
    if weights is not None:
        data["token_weights"] = weights
    data["themes"] = themes.to_dict()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from exc


def _summarise(clusterer, mapping: dict, labels: dict, events: list, out_path: Path, n_rows: int) -> None:  # noqa: ANN001
    from collections import Counter

    sizes = Counter(pid for pid in mapping.values() if pid)
    unassigned = n_rows - sum(sizes.values())
    click.echo(
        f"clustered {n_rows} tickets into {len(sizes)} pain points with {clusterer.embedder_.name}; "
        f"{unassigned} unassigned ({100 * unassigned / n_rows:.1f}%) -> {out_path}"
    )
    for pid, size in sizes.most_common(10):
        click.echo(f"  {pid}  {size:6d}  {labels.get(pid, '')}")
    changes = Counter(e.kind for e in events if e.kind != "created")
    if changes:
        click.echo("  history: " + ", ".join(f"{n} {kind}" for kind, n in sorted(changes.items())))
