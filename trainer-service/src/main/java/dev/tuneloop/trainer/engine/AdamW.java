package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter) as PyTorch's {@code torch.optim.AdamW} computes it: weight decay
 * decoupled from the gradient (p ← p·(1 − lr·λ)), moments with bias correction, ε added to the
 * corrected √v.
 *
 * <p>All parameters are updated as one flat vector: the gradients are concatenated once, the moment
 * arithmetic runs on two flat buffers, and the update is split back. That keeps a step at about a
 * dozen native calls plus two per parameter, however many small LoRA matrices there are. Runs with
 * autograd off (outside a gradient collector).
 */
public final class AdamW implements AutoCloseable {

  private static final NDIndex ALL = new NDIndex(":");

  private final List<NDArray> params;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private final long[] splitPoints;
  private final NDManager manager;
  private final NDArray m; // (N) first moments, all parameters end to end
  private final NDArray v; // (N) second moments
  private long t;

  public AdamW(
      List<NDArray> params, double beta1, double beta2, double epsilon, double weightDecay) {
    this.params = List.copyOf(params);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.manager = params.getFirst().getManager().newSubManager();
    long total = 0;
    this.splitPoints = new long[params.size() - 1];
    for (int i = 0; i < params.size(); i++) {
      total += params.get(i).size();
      if (i < splitPoints.length) {
        splitPoints[i] = total;
      }
    }
    this.m = manager.zeros(new Shape(total));
    this.v = manager.zeros(new Shape(total));
  }

  public static AdamW of(List<NDArray> params, TrainingConfig config) {
    return new AdamW(
        params, config.adamBeta1(), config.adamBeta2(), config.adamEpsilon(), config.weightDecay());
  }

  /** One update with the gradients currently attached to the parameters. */
  public void step(double lr) {
    try (NDManager scope = manager.newSubManager()) {
      update(flatGradients(scope), lr);
    }
  }

  /**
   * One update with gradients given as one flat vector in parameter order ({@link #flatGradients}).
   */
  public void update(NDArray g, double lr) {
    t++;
    try (NDManager scope = manager.newSubManager()) {
      m.muli(beta1).addi(g.mul(1 - beta1));
      v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
      double bias1 = 1 - Math.pow(beta1, t);
      double bias2 = 1 - Math.pow(beta2, t);
      NDArray denom = v.sqrt().muli(1 / Math.sqrt(bias2)).addi(epsilon);
      NDArray update = m.div(denom).muli(-lr / bias1);
      NDList parts = update.split(splitPoints);
      for (int i = 0; i < params.size(); i++) {
        NDArray p = params.get(i);
        if (weightDecay != 0) {
          p.muli(1 - lr * weightDecay);
        }
        p.addi(parts.get(i).reshape(p.getShape()));
      }
    }
  }

  /** Steps taken, for bias correction; part of a checkpoint. */
  public long stepCount() {
    return t;
  }

  /** The moments (m, v), for a checkpoint. */
  public NDList state() {
    return new NDList(m, v);
  }

  /** Restores moments and step count saved by {@link #state()} and {@link #stepCount()}. */
  public void restore(float[] savedM, float[] savedV, long steps) {
    Tensors.copyInto(m, savedM);
    Tensors.copyInto(v, savedV);
    t = steps;
  }

  /** The parameters' gradients end to end, (N), attached to {@code scope}. */
  public NDArray flatGradients(NDManager scope) {
    var grads = new NDList(params.size());
    for (NDArray p : params) {
      NDArray grad = p.getGradient();
      grad.attach(scope);
      grads.add(grad.reshape(-1));
    }
    return NDArrays.concat(grads);
  }

  /** Zeroes the parameters' gradients, ready for the next accumulation. */
  public void zeroGradients() {
    for (NDArray p : params) {
      try (NDArray grad = p.getGradient()) {
        grad.set(ALL, 0f); // a fill, not a multiply: clears a NaN too
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
