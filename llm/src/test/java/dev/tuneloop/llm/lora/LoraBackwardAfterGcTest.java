package dev.tuneloop.llm.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.model.Djl;
import dev.tuneloop.llm.model.LlamaModel;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DJL's PyTorch engine wraps the JVM's direct buffer when it makes an array from Java values,
 * without copying. If autograd saves such an array for the backward pass and the JVM frees its
 * buffer in between (the array was closed and collected), the backward reads freed memory:
 * gradients then depend on the garbage collector's timing.
 */
class LoraBackwardAfterGcTest {
  private static final float POISON = Float.NaN;
  private static LoadedModel stories;
  private static LlamaModel model;
  private static NDManager manager;

  @BeforeAll
  static void load() {
    stories = BuiltinModels.stories260K();
    model = stories.model();
    manager = Djl.newManager();
  }

  @AfterAll
  static void close() {
    manager.close();
    stories.close();
  }

  @Test
  void gradientsAreBitIdenticalWhenTheJvmFreesAndReusesMemoryBetweenForwardAndBackward() {
    LoraSpec spec =
        LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V, LoraTarget.DOWN).withDropout(0.1f);
    try (LoraAdapter adapter =
        RandomAdapters.gaussian(model.config(), spec, manager, 7, 0.05f, 0.05f)) {
      float[] undisturbed = gradients(adapter, false);
      float[] disturbed = gradients(adapter, true);

      assertThat(disturbed).containsExactly(undisturbed);
    }
  }

  /**
   * dL/dA and dL/dB of every wrapped projection after one training forward and backward, with
   * dropout's seed fixed.
   */
  private static float[] gradients(LoraAdapter adapter, boolean freeMemoryBeforeBackward) {
    int[] ids = new Random(5).ints(4 * 12, 1, model.config().vocabSize()).toArray();
    try (NDManager m = manager.newSubManager()) {
      NDArray tokens = m.create(ids, new Shape(4, 12));
      long buffersBefore = directBuffers();
      Djl.engine().setRandomSeed(99);
      List<ByteBuffer> reuse = new ArrayList<>();
      try (GradientCollector collector = Djl.engine().newGradientCollector()) {
        NDArray loss =
            model.logits(tokens, null, adapter, true).logSoftmax(-1).get(":, :, 5").mean().neg();
        if (freeMemoryBeforeBackward) {
          // the forward's temporary Java-made arrays are closed: collect them, then take their
          // memory back
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> {
                    System.gc();
                    return directBuffers() <= buffersBefore;
                  });
          for (int i = 0; i < 20_000; i++) {
            reuse.add(
                ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putFloat(0, POISON));
          }
        }
        collector.backward(loss);
      }
      reuse.clear();
      List<float[]> parts = new ArrayList<>();
      for (NDArray p : adapter.parameters()) {
        try (NDArray g = p.getGradient()) {
          parts.add(g.toFloatArray());
          g.set(new NDIndex(":"), 0f);
        }
      }
      return concat(parts);
    }
  }

  private static long directBuffers() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct"))
        .mapToLong(BufferPoolMXBean::getCount)
        .sum();
  }

  private static float[] concat(List<float[]> parts) {
    float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
