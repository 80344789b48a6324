"""Random Network Distillation: predictor loss and intrinsic reward, against F.mse_loss.

RND (Burda et al., 2019): a fixed, randomly initialised target network f(s') and a trained
predictor f^(s'). The intrinsic reward is the prediction error ||f^(s') - f(s')||^2: large on
rarely visited states, shrinking as the predictor learns them (novelty without a dynamics model,
so no "noisy TV" attraction from stochastic transitions, unlike forward-model curiosity).
The predictor minimises the same error (the target is frozen). The official code averages over
the feature dimension (reduce_mean(axis=-1)); observations are whitened and clipped to [-5, 5],
and intrinsic rewards are divided by a running std of the intrinsic return.
Value: the predictor loss (mean over states and features). Reference: F.mse_loss.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.mse_loss(pred_features, target_features)"


def example():
    return {
        "target_features": torch.tensor([[1.0, 0.0, 2.0], [0.5, 0.5, 0.5]]),
        "pred_features": torch.tensor([[1.0, 1.0, 0.0], [0.5, 0.0, 0.5]]),
    }


def problem(rng: random.Random):
    def row():
        return [rng.randint(-4, 4) / 2 for _ in range(2)]

    return {"target_features": torch.tensor([row(), row()]), "pred_features": torch.tensor([row(), row()])}


def loss(target_features, pred_features):
    sq = (pred_features - target_features.detach()) ** 2  # the target network gets no gradient
    intrinsic = sq.mean(dim=-1)
    return {"squared_errors": sq, "intrinsic_reward_per_state": intrinsic, "value": intrinsic.mean()}


def reference(target_features, pred_features):
    return F.mse_loss(pred_features, target_features)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
