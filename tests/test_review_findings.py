"""Every card and snippet the two content reviews named was changed, or says why not.

The ids come from the DEFECTS tables and the snippet/reference problem lists of the reviews
(content review A: regression to GAN; B: diffusion to synthesis). The hashes are of the deck as
the reviews read it (commit f7fd0af): a card passes if what it teaches changed, if its snippet
changed, or if it carries a `review:` note answering the finding.
"""

from __future__ import annotations

import hashlib

from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck

REVIEWED_CARDS = {
    "mse-mae-huber": "9f9e0443a5627da9",
    "l1-vs-l2": "63d1171149216b75",
    "l2-vs-weight-decay": "3ba0074591a54391",
    "elastic-net": "bb3037fc7bad1da9",
    "softmax-temperature": "6c473506e7571604",
    "reparameterization-trick": "cd63b012fb8c4a1e",
    "distillation": "d74d05645a81ab14",
    "clip-loss": "84d3e09236b6e2ac",
    "focal": "8bb0309bbd033edd",
    "gan-generator-saturation": "ec8255caf55d7fd8",
    "ce-vs-mse-gradient": "07f102e27f292316",
    "forward-vs-reverse-kl": "bdb9cf5cfceebc25",
    "posterior-collapse": "d4bbdc3c642683d3",
    "nt-xent": "c89b3172c8727eae",
    "elbo": "a1724ebce2e9b790",
    "quantile": "3bd648e430e2da78",
    "contrastive-loss": "1a7e8127e8136431",
    "classifier-free-guidance": "a926af6c22e922d3",
    "qf-spectral-norm": "111a022692884afc",
    "grpo-objective": "cb6299297c19ed20",
    "dpo-weaknesses": "84f732591c52606b",
    "psro": "f6cf47ae995a8944",
    "diffusion-loss-weighting": "377f41cf7312b6c6",
    "diffusion-objective": "2d8d2b505fdcc8dd",
    "flow-matching": "24c2813b545e0f45",
    "sac-losses": "c56cf5752c46ebfd",
    "gae": "7f3ea08dd54ec5af",
    "td-vs-mc": "13ed6d7790595dfc",
    "distributional-rl": "a63a7a32b03a1870",
    "policy-entropy": "ab9a0d843bfb91e5",
    "reward-model-bt": "523724538c73964c",
    "dpo": "b7527f851a5de5a8",
    "orpo": "f64d5a5cf652fbcb",
    "simpo": "71a9647f7725f5f7",
    "reinforce-baseline": "84e8cb61dceb0523",
    "grpo-advantage": "75a359a76b4f8df5",
}
REVIEWED_SNIPPETS = {
    "weight_decay": "91b8a3bdab7474a5",
    "pinball": "132825c995cb058d",
    "contrastive_pair": "03cbf7e06082a480",
    "focal": "785d48ce290bc6f6",
    "kl_forward_reverse": "566674f7beca0c89",
    "reparam_gradient": "9c1af506289c3638",
    "vae_kl": "b506d6ec8db51a84",
    "sac_losses": "53a9ea2506e30b40",
    "kto": "7a5efae085b75290",
    "flow_matching": "baebbd93753f0c00",
    "ipo": "26bb5bfdfa18bd4c",
    "double_dqn": "b5fe588f231353c0",
    "cfg_guidance": "497c0d91ce7a7100",
    "dpo": "a5ad26de7ec7653b",
    "bradley_terry": "9d19165f158f6d8c",
}


def _snippet_hash(name: str) -> str:
    return hashlib.sha256((builtin_deck() / "snippets" / f"{name}.py").read_bytes()).hexdigest()[:16]


def test_every_reviewed_card_was_changed_or_answers_the_review() -> None:
    deck = load_deck(builtin_deck())
    untouched = []
    for card_id, old in REVIEWED_CARDS.items():
        card = deck.by_id.get(card_id)
        assert card is not None, f"reviewed card '{card_id}' is gone: rename it in this list if it moved"
        snippet_changed = (
            card.snippet in REVIEWED_SNIPPETS and _snippet_hash(card.snippet) != REVIEWED_SNIPPETS[card.snippet]
        )
        if card.content_hash() == old and not snippet_changed and not card.review:
            untouched.append(card_id)
    assert not untouched, f"reviewed cards neither changed nor answered with a `review:` note: {untouched}"


def test_every_reviewed_snippet_was_changed() -> None:
    unchanged = [name for name, old in REVIEWED_SNIPPETS.items() if _snippet_hash(name) == old]
    assert not unchanged, f"snippets the reviews named that are unchanged: {unchanged}"


def test_the_metric_regularization_probabilistic_review_cards_are_there_or_noted() -> None:
    """From the metric/regularization/probabilistic writer: the cards that review named still exist,
    and the two it answered rather than rebuilt (nt-xent, elbo) carry a `review:` note."""
    deck = load_deck(builtin_deck())
    changed = {
        "l1-vs-l2",
        "l2-vs-weight-decay",
        "elastic-net",
        "reparameterization-trick",
        "forward-vs-reverse-kl",
        "posterior-collapse",
        "contrastive-loss",
        "triplet-loss",
        "infonce",
        "clip-loss",
        "vicreg",
        "lasso-prox",
        "kl-discrete",
        "byol",
    }
    for cid in ("nt-xent", "elbo"):
        assert deck.by_id[cid].review, cid
    assert changed <= set(deck.by_id)
