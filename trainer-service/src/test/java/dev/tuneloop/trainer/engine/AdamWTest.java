package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {

  private static NDManager manager;

  @BeforeAll
  static void start() {
    System.setProperty("ai.djl.offline", "true");
    manager = Engine.getEngine("PyTorch").newBaseManager();
  }

  /**
   * Autograd's mode is per thread and starts on in PyTorch; DJL turns it off only on the thread
   * that loads the engine. The optimizer runs where {@code Trainer.run} has turned it off, so the
   * test does the same rather than depend on which test class loaded the engine first.
   */
  @BeforeEach
  void outsideTheGradientCollector() {
    JniUtils.setGradMode(false);
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  /** loss = Σ c·p + ½ Σ p², so the gradient is c + p. */
  private static void backward(List<NDArray> params, float[][] c) {
    try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
      for (int i = 0; i < params.size(); i++) {
        NDArray p = params.get(i);
        collector.backward(
            p.mul(manager.create(c[i], p.getShape())).sum().add(p.square().sum().mul(0.5f)));
      }
    }
  }

  @Test
  void firstStepMovesEachWeightByTheLearningRateAgainstTheGradientSign() {
    NDArray p = manager.create(new float[] {1f, -2f});
    p.setRequiresGradient(true);
    try (AdamW adam = new AdamW(List.of(p), 0.9, 0.999, 1e-8, 0.01)) {
      backward(List.of(p), new float[][] {{2f, 1f}}); // gradient (3, -1)
      adam.step(0.1);
    }
    // p·(1 − lr·λ) − lr·ĝ/(|ĝ| + ε): 1·0.999 − 0.1 = 0.899; −2·0.999 + 0.1 = −1.898
    assertThat(p.toFloatArray()).containsExactly(new float[] {0.899f, -1.898f}, offset(1e-6f));
  }

  @Test
  void matchesAScalarReferenceOverSeveralStepsAndSplitsParametersBackInPlace() {
    NDArray a =
        manager.create(new float[] {0.5f, -1.5f, 2f, 0.25f}, new ai.djl.ndarray.types.Shape(2, 2));
    NDArray b = manager.create(new float[] {-0.75f, 3f});
    a.setRequiresGradient(true);
    b.setRequiresGradient(true);
    float[][] c = {{0.1f, -0.2f, 0.3f, -0.4f}, {1f, -1f}};
    double lr = 0.05;
    double b1 = 0.8;
    double b2 = 0.95;
    double eps = 1e-6;
    double wd = 0.1;
    double[] ref = {0.5, -1.5, 2, 0.25, -0.75, 3};
    double[] cFlat = {0.1, -0.2, 0.3, -0.4, 1, -1};
    double[] m = new double[6];
    double[] v = new double[6];
    try (AdamW adam = new AdamW(List.of(a, b), b1, b2, eps, wd)) {
      for (int t = 1; t <= 5; t++) {
        double[] g = new double[6];
        for (int i = 0; i < 6; i++) {
          g[i] = cFlat[i] + ref[i];
        }
        backward(List.of(a, b), c);
        adam.step(lr);
        adam.zeroGradients();
        for (int i = 0; i < 6; i++) { // torch.optim.AdamW, written out
          ref[i] *= 1 - lr * wd;
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          double mHat = m[i] / (1 - Math.pow(b1, t));
          double vHat = v[i] / (1 - Math.pow(b2, t));
          ref[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
      }
      assertThat(adam.stepCount()).isEqualTo(5);
    }
    float[] got = new float[6];
    System.arraycopy(a.toFloatArray(), 0, got, 0, 4);
    System.arraycopy(b.toFloatArray(), 0, got, 4, 2);
    for (int i = 0; i < 6; i++) {
      assertThat((double) got[i]).as("weight %d", i).isEqualTo(ref[i], offset(1e-5));
    }
    assertThat(a.getShape()).isEqualTo(new ai.djl.ndarray.types.Shape(2, 2));
  }

  @Test
  void clippingScalesTheGlobalNormDownToTheLimit() {
    NDArray g = manager.create(new float[] {3f, 0f, 4f});
    NDArray norm = GradientClipping.clipByGlobalNorm(g, 1.0);
    assertThat(norm.getFloat()).isEqualTo(5f, offset(1e-6f));
    assertThat(g.toFloatArray()).containsExactly(new float[] {0.6f, 0f, 0.8f}, offset(1e-6f));
  }

  @Test
  void clippingLeavesSmallGradientsAloneAndZeroMeansOff() {
    NDArray g = manager.create(new float[] {0.3f, 0.4f});
    assertThat(GradientClipping.clipByGlobalNorm(g, 1.0).getFloat()).isEqualTo(0.5f, offset(1e-6f));
    assertThat(g.toFloatArray()).containsExactly(0.3f, 0.4f);
    NDArray big = manager.create(new float[] {30f, 40f});
    GradientClipping.clipByGlobalNorm(big, 0);
    assertThat(big.toFloatArray()).containsExactly(30f, 40f);
  }
}
