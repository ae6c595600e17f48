"""``forewarn cluster INPUT.csv --out OUT.csv``."""

from __future__ import annotations

import json

import pandas as pd
from painpoint_synthetic import make_tickets

from pipeline.cli import main


def _write_input(path, texts):
    pd.DataFrame({"ticket_id": [f"T{i}" for i in range(len(texts))], "text": texts}).to_csv(path, index=False)


def test_cluster_writes_ids_and_labels_and_keeps_ids_with_a_registry(tmp_path, capsys):
    texts, _ = make_tickets()
    texts += ["???"]
    _write_input(tmp_path / "in.csv", texts)
    args = ["cluster", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv"), "--embedder", "tfidf"]
    assert main([*args, "--registry", str(tmp_path / "reg.json")]) == 0
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    # The original three columns first, unchanged; the themes after them.
    assert list(out.columns) == ["ticket_id", "pain_point_id", "pain_point_label", "theme_id", "theme_label"]
    assert out["ticket_id"].tolist() == [f"T{i}" for i in range(len(texts))]
    assert out["pain_point_id"].iloc[-1] == "" and out["pain_point_label"].iloc[-1] == ""
    assigned = out[out["pain_point_id"] != ""]
    assert assigned["pain_point_id"].str.fullmatch(r"pp-\d{6}").all()
    assert (assigned["pain_point_label"] != "").all()
    assert assigned["theme_id"].str.fullmatch(r"th-\d{4}").all() and (assigned["theme_label"] != "").all()
    assert (out["theme_id"] == "").sum() == (out["pain_point_id"] == "").sum()
    assert "pain points" in capsys.readouterr().out
    # Same file again with the registry: same ids.
    assert main([*args, "--registry", str(tmp_path / "reg.json")]) == 0
    again = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert again["pain_point_id"].tolist() == out["pain_point_id"].tolist()
    assert again["theme_id"].tolist() == out["theme_id"].tolist()


def test_missing_file_is_one_clear_line(tmp_path, capsys):
    assert main(["cluster", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "ticket_id,text" in err and "Traceback" not in err


def test_missing_columns_and_empty_file_are_clear(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("id,body\n1,hello\n")
    assert main(["cluster", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "has no column ticket_id or text" in capsys.readouterr().err
    (tmp_path / "empty.csv").write_text("")
    assert main(["cluster", str(tmp_path / "empty.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "is empty" in capsys.readouterr().err
    (tmp_path / "header.csv").write_text("ticket_id,text\n")
    assert main(["cluster", str(tmp_path / "header.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "no rows" in capsys.readouterr().err


def test_duplicate_ticket_ids_name_the_line(tmp_path, capsys):
    (tmp_path / "dup.csv").write_text("ticket_id,text\nA,card declined\nA,card declined again\n")
    assert main(["cluster", str(tmp_path / "dup.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "line 3" in capsys.readouterr().err


def test_the_registry_keeps_the_token_weights_its_centroids_were_pooled_with(tmp_path, minilm_idf):
    texts, _ = make_tickets(seed=4)
    registry = tmp_path / "reg.json"
    args = ["cluster", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv"), "--embedder", "onnx"]
    _write_input(tmp_path / "in.csv", texts[: len(texts) // 2 + 5])
    assert main([*args, "--registry", str(registry)]) == 0
    first = json.loads(registry.read_text())
    # more tickets, but not twice as many: the same weights, so the same vector space
    _write_input(tmp_path / "in.csv", texts[: len(texts) // 2 + 15])
    assert main([*args, "--registry", str(registry)]) == 0
    second = json.loads(registry.read_text())
    assert second["token_weights"] == first["token_weights"]
    assert second["embedder_name"] == first["embedder_name"] and "-idf#" in first["embedder_name"]
    # a young table whose queue doubled is refitted (21 distinct texts, now 60)
    _write_input(tmp_path / "in.csv", [f"{t} (order {i})" for i, t in enumerate(texts)])
    assert main([*args, "--registry", str(registry)]) == 0
    third = json.loads(registry.read_text())
    assert third["token_weights"]["weights"]["n_texts"] > first["token_weights"]["weights"]["n_texts"]
    assert third["embedder_name"] != first["embedder_name"]



def test_the_cluster_command_reads_the_plain_redacted_text_detect_clusters(tmp_path):
    # Zendesk exports carry HTML bodies: the demo's first week, clustered from the raw export, had a
    # pain point labelled "body p good morning". The command clusters what ingest stores for detect.
    from pipeline.cli.cluster import _read_tickets

    raw = "help please. <html><body><p>Good morning,</p><br><p>Export &amp; import fail.</p><p>jane.doe@example.com</p></body></html>"
    _write_input(tmp_path / "in.csv", [raw, "Card declined, call me on +44 20 7946 0958"])
    texts = _read_tickets(tmp_path / "in.csv")["text"].tolist()
    assert texts[0] == "help please. Good morning, Export & import fail. [email]"
    assert "7946" not in texts[1] and texts[1].startswith("Card declined, call me on")
