package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrainerTest {

  private NDManager manager;

  @BeforeEach
  void start() {
    System.setProperty("ai.djl.offline", "true");
    manager = Engine.getEngine("PyTorch").newBaseManager();
  }

  @AfterEach
  void stop() {
    manager.close();
  }

  /**
   * Sequences over a 16-token vocabulary that follow a fixed successor rule, learnable by a bigram
   * table.
   */
  private static List<SupervisedSequence> patterned(int n) {
    var list = new ArrayList<SupervisedSequence>();
    for (int i = 0; i < n; i++) {
      int len = 4 + i % 5;
      int[] tokens = new int[len];
      boolean[] supervised = new boolean[len];
      tokens[0] = 1 + i % 15;
      for (int t = 1; t < len; t++) {
        tokens[t] = 1 + (tokens[t - 1] * 7) % 15;
        supervised[t] = true;
      }
      list.add(new SupervisedSequence(tokens, supervised));
    }
    return list;
  }

  private static TrainingConfig config(int maxSteps, int checkpointSteps, int patience) {
    return PreparedDataTest.config(
        TrainingJobSpec.newBuilder()
            .setMicroBatchSize(4)
            .setGradientAccumulationSteps(2)
            .setMaxSteps(maxSteps)
            .setEvalSteps(3)
            .setCheckpointSteps(checkpointSteps)
            .setEarlyStoppingPatience(patience)
            .setEvalFraction(0.2f)
            .setOptimizer(
                OptimizerConfig.newBuilder().setLearningRate(0.2f).setWeightDecay(0.01f)));
  }

  private TrainingResult train(
      BigramModel model,
      TrainingConfig config,
      CheckpointStore store,
      StopSignal stop,
      TrainingListener listener)
      throws Exception {
    var data = PreparedData.of(patterned(40), PreparedDataTest.ids(0, 40), List.of(), config);
    return new Trainer(model, config, data, store, listener).run(stop);
  }

  @Test
  void trainingLowersTheEvalLossAndReportsProgress() throws Exception {
    var model = new BigramModel(manager, 16, 1);
    var steps = new ArrayList<Progress>();
    TrainingResult result =
        train(model, config(12, 100, 0), CheckpointStore.inMemory(), new StopSignal(), steps::add);
    assertThat(result.outcome()).isEqualTo(TrainingResult.Outcome.COMPLETED);
    assertThat(result.steps()).isEqualTo(12);
    assertThat(result.bestEvalLoss()).isLessThan(result.initialEvalLoss() * 0.8);
    assertThat(result.evalCurve())
        .extracting(CurvePoint::step)
        .containsExactly(0L, 3L, 6L, 9L, 12L);
    assertThat(steps).hasSize(12);
    assertThat(steps.getLast().tokensPerSecond()).isPositive();
    assertThat(steps.getLast().epoch())
        .isGreaterThan(1.0); // about 32 training examples, 8 per step: about 4 steps an epoch
    assertThat(result.warnings()).anyMatch(w -> w.startsWith("overfitting risk"));
  }

  @Test
  void aResumedRunEndsWithTheSameParametersAsAnUninterruptedOne() throws Exception {
    var straight = new BigramModel(manager, 16, 1);
    train(
        straight,
        config(10, 4, 0),
        CheckpointStore.inMemory(),
        new StopSignal(),
        TrainingListener.NONE);

    var store = CheckpointStore.inMemory();
    var stop = new StopSignal();
    var first = new BigramModel(manager, 16, 1);
    TrainingResult interrupted =
        train(
            first,
            config(10, 4, 0),
            store,
            stop,
            p -> {
              if (p.step() == 6) {
                stop.shutdown();
              }
            });
    assertThat(interrupted.outcome()).isEqualTo(TrainingResult.Outcome.INTERRUPTED);
    assertThat(interrupted.steps()).isEqualTo(6);
    assertThat(store.latest()).get().extracting(c -> c.state().step()).isEqualTo(6L);

    var resumed =
        new BigramModel(manager, 16, 99); // different start: everything comes from the checkpoint
    TrainingResult finished =
        train(resumed, config(10, 4, 0), store, new StopSignal(), TrainingListener.NONE);
    assertThat(finished.outcome()).isEqualTo(TrainingResult.Outcome.COMPLETED);
    assertThat(finished.lossCurve()).hasSize(10);
    assertThat(resumed.weights()).containsExactly(straight.weights());
  }

  @Test
  void aCheckpointStateSurvivesJson() throws Exception {
    var state =
        new TrainerState(
            6,
            1,
            2,
            480,
            EarlyStopping.start(2).observe(1.5, 3),
            List.of(new CurvePoint(1, 2.5)),
            List.of(new CurvePoint(0, 2.7), new CurvePoint(3, 1.5)),
            1,
            true);
    assertThat(CheckpointCodec.stateFromJson(CheckpointCodec.stateJson(state))).isEqualTo(state);
    var fresh = TrainerState.initial(0);
    assertThat(CheckpointCodec.stateFromJson(CheckpointCodec.stateJson(fresh))).isEqualTo(fresh);
  }

  @Test
  void cancellingStopsAtTheNextStep() throws Exception {
    var stop = new StopSignal();
    TrainingResult result =
        train(
            new BigramModel(manager, 16, 1),
            config(50, 100, 0),
            CheckpointStore.inMemory(),
            stop,
            p -> {
              if (p.step() == 2) {
                stop.cancel();
              }
            });
    assertThat(result.outcome()).isEqualTo(TrainingResult.Outcome.CANCELLED);
    assertThat(result.steps()).isEqualTo(2);
  }

  /**
   * 32 training and 8 eval examples on which this learning rate makes the eval loss bounce within a
   * few steps (the split the trainer drew by seed before the split was by example id), given as an
   * explicit eval set.
   */
  private static PreparedData bouncingSplit(TrainingConfig config) {
    var all = patterned(40);
    int[] order = DataOrder.permutation(all.size(), 42, -1);
    var eval = new ArrayList<SupervisedSequence>();
    var train = new ArrayList<>(all);
    java.util.Arrays.stream(order, 0, 8).sorted().forEach(i -> eval.add(all.get(i)));
    train.removeAll(eval);
    return PreparedData.of(train, PreparedData.positions(train.size()), eval, config);
  }

  @Test
  void earlyStoppingEndsAfterPatienceAndKeepsTheBestParameters() throws Exception {
    // A learning rate this high makes the eval loss bounce; patience 1 stops at the first
    // non-improvement.
    var config =
        PreparedDataTest.config(
            TrainingJobSpec.newBuilder()
                .setMicroBatchSize(4)
                .setMaxSteps(60)
                .setEvalSteps(1)
                .setEarlyStoppingPatience(1)
                .setEvalFraction(0.2f)
                .setOptimizer(
                    OptimizerConfig.newBuilder()
                        .setLearningRate(1f)
                        .setMaxGradNorm(0)
                        .setLrScheduler("constant")
                        .setWarmupRatio(0)));
    var model = new BigramModel(manager, 16, 1);
    var evaluations = new ArrayList<Double>();
    TrainingResult result =
        new Trainer(
                model,
                config,
                bouncingSplit(config),
                CheckpointStore.inMemory(),
                new TrainingListener() {
                  @Override
                  public void onStep(Progress progress) {}

                  @Override
                  public void onEvaluation(long step, double evalLoss, boolean best) {
                    evaluations.add(evalLoss);
                  }
                })
            .run(new StopSignal());
    assertThat(result.stoppedEarly()).isTrue();
    assertThat(result.steps()).isLessThan(60);
    assertThat(evaluations.getLast()).isGreaterThanOrEqualTo(result.bestEvalLoss());
    assertThat(result.bestEvalLoss())
        .isEqualTo(evaluations.stream().mapToDouble(d -> d).min().orElseThrow());
  }
}
