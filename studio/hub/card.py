"""The model card (README.md): metadata with ``ModelCardData`` and sections that carry the evidence.

Sections: summary, training data, training configuration, evaluation (every arm and question set,
paraphrase consistency, forgetting, plots), voice (a "Talk like me" run: :mod:`studio.voice.card`), how to
use (PEFT + transformers, vLLM LoRA), limitations. Each states only what is true of the run: the held-out
split is described from the run's frozen test set, a missing evaluation report gives an honest "not
evaluated" card, a merged export is marked as not re-evaluated and carries no ``model-index`` numbers. A
section that fails to build is replaced by a line saying so (and the failure is listed in
``CardContext.problems``), never dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .card_format import arena_lines, evaluation_table, fmt, fmt_ci, md_text  # noqa: F401 - shared with the card's callers
from .report_view import SET_LABELS, ReportView

INDEX_ARM = "tuned"  # model-index carries this model's own numbers only


@dataclass
class DataSummary:
    counts: dict[str, int] = field(default_factory=dict)  # split -> rows
    facts: int | None = None
    documents: list[str] = field(default_factory=list)
    generator: str = ""
    kinds: dict[str, int] = field(default_factory=dict)
    test_sets: dict[str, int] = field(default_factory=dict)  # held-out questions per evaluation set
    heldout_phrasings: int = 0  # test questions that are unseen phrasings of trained facts
    heldout_phrasing_facts: int = 0  # the trained facts those phrasings belong to
    voice_heldout: int = 0  # author passages held out for the voice evaluation

    @property
    def imported(self) -> bool:
        return bool(self.kinds.get("imported"))


@dataclass
class CardContext:
    repo_id: str
    base_model: str  # a Hub id where known (what the card's metadata names)
    merged: bool = False
    license: str = "other"
    language: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    recipe: dict = field(default_factory=dict)
    recipe_file: str = ""  # name of the recipe YAML in the staged folder
    method: str = ""  # qlora / lora
    data: DataSummary = field(default_factory=DataSummary)
    report: ReportView | None = None
    report_file: str = ""  # path of report.json inside the staged folder
    plots: list[str] = field(default_factory=list)  # paths inside the staged folder
    system_prompt: str = ""
    lora_rank: int | None = None
    title: str = ""
    base_display: str = ""  # shown in text when the base has no Hub id (a local folder's name)
    base_origin: str = ""  # where the base weights really came from when not the Hub checkpoint (bundled GGUF)
    problems: list[str] = field(default_factory=list)  # sections that could not be written (filled by sections())

    @property
    def base_name(self) -> str:
        return self.base_model or self.base_display or "the base model"

    def base_link(self) -> str:
        if self.base_model:
            return f"[{self.base_model}](https://huggingface.co/{self.base_model})"
        return f"`{md_text(self.base_name)}` (a local model)"


Section = tuple[str, str]  # (heading, markdown body)


# ---- metadata --------------------------------------------------------------------------------------
def eval_results(ctx: CardContext):
    from huggingface_hub import EvalResult

    if ctx.merged or not ctx.report or not ctx.report.evaluated:
        return []
    dataset = ctx.datasets[0] if ctx.datasets else f"{ctx.repo_id}-heldout"
    results = []
    for row in ctx.report.rows:
        if row.arm != INDEX_ARM:
            continue
        results.append(EvalResult(
            task_type="question-answering", task_name="Closed-book QA on the documents",
            dataset_type=dataset, dataset_name=SET_LABELS.get(row.set, row.set), dataset_config=row.set,
            dataset_split="test", metric_type=row.metric, metric_value=row.value,
            metric_name=f"{row.metric} ({row.set})",
        ))
    return results


def card_data(ctx: CardContext):
    from huggingface_hub import ModelCardData

    tags = list(dict.fromkeys(["fine-tuning-studio", "lora", *(["peft"] if not ctx.merged else ["merged"]),
                               *(["qlora"] if ctx.method == "qlora" else []), *ctx.tags]))
    results = eval_results(ctx)
    return ModelCardData(
        base_model=ctx.base_model or None,
        library_name="transformers" if ctx.merged else "peft",
        pipeline_tag="text-generation",
        license=ctx.license or None,
        language=ctx.language or None,
        tags=tags,
        datasets=ctx.datasets or None,
        model_name=ctx.repo_id.split("/")[-1],
        eval_results=results or None,
    )


# ---- sections --------------------------------------------------------------------------------------
def _summary(ctx: CardContext) -> str:
    kind = "merged weights of a LoRA fine-tune" if ctx.merged else "a LoRA adapter"
    method = {"qlora": " (QLoRA: trained on a 4-bit NF4 base)", "lora": " (LoRA on a full-precision base)"}
    goal = ("to write in the voice of an author" if _voice_only(ctx) else
            "to answer questions about a set of documents and write in an author's voice" if ctx.data.kinds.get("voice")
            else "to answer questions about a set of documents")
    lines = [f"This repository holds {kind}{method.get(ctx.method, '')} of "
             f"{ctx.base_link()}, made with Fine-Tuning Studio {goal}."]
    if ctx.base_origin:
        lines.append(ctx.base_origin)
    report = ctx.report
    if ctx.merged:
        lines.append("The merged weights were **not re-evaluated**; the numbers below were measured on the base "
                     "model with the adapter applied." if report and report.evaluated else
                     "This model was **not evaluated**.")
    elif not report or not (report.evaluated or _voice_result(ctx)):
        lines.append("This adapter was not evaluated: no evaluation report was found for its run, so nothing here "
                     "shows that it answers better than the base model.")
    elif report.verdict:
        lines.append(f"Verdict of the evaluation: {md_text(report.verdict)}")
    else:
        tuned, base = report.get("tuned", "phrasings", "accuracy"), report.get("base", "phrasings", "accuracy")
        if tuned and base:
            lines.append(f"On questions phrased in ways it never saw in training it answers "
                         f"{fmt('accuracy', tuned.value)} correctly, against {fmt('accuracy', base.value)} for the base model.")
    return "\n\n".join(lines)


def _training_data(ctx: CardContext) -> str:
    d = ctx.data
    lines = []
    if d.documents:
        shown = ", ".join(md_text(x) for x in d.documents[:20])
        more = f" and {len(d.documents) - 20} more" if len(d.documents) > 20 else ""
        lines.append(f"- Source documents ({len(d.documents)}): {shown}{more}")
    if d.counts:
        lines.append("- Question-answer pairs per split: " + ", ".join(f"{k} {v}" for k, v in d.counts.items()))
    if d.facts is not None:
        lines.append(f"- Distinct facts: {d.facts}")
    if d.kinds:
        lines.append("- Pair kinds: " + ", ".join(f"{md_text(k)} {v}" for k, v in d.kinds.items()))
    if d.test_sets:
        lines.append("- Held-out questions (never trained): " + ", ".join(
            f"{SET_LABELS.get(k, md_text(k))} {v}" for k, v in d.test_sets.items()))
    if d.generator:
        lines.append(f"- Questions and paraphrases generated by: {md_text(d.generator)}")
    if not lines:
        return "The training data summary is not available for this adapter."
    lines += held_out_statement(d)
    return "\n".join(lines)


def held_out_statement(d: DataSummary) -> list[str]:
    """What the run's frozen test set really holds out, and so what its evaluation can show."""
    out = []
    if d.heldout_phrasings:
        if d.heldout_phrasings == d.heldout_phrasing_facts:
            how = f"for each of {d.heldout_phrasing_facts} trained facts, one phrasing was held out"
        else:
            how = (f"{d.heldout_phrasings} phrasings of {d.heldout_phrasing_facts} trained facts were held out "
                   "(other phrasings of the same facts were trained)")
        out.append(f"- Split by phrasing: {how} for testing and never trained on, so the evaluation asks about "
                   "taught facts in words the model never saw.")
    elif d.voice_heldout and not d.test_sets.get("facts"):
        pass  # a voice run: its held-out set is the author's passages (below)
    else:
        origin = " (the pairs were imported without held-out phrasings)" if d.imported else ""
        out.append(f"- No phrasing of a trained fact was held out{origin}. The evaluation can show whether the model "
                   "answers the questions it was trained on (memory of its training pairs)"
                   + (" and questions about facts held out whole" if d.test_sets.get("facts") else "")
                   + "; it cannot show that it learned the trained facts well enough to answer them asked in new words.")
    if d.voice_heldout:
        out.append(f"- Voice: {d.voice_heldout} of the author's passages were held out (never trained) as the style test.")
    return out


_RECIPE_KEYS = ("base_model", "method", "lora_r", "lora_alpha", "lora_dropout", "lora_targets", "lr", "epochs",
                "max_steps", "batch_size", "grad_accum", "max_length", "packing", "seed", "preset")


def _training_config(ctx: CardContext) -> str:
    recipe = ctx.recipe.get("train", ctx.recipe) if isinstance(ctx.recipe.get("train"), dict) else ctx.recipe
    rows = [(k, recipe[k]) for k in _RECIPE_KEYS if k in recipe and recipe[k] not in (None, "")]
    rows = [(k, ctx.base_name if k == "base_model" else v) for k, v in rows]
    if not rows:
        body = "The training recipe is not available."
    else:
        body = "| setting | value |\n|---|---|\n" + "\n".join(f"| {k} | {md_text(v)} |" for k, v in rows)
    if ctx.recipe_file:
        body += f"\n\nThe full recipe is in [`{ctx.recipe_file}`]({ctx.recipe_file}); `python -m studio train` replays it."
    if ctx.system_prompt:
        body += f"\n\nSystem prompt used in training and evaluation: \"{md_text(ctx.system_prompt)}\""
    return body


def _evaluation(ctx: CardContext) -> str:
    report = ctx.report
    if report and not report.evaluated and _voice_result(ctx):
        return "\n\n".join(["No question-answer evaluation: this run was evaluated on its voice only (next section).",
                            *arena_lines(report.raw)])
    if not report or not report.evaluated:
        return ("**Not evaluated.** No evaluation report was found for this run. Run "
                "`python -m studio evaluate --adapter <adapter folder> ...` (or the Evaluate tab) and push again "
                "to put the evidence here.")
    parts = []
    if ctx.merged:
        parts.append("_Measured on the base model with the adapter applied; the merged weights in this repository "
                     "were not re-evaluated._")
    parts.append("Accuracy is over every held-out phrasing; strict accuracy counts a fact only when all its phrasings "
                 "are right; paraphrase consistency is the share of facts whose answers agree and are right across "
                 "all phrasings. Brackets are bootstrap 95% confidence intervals.")
    parts.append(evaluation_table(report))
    if report.gap_recovered is not None:
        parts.append(f"Retrieval gap recovered by fine-tuning: {report.gap_recovered:.2f} "
                     "((tuned - base) / (base + retrieval - base)).")
    if report.verdict:
        parts.append(f"Verdict: {md_text(report.verdict)}")
    parts += arena_lines(report.raw)
    for plot in ctx.plots:
        name = plot.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("_", " ")
        parts.append(f"![{md_text(name)}]({plot})")
    if ctx.report_file:
        parts.append(f"Full report: [`{ctx.report_file}`]({ctx.report_file}).")
    return "\n\n".join(parts)


def _how_to_use(ctx: CardContext) -> str:
    system = ctx.system_prompt.replace('"', '\\"').replace("\n", "\\n")
    messages = (f'[{{"role": "system", "content": "{system}"}}, {{"role": "user", "content": "Your question"}}]'
                if system else '[{"role": "user", "content": "Your question"}]')
    gen = ("inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors=\"pt\", "
           "return_dict=True).to(model.device)\nout = model.generate(**inputs, max_new_tokens=256)\n"
           "print(tok.decode(out[0][inputs[\"input_ids\"].shape[1]:], skip_special_tokens=True))")
    if ctx.merged:
        return ("With transformers:\n\n```python\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
                f"tok = AutoTokenizer.from_pretrained(\"{ctx.repo_id}\")\n"
                f"model = AutoModelForCausalLM.from_pretrained(\"{ctx.repo_id}\", dtype=\"auto\", device_map=\"auto\")\n"
                f"messages = {messages}\n{gen}\n```\n\nWith vLLM:\n\n```bash\nvllm serve {ctx.repo_id}\n```")
    rank = ctx.lora_rank or 16
    return ("With PEFT and transformers:\n\n```python\nfrom peft import PeftModel\n"
            "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
            f"base = AutoModelForCausalLM.from_pretrained(\"{ctx.base_name}\", dtype=\"auto\", device_map=\"auto\")\n"
            f"model = PeftModel.from_pretrained(base, \"{ctx.repo_id}\")\n"
            f"tok = AutoTokenizer.from_pretrained(\"{ctx.repo_id}\")\n"
            f"messages = {messages}\n{gen}\n```\n\n"
            "With vLLM (LoRA served on top of the base model):\n\n```bash\n"
            f"vllm serve {ctx.base_name} --enable-lora --max-lora-rank {max(rank, 8)} \\\n"
            f"  --lora-modules tuned={ctx.repo_id}\n```\n\n"
            "```python\nfrom huggingface_hub import snapshot_download\nfrom vllm import LLM, SamplingParams\n"
            "from vllm.lora.request import LoRARequest\n\n"
            f"llm = LLM(model=\"{ctx.base_name}\", enable_lora=True, max_lora_rank={max(rank, 8)})\n"
            f"lora = LoRARequest(\"tuned\", 1, snapshot_download(\"{ctx.repo_id}\"))\n"
            f"out = llm.chat({messages}, SamplingParams(max_tokens=256), lora_request=lora)\n"
            "print(out[0].outputs[0].text)\n```")


def _limitations(ctx: CardContext) -> str:
    items = [
        "It was trained to answer questions about specific documents; outside them it behaves like the base model, "
        "with the base model's limits and biases.",
        "Fine-tuning stores facts imperfectly: check important answers against the source, or combine the model "
        "with retrieval over the documents.",
    ]
    kinds = ctx.data.kinds
    if kinds.get("fact") or kinds.get("paraphrase"):
        items.insert(1, "Training questions and paraphrases were written by a language model from the documents; "
                        "errors in that generation can be learned.")
    if kinds.get("voice"):
        items.insert(1, "The voice pairs' questions were written by a language model for the author's own passages; "
                        "the style score measures word habits, not the truth of what the model says.")
    if ctx.data.imported:
        items.insert(1, "Some training pairs were imported from a file: their quality was not checked by the studio.")
    report = ctx.report
    if report and report.evaluated:
        small = [r for r in report.rows if r.arm == "tuned" and r.n is not None and r.n < 50]
        if small:
            items.append(f"The evaluation sets are small (as few as {min(r.n for r in small)} questions): "
                         "the confidence intervals are wide.")
        tuned = report.get("tuned", "phrasings", "accuracy")
        rag = report.get("base+rag", "phrasings", "accuracy")
        if tuned and rag and rag.value > tuned.value:
            items.append("Retrieval over the documents scored higher than this fine-tune on unseen phrasings.")
        items += [md_text(a) for a in report.advice]
    elif not _voice_result(ctx):
        items.append("Without an evaluation report there is no evidence here that the model learned the documents.")
    if ctx.merged:
        items.append("Merged weights were not re-evaluated after merging.")
    from .expectations import card_expectations

    items += card_expectations(ctx.base_model or ctx.base_display, ctx.data.counts.get("train"), ctx.report,
                               bool(_voice_result(ctx)))
    return "\n".join(f"- {item}" for item in items)


def _voice_result(ctx: CardContext) -> dict | None:
    raw = ctx.report.raw if ctx.report else None
    voice = raw.get("voice") if isinstance(raw, dict) else None
    return voice if isinstance(voice, dict) and voice else None


def _voice_only(ctx: CardContext) -> bool:
    kinds = ctx.data.kinds
    return bool(kinds.get("voice")) and not any(kinds.get(k) for k in ("fact", "paraphrase", "imported", "manual"))


def _voice(ctx: CardContext) -> str | None:
    """The voice/style section of a "Talk like me" run (None when the run has no voice evaluation)."""
    from ..voice.card import voice_section

    return voice_section(_voice_result(ctx))


def sections(ctx: CardContext) -> list[Section]:
    """Every section in order; one that fails is replaced by a line naming the failure (see ``ctx.problems``)."""
    builders = [("Summary", _summary), ("Training data", _training_data), ("Training configuration", _training_config),
                ("Evaluation", _evaluation), ("Voice", _voice), ("How to use", _how_to_use),
                ("Limitations", _limitations)]
    out: list[Section] = []
    for heading, build in builders:
        try:
            body = build(ctx)
        except Exception as exc:  # noqa: BLE001 - shown in the card and listed, never swallowed
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            ctx.problems.append(f"model card section {heading!r} could not be written: {reason}")
            body = f"_This section could not be written: {md_text(reason)}._"
        if body:
            out.append((heading, body))
    return out


def card_body(ctx: CardContext) -> str:
    title = ctx.title or ctx.repo_id.split("/")[-1]
    parts = [f"# {md_text(title)}"]
    for heading, body in sections(ctx):
        parts.append(f"## {heading}\n\n{body}")
    parts.append("_Made with Fine-Tuning Studio._")
    return "\n\n".join(parts) + "\n"


def build_card(ctx: CardContext):
    """The ``huggingface_hub.ModelCard`` (metadata + body) for ``ctx``."""
    from huggingface_hub import ModelCard

    data = card_data(ctx)
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{card_body(ctx)}")


def check_card_text(text: str):
    """Parse an edited README; raises ValueError with a readable line when its metadata is broken."""
    from huggingface_hub import ModelCard

    if not text.strip():
        raise ValueError("the model card is empty")
    try:
        card = ModelCard(text, ignore_metadata_errors=False)
    except Exception as exc:  # noqa: BLE001 - yaml/metadata errors come in many types
        raise ValueError(f"the model card's metadata (the YAML between the --- lines) is invalid: "
                         f"{str(exc).splitlines()[0]}") from None
    return card
