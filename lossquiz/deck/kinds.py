"""The registry of card kinds and topics: the one place a new kind or topic is declared.

A kind says how its answer is graded, which decides the drill's prompt (study.drill), the
queue's needs (study.queue) and the export's wording; its view lives in ui/. Adding a kind is
one `Kind` here, its grader in study/, and its view in ui/.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Grading = Literal["self", "number", "expression"]

# Records are NamedTuples, not frozen dataclasses: every command imports this module, and a
# dataclass compiles its methods when it is defined (about 5M instructions each, 1M for these).


class Kind(NamedTuple):
    """A card kind: how its answer is graded, and whether it needs a snippet to be asked."""

    name: str
    summary: str
    grading: Grading  # self: the user rates 1-4; number: a typed value; expression: a typed formula
    needs_snippet: bool
    style: str  # the colour the terminal shows the kind in


class Topic(NamedTuple):
    """A section of the curriculum, in order; `words` pull an imported note's heading towards it."""

    slug: str
    title: str
    words: tuple[str, ...]


KIND_LIST = (
    Kind("concept", "recall an explanation, self-graded", "self", needs_snippet=False, style="cyan"),
    Kind("numeric", "compute a value on a fresh random problem", "number", needs_snippet=True, style="magenta"),
    Kind("gradient", "a derivative at a point, against autograd", "number", needs_snippet=True, style="yellow"),
    Kind("formula", "type the loss or its gradient as an expression", "expression", needs_snippet=True, style="blue"),
    Kind("quickfire", "a one-line answer, self-graded", "self", needs_snippet=False, style="green"),
    # the gap is typed and checked when it is a number or a short term, else self-graded (study/cloze.py)
    Kind("cloze", "fill the gap in a sentence", "self", needs_snippet=False, style="bright_cyan"),
)
KINDS: dict[str, Kind] = {k.name: k for k in KIND_LIST}

TOPIC_LIST = (
    Topic(
        "regression",
        "Regression",
        (
            "regression",
            "mse",
            "mae",
            "huber",
            "quantile",
            "pinball",
            "squared error",
            "absolute error",
        ),
    ),
    Topic(
        "classification",
        "Classification",
        (
            "classification",
            "cross entropy",
            "focal",
            "hinge",
            "label smoothing",
            "softmax",
            "logistic",
            "log loss",
        ),
    ),
    Topic(
        "metric",
        "Contrastive & metric learning",
        (
            "metric learning",
            "metric",
            "contrastive",
            "triplet",
            "infonce",
            "siamese",
            "simclr",
            "byol",
            "vicreg",
            "embedding",
            "self supervised",
        ),
    ),
    Topic(
        "regularization",
        "Regularization",
        (
            "regularization",
            "regularisation",
            "weight decay",
            "dropout",
            "lasso",
            "ridge",
            "l1",
            "l2",
        ),
    ),
    Topic(
        "probabilistic",
        "Probabilistic objectives",
        (
            "probabilistic",
            "kl",
            "divergence",
            "elbo",
            "vae",
            "likelihood",
            "variational",
            "bayesian",
        ),
    ),
    Topic(
        "gan",
        "GANs",
        (
            "gan",
            "gans",
            "wgan",
            "adversarial",
            "discriminator",
            "wasserstein",
        ),
    ),
    Topic(
        "diffusion",
        "Diffusion",
        (
            "diffusion",
            "score matching",
            "flow matching",
            "denoising",
            "ddpm",
        ),
    ),
    Topic(
        "policy",
        "Policy losses",
        (
            "policy",
            "reinforce",
            "ppo",
            "sac",
            "actor critic",
            "policy gradient",
            "trpo",
        ),
    ),
    Topic(
        "value",
        "Value losses",
        (
            "value",
            "td",
            "temporal difference",
            "q learning",
            "dqn",
            "bellman",
            "distributional",
            "monte carlo",
        ),
    ),
    Topic(
        "multiagent",
        "Multi-agent & quality-diversity",
        (
            "multi agent",
            "multiagent",
            "quality diversity",
            "psro",
            "map elites",
            "self play",
            "game",
        ),
    ),
    Topic(
        "llm",
        "LLM training losses",
        (
            "llm",
            "language model",
            "next token",
            "pretraining",
            "z loss",
            "load balancing",
            "mixture of experts",
            "perplexity",
        ),
    ),
    Topic(
        "alignment",
        "LLM alignment",
        (
            "alignment",
            "rlhf",
            "dpo",
            "grpo",
            "kto",
            "orpo",
            "ipo",
            "preference",
            "reward model",
        ),
    ),
    Topic(
        "synthesis",
        "Synthesis",
        (
            "synthesis",
            "cross cutting",
            "quick fire",
            "quick reference",
            "connections",
            "summary",
        ),
    ),
)
TOPICS: tuple[str, ...] = tuple(t.slug for t in TOPIC_LIST)
TOPIC_TITLES: dict[str, str] = {t.slug: t.title for t in TOPIC_LIST}
TOPIC_WORDS: dict[str, tuple[str, ...]] = {t.slug: t.words for t in TOPIC_LIST}
