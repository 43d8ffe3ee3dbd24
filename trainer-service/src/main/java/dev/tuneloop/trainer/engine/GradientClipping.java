package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;

/** Clipping by global L2 norm, as {@code torch.nn.utils.clip_grad_norm_} does it. */
public final class GradientClipping {

  private GradientClipping() {}

  /**
   * Scales a flat gradient vector in place so that its L2 norm is at most {@code maxNorm} (0: no
   * clipping). Stays on the device: no value is read back, so the step does not wait here.
   *
   * @return the norm before clipping, a scalar
   */
  public static NDArray clipByGlobalNorm(NDArray flatGradient, double maxNorm) {
    NDArray norm = flatGradient.norm();
    if (maxNorm > 0) {
      // coefficient = min(1, maxNorm / (norm + 1e-6))
      NDArray coefficient = norm.add(1e-6).pow(-1).muli(maxNorm).minimum(1f);
      flatGradient.muli(coefficient);
    }
    return norm;
  }
}
