"""Record shapes of every export format, built from one pair.

- ``openai``: ``{"messages": [system?, user, assistant]}`` per JSONL line (OpenAI chat fine-tuning, TRL).
- ``alpaca``: ``{"instruction", "input", "output", "system"?}`` in a JSON list.
- ``sharegpt``: ``{"conversations": [{"from": "human"}, {"from": "gpt"}], "system"?}`` in a JSON list.
- ``table`` (CSV, Parquet): one column per field, with ``id`` and ``version`` for the review round trip.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("openai", "alpaca", "sharegpt", "llamafactory", "parquet", "csv")
EXTENSIONS = {"openai": ".jsonl", "alpaca": ".json", "sharegpt": ".json", "parquet": ".parquet", "csv": ".csv"}
TABLE_COLUMNS = (
    "id", "version", "question", "answer", "key_answer", "split", "status", "kind", "flags", "fact_id",
    "document", "heading", "judge_score",
)


def openai_record(pair: dict, system_prompt: str | None = None) -> dict[str, Any]:
    msgs = [{"role": "system", "content": system_prompt}] if system_prompt else []
    msgs += [{"role": "user", "content": pair["question"]}, {"role": "assistant", "content": pair["answer"]}]
    return {"messages": msgs}


def alpaca_record(pair: dict, system_prompt: str | None = None) -> dict[str, Any]:
    rec = {"instruction": pair["question"], "input": "", "output": pair["answer"]}
    if system_prompt:
        rec["system"] = system_prompt
    return rec


def sharegpt_record(pair: dict, system_prompt: str | None = None) -> dict[str, Any]:
    rec: dict[str, Any] = {"conversations": [{"from": "human", "value": pair["question"]},
                                             {"from": "gpt", "value": pair["answer"]}]}
    if system_prompt:
        rec["system"] = system_prompt
    return rec


def table_record(pair: dict, system_prompt: str | None = None) -> dict[str, Any]:
    rec = {k: pair.get(k) for k in TABLE_COLUMNS}
    rec["heading"] = pair.get("heading_path") or ""
    for k in ("key_answer", "flags", "fact_id", "document"):
        rec[k] = rec[k] or ""
    return rec


RECORD_BUILDERS = {
    "openai": openai_record,
    "alpaca": alpaca_record,
    "sharegpt": sharegpt_record,
    "llamafactory": alpaca_record,
    "parquet": table_record,
    "csv": table_record,
}
