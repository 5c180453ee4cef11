"""Core records that flow through halprobe, as frozen dataclasses.

Validation happens once, at file and HTTP boundaries (see ``halprobe.suites.schema``);
inside the package these records are trusted and immutable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict


class AnswerType(StrEnum):
    """Which matcher grades an item (docs/metrics.md section 1)."""

    ENTITY = "entity"
    PERSON = "person"
    TITLE = "title"
    DATE = "date"
    YEAR = "year"


class Precision(StrEnum):
    """How precisely a date answer must match the gold date."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Label(StrEnum):
    """Outcome of one probe item (docs/metrics.md section 1).

    ``UNSCORED`` is never a grading verdict about the model: it marks a row the grader could
    not judge (or a backend error), and is counted and reported separately (docs/style.md habit 4).
    """

    CORRECT = "correct"
    HALLUCINATED = "hallucinated"
    ABSTAINED = "abstained"
    NON_ANSWER = "non_answer"
    VAGUE = "vague"
    UNSCORED = "unscored"


# Labels under which a response states no answer (its matched text is no claim to score).
NO_CLAIM = frozenset({Label.ABSTAINED, Label.NON_ANSWER})


@dataclass(frozen=True)
class Message:
    """One chat message, or (role ``completion``) the whole text of a completion prompt."""

    role: str
    content: str


FOLLOWUP_ROLE = "followup"  # a pseudo-role: the second user turn, sent after the first answer
AFTER_CUTOFF = "after-cutoff"  # the suite suffix of items dated after a knowledge cutoff


@dataclass(frozen=True)
class Transform:
    """How to change a prompt (docs/metrics.md 5, 8); ``target`` is the confidence target t
    it states, if any. Built-ins and user files: ``halprobe.variants.transforms``."""

    name: str
    description: str = ""
    system: str | None = None
    prefix: str = ""
    suffix: str = ""
    followup: str | None = None
    target: float | None = None

    def apply(self, messages: Sequence[Message]) -> list[Message]:
        """The messages with this transform's system text, prefix, suffix and follow-up."""
        out = list(messages)
        if self.system:
            sys_at = next((n for n, m in enumerate(out) if m.role == "system"), None)
            if sys_at is None:
                out.insert(0, Message("system", self.system))
            else:
                out[sys_at] = Message("system", f"{out[sys_at].content}\n\n{self.system}")
        user_at = max(n for n, m in enumerate(out) if m.role == "user")
        text = " ".join(p for p in (self.prefix, out[user_at].content, self.suffix) if p)
        out[user_at] = Message("user", text)
        if self.followup:
            out.append(Message(FOLLOWUP_ROLE, self.followup))
        return out


@dataclass(frozen=True)
class Variant:
    """How one row of a run asks its item, beyond the suite's plain prompt.

    A plain item has the empty variant. ``halprobe.variants`` builds the others: a prompt
    transform and/or confidence target (``transform``, composed; ``prompt_transform`` is the
    name the user gave), a prompt form (``form``, e.g. obituary), the after-cutoff mark, and
    the k-th temperature-1 sample. The row's id and suite carry a readable suffix
    (``ID@idk``, ``SUITE@after-cutoff``, ``ID#s3``); analysis reads the fields this writes to
    the row (``row_fields``), never those suffixes.
    """

    transform: Transform | None = None
    prompt_transform: str | None = None
    form: str | None = None
    after_cutoff: bool | None = None  # None: no knowledge cutoff given, or the item is undated
    sample_index: int | None = None
    base_id: str | None = None  # the suite item's id (set once the item is a variant)
    base_suite: str | None = None  # the suite the item was loaded from
    sample_of: str | None = None  # the id of the row a sample repeats
    kind: Any = None  # the item's control kind, written with the variant columns

    @property
    def name(self) -> str | None:
        """'obituary+idk': the form and transform a row is asked under; None when plain."""
        parts = [p for p in (self.form, self.transform.name if self.transform else None) if p]
        return "+".join(parts) or None

    @property
    def target(self) -> float | None:
        return self.transform.target if self.transform else None

    def row_fields(self) -> dict[str, Any]:
        """The response-row columns of this variant, in the order runs have always had them
        (none for a plain item)."""
        fields: dict[str, Any] = {}
        if self.name:
            fields.update(base_id=self.base_id, base_suite=self.base_suite, variant=self.name,
                          transform=self.prompt_transform, target=self.target, form=self.form,
                          kind=self.kind)
        if self.after_cutoff is not None:
            fields["after_cutoff"] = self.after_cutoff
            fields.setdefault("base_suite", self.base_suite)
        if self.sample_of is not None:
            fields.update(sample_of=self.sample_of, sample_index=self.sample_index)
        return fields


PLAIN_VARIANT = Variant()


@dataclass(frozen=True)
class ProbeItem:
    """One factual question with its gold answer, as stored in ``items.jsonl``.

    ``bin`` is the frequency bin (0 = rarest) assigned when the suite is loaded, from the
    suite's bin edges, or given explicitly by controls that mimic another suite's bin.
    """

    id: str
    suite: str
    question: str
    answer: str | None
    aliases: tuple[str, ...]
    answer_type: AnswerType
    exists: bool = True
    popularity: float | None = None
    proxy: str | None = None
    precision: Precision | None = None
    event_date: str | None = None
    subject: str | None = None
    bin: int | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # how this row of the run asks the item (plain, a transform, a form, a sample, ...)
    variant: Variant = field(default_factory=lambda: PLAIN_VARIANT)


@dataclass(frozen=True)
class Grade:
    """A matcher's verdict: the label, the text span it rests on, and why.

    A text read as many claims (the obituary form) also lists the claims it checked
    and those it found false ("death date January 22, 2020"); None where nothing is listed.
    """

    label: Label
    matched: str | None = None
    reason: str = ""
    claims_checked: tuple[str, ...] | None = None
    claims_false: tuple[str, ...] = ()

    def claim_fields(self, prefix: str = "") -> dict[str, list[str]]:
        """The claim lists as result-row fields (none for a one-fact answer)."""
        if self.claims_checked is None:
            return {}
        return {f"{prefix}claims_checked": list(self.claims_checked),
                f"{prefix}claims_false": list(self.claims_false)}


# A prompt of one Message with this role is plain text for a base model: no chat template is
# applied and the answer ends at the end of its line (prompts.py builds it).
COMPLETION_ROLE = "completion"


def completion_text(prompt: Sequence[Message]) -> str | None:
    """The text of a completion prompt, or None for a chat prompt."""
    if len(prompt) == 1 and prompt[0].role == COMPLETION_ROLE:
        return prompt[0].content
    return None


@dataclass(frozen=True)
class DecodingParams:
    """Everything about decoding that changes the output (and so enters cache keys)."""

    max_tokens: int = 48
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    sample_index: int = 0


@dataclass(frozen=True)
class Generation:
    """What a backend returns for one prompt.

    ``token_logprobs`` holds the log-probability of each generated token under the model,
    or None when the backend cannot give them (never made-up values).
    """

    text: str
    tokens: tuple[str, ...] | None = None
    token_logprobs: tuple[float, ...] | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    # Answer, then verify (``run.followup.FollowupBackend``): the reply before the follow-up
    # turn, ``text`` being the reply after it; None for a one-turn prompt.
    first_text: str | None = None


NATIVE_WEIGHTS = "native"  # scores computed with generation's own weights and arithmetic


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do; the runner adapts to it."""

    logprobs: bool
    batching: bool = False
    max_batch_size: int = 1
    max_concurrency: int = 1
    # False for a base model without a chat template: it can only be asked completion prompts
    chat_template: bool = True
    # teacher-forced scoring of given continuations (Backend.score)
    scoring: bool = False
    # the weights scores are computed with: "native" (generation's own arithmetic), or a
    # float copy ("f32", "f16", "bf16"), whose scores are not mixed with sampled answers
    score_weights: str = NATIVE_WEIGHTS
    # a continuation's score is the probability of the whole answer in any prompt style (the
    # synth models answer with the bare answer); otherwise only a completion prompt's is (its
    # continuation ends the answer line), a chat prompt's is of the reply's first tokens
    scores_whole_answers: bool = False


LINE_END = "\n"  # a scored continuation ending in it is scored up to the end of its line


@dataclass(frozen=True)
class ScoreRequest:
    """Teacher-forced scoring: the log-probability of each continuation after the prompt.

    A continuation that ends in a line break (LINE_END, as a completion prompt's options do)
    is scored as its text and then the end of the line: the probability that the next token
    begins a new line, whichever token that is (backends/line_end.py)."""

    prompt: tuple[Message, ...]
    continuations: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    """Summed log-probability of each continuation's tokens, and how many tokens it has."""

    logprobs: tuple[float, ...]
    n_tokens: tuple[int, ...]


class ResponseRow(TypedDict, total=False):
    """One line of responses.jsonl (and samples.jsonl), as the runner writes it.

    A TypedDict, not a dataclass: rows are JSON objects read back into pandas, and old run
    directories (which lack later fields) must still load; the type names every field a row
    may carry. Variant fields come from ``Variant.row_fields``; the sampling and corpus
    columns are added after the run (``analysis.sampling.annotate``, ``run.corpus_proxy``).
    """

    item_id: str
    suite: str
    bin: int | None
    answer_type: str
    exists: bool
    popularity: float | None
    proxy: str | None
    event_date: str | None
    question: str
    gold: str | None
    aliases: list[str]
    fact_kind: str | None
    prompt: list[dict[str, Any]]
    # a variant's fields (Variant.row_fields)
    base_id: str | None
    base_suite: str | None
    variant: str | None
    transform: str | None
    target: float | None
    form: str | None
    kind: str | None
    after_cutoff: bool
    sample_of: str
    sample_index: int
    # the answer and its grade
    response: str | None
    label: str
    matched: str | None
    reason: str
    claims_checked: list[str]
    claims_false: list[str]
    error: str | None
    confidence: float | None
    confidence_norm: float | None
    confidence_source: str
    tokens: list[str] | None
    token_logprobs: list[float] | None
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None
    first_response: str
    cached: bool
    latency_s: float


class RunConfig(TypedDict, total=False):
    """config.json of a run: what decided its answers (hashed into ``config_hash``) and its
    provenance. Optional entries appear only when the run used them (a plain run keeps the
    hash it always had)."""

    halprobe_version: str
    config_hash: str
    created: str
    model_spec: str
    fingerprint: dict[str, Any]
    capabilities: dict[str, Any]
    decoding: dict[str, Any]
    seed: int
    per_bin: int | None
    limit: int | None
    suites: list[dict[str, Any]]
    prompt_hash: str
    prompt_style: str
    shots: list[str]
    n_shots: int
    n_items: int
    choices: int
    transforms: dict[str, dict[str, Any]]
    prompt_forms: dict[str, str]
    knowledge_cutoff: dict[str, str]
    status: str
    resumed: bool
    stats: dict[str, Any]
    usage: dict[str, Any]
    frequency_proxy: str
    reference_corpus: dict[str, Any]
    samples: dict[str, Any]
