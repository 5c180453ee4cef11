"""Cost of a hosted run: usage after it, and an estimate before it (`--dry-run`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from halprobe.errors import UserError

PROBE_REQUESTS = 2  # the openai: backend's log-prob capability probe, at most

@dataclass(frozen=True)
class Price:
    """USD per 1M tokens."""

    input: float
    output: float


# OpenAI list prices, standard tier, USD per 1M tokens (2025); --price-table overrides or adds.
PRICES: dict[str, Price] = {
    "gpt-5": Price(1.25, 10.00), "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40), "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60), "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o": Price(2.50, 10.00), "gpt-4o-mini": Price(0.15, 0.60),
    "o4-mini": Price(1.10, 4.40), "gpt-3.5-turbo": Price(0.50, 1.50),
}
CHARS_PER_TOKEN = 4  # rough for English text; real counts come from the server's usage


@dataclass(frozen=True)
class CostEstimate:
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    note: str


PriceTable = Mapping[str, Price] | Path | str | None


def load_price_table(source: PriceTable = None) -> dict[str, Price]:
    """The built-in prices, overridden by a YAML/JSON file {model: {input: X, output: Y}}."""
    if source is None:
        return dict(PRICES)
    if isinstance(source, Mapping):
        return {**PRICES, **source}
    import yaml

    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read price table {path}: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"price table {path}: expected a mapping of model -> "
                        "{input: USD per 1M tokens, output: USD per 1M tokens}")
    table = dict(PRICES)
    for model, entry in data.items():
        try:
            table[str(model)] = Price(float(entry["input"]), float(entry["output"]))
        except (TypeError, KeyError, ValueError):
            raise UserError(f"price table {path}: {model!r} needs numeric 'input' and "
                            "'output' (USD per 1M tokens)") from None
    return table


def price_for(model: str, table: Mapping[str, Price]) -> Price | None:
    """Exact name, else the longest listed name the model extends (dated snapshots)."""
    if model in table:
        return table[model]
    stems = [name for name in table if model.startswith(name + "-")]
    return table[max(stems, key=len)] if stems else None


def usage_cost(prompt_tokens: int, completion_tokens: int, model: str,
               price_table: PriceTable = None) -> float | None:
    """USD for the given usage; None when the model has no price."""
    price = price_for(model, load_price_table(price_table))
    if price is None:
        return None
    return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000


def dry_run_estimate(n_requests: int, prompt_chars: int, max_tokens: int, model: str,
                     price_table: PriceTable = None) -> CostEstimate:
    """Requests, tokens and cost of a run before it is sent; ``prompt_chars`` is all prompts'.

    Prompt tokens are estimated as characters / 4 (a heuristic, not the model's tokenizer);
    completion tokens as max_tokens per request, an upper bound.
    """
    prompt_tokens = -(-prompt_chars // CHARS_PER_TOKEN)
    completion_tokens = n_requests * max_tokens
    cost = usage_cost(prompt_tokens, completion_tokens, model, price_table)
    note = (f"estimate: prompt tokens = characters/{CHARS_PER_TOKEN}, completion tokens = "
            f"{max_tokens} per request (upper bound); an openai: run adds up to "
            f"{PROBE_REQUESTS} one-token probe requests")
    if cost is None:
        note += f"; no price for {model!r} (add it with a price table file)"
    return CostEstimate(n_requests, prompt_tokens, completion_tokens, cost, note)
