package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The supervised fine-tuning loop: micro-batches → loss over supervised tokens → gradients
 * accumulated over {@code gradient_accumulation_steps} → clipping → AdamW at the scheduled rate;
 * evaluation every {@code eval_steps} with early stopping and best-parameter selection; checkpoints
 * every {@code checkpoint_steps} and on shutdown.
 *
 * <p>Deterministic on CPU: the data order derives from (seed, epoch), dropout's random numbers from
 * (seed, step), so a run resumed from a checkpoint ends with the same parameters as one that never
 * stopped.
 */
public final class Trainer {

  private final TrainableModel model;
  private final TrainingConfig config;
  private final PreparedData data;
  private final CheckpointStore checkpoints;
  private final TrainingListener listener;
  private final List<NDArray> params;
  private final NDManager manager;
  private final Batcher batcher;

  public Trainer(
      TrainableModel model,
      TrainingConfig config,
      PreparedData data,
      CheckpointStore checkpoints,
      TrainingListener listener) {
    this.model = model;
    this.config = config;
    this.data = data;
    this.checkpoints = checkpoints;
    this.listener = listener;
    this.params = model.parameters();
    this.manager = params.getFirst().getManager();
    this.batcher = Batcher.of(config);
  }

  /** Optimizer steps the job will take: max_steps, or num_epochs passes over the training split. */
  public long totalSteps() {
    if (config.maxSteps() > 0) {
      return config.maxSteps();
    }
    long microBatches = (long) batcher.epoch(data.train(), 0).size() * config.numEpochs();
    return Math.ceilDiv(microBatches, config.gradientAccumulationSteps());
  }

  public TrainingResult run(StopSignal stop) throws IOException {
    JniUtils.setGradMode(
        false); // autograd only inside the gradient collector, on whichever thread runs this
    long totalSteps = totalSteps();
    LrSchedule schedule = LrSchedule.of(config, totalSteps);
    List<Batch> evalBatches = batcher.evaluation(data.eval());
    try (NDManager runScope = manager.newSubManager();
        AdamW optimizer = AdamW.of(params, config)) {
      TrainerState state = TrainerState.initial(config.earlyStoppingPatience());
      NDList best = new NDList();
      var saved = checkpoints.latest();
      if (saved.isPresent()) {
        state = saved.get().state();
        best = CheckpointCodec.decode(saved.get(), params, optimizer, runScope);
      }
      var curve = new ArrayList<>(state.lossCurve());
      var evalCurve = new ArrayList<>(state.evalCurve());
      double initialEval = evalCurve.isEmpty() ? Double.NaN : evalCurve.getFirst().value();
      if (state.step() == 0 && evalCurve.isEmpty() && !evalBatches.isEmpty()) {
        initialEval = evaluate(evalBatches);
        evalCurve.add(new CurvePoint(0, initialEval));
        listener.onEvaluation(0, initialEval, false);
      }
      var stream = new BatchStream(batcher, data.train(), state.epoch(), state.nextBatch());
      var clock = new StepClock(totalSteps, state.step());
      EarlyStopping early = state.earlyStopping();
      long step = state.step();
      long tokensSeen = state.tokensSeen();
      int skipped = state.skippedSteps();
      double lastLoss = curve.isEmpty() ? Double.NaN : curve.getLast().value();
      TrainingResult.Outcome outcome = TrainingResult.Outcome.COMPLETED;
      while (step < totalSteps && !early.shouldStop()) {
        if (stop.reason() != StopSignal.Reason.NONE) {
          outcome =
              stop.reason() == StopSignal.Reason.CANCEL
                  ? TrainingResult.Outcome.CANCELLED
                  : TrainingResult.Outcome.INTERRUPTED;
          break;
        }
        double lr = schedule.at(step);
        StepOutcome result = trainStep(stream, optimizer, lr, step);
        step++;
        tokensSeen += result.tokens();
        skipped += result.skipped() ? 1 : 0;
        lastLoss = result.loss();
        curve.add(new CurvePoint(step, lastLoss));
        clock.stepDone(result.tokens());
        double evalLoss = evalCurve.isEmpty() ? Double.NaN : evalCurve.getLast().value();
        if (!evalBatches.isEmpty() && (step % config.evalSteps() == 0 || step == totalSteps)) {
          evalLoss = evaluate(evalBatches);
          evalCurve.add(new CurvePoint(step, evalLoss));
          early = early.observe(evalLoss, step);
          if (early.improvedAt(step)) {
            best = copyOf(params, runScope, best);
          }
          listener.onEvaluation(step, evalLoss, early.improvedAt(step));
        }
        listener.onStep(
            new Progress(
                step,
                totalSteps,
                stream.progress(),
                lastLoss,
                evalLoss,
                lr,
                result.gradNorm(),
                clock.tokensPerSecond(),
                clock.etaSeconds()));
        if (step % config.checkpointSteps() == 0 && step < totalSteps) {
          state =
              new TrainerState(
                  step,
                  stream.epoch(),
                  stream.next(),
                  tokensSeen,
                  early,
                  curve,
                  evalCurve,
                  skipped,
                  !best.isEmpty());
          checkpoints.save(CheckpointCodec.encode(state, params, optimizer, best));
          listener.onCheckpoint(step);
        }
      }
      if (outcome == TrainingResult.Outcome.INTERRUPTED) {
        state =
            new TrainerState(
                step,
                stream.epoch(),
                stream.next(),
                tokensSeen,
                early,
                curve,
                evalCurve,
                skipped,
                !best.isEmpty());
        checkpoints.save(CheckpointCodec.encode(state, params, optimizer, best));
        listener.onCheckpoint(step);
      } else if (!best.isEmpty()) {
        for (int i = 0; i < params.size(); i++) { // best-checkpoint selection
          Tensors.copyInto(params.get(i), best.get(i).toFloatArray());
        }
      }
      double bestEval = evalCurve.isEmpty() ? Double.NaN : early.bestLoss();
      if (early.bestStep() < 0 && !evalCurve.isEmpty()) {
        bestEval = evalCurve.getLast().value();
      }
      var warnings = new ArrayList<>(data.warnings());
      if (skipped > 0) {
        warnings.add(
            skipped
                + " optimizer steps were skipped because the gradient was not finite; lower"
                + " learning_rate if this repeats");
      }
      return new TrainingResult(
          outcome,
          step,
          totalSteps,
          early.shouldStop(),
          lastLoss,
          initialEval,
          bestEval,
          early.bestStep(),
          tokensSeen,
          clock.tokensPerSecond(),
          curve,
          evalCurve,
          warnings);
    }
  }

  private record StepOutcome(double loss, double gradNorm, int tokens, boolean skipped) {}

  /** One optimizer step over gradient_accumulation_steps micro-batches. */
  private StepOutcome trainStep(BatchStream stream, AdamW optimizer, double lr, long step) {
    var micro = new ArrayList<Batch>(config.gradientAccumulationSteps());
    int supervised = 0;
    int tokens = 0;
    for (int i = 0; i < config.gradientAccumulationSteps(); i++) {
      Batch batch = stream.take();
      micro.add(batch);
      supervised += batch.supervisedTokens();
      tokens += batch.realTokens();
    }
    // Dropout draws from the engine's generator, reseeded per step: a resumed run draws the same
    // numbers.
    manager.getEngine().setRandomSeed((int) DataOrder.mix(config.seed(), step));
    try (NDManager scope = manager.newSubManager()) {
      NDArray lossSum = scope.zeros(new Shape());
      // An array, not a Java number: autograd keeps the divisor for the backward pass, and an array
      // made for a
      // number on the fly shares a JVM buffer that is freed (and reused) once it is closed and
      // collected.
      NDArray supervisedCount = scope.create((float) Math.max(1, supervised));
      try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
        for (Batch batch : micro) {
          NDArray logits = model.logits(inputs(scope, batch), true);
          // Each micro-batch's sum is divided by the whole step's supervised count: the gradient is
          // the
          // mean over every supervised token of the step, as if it were one big batch.
          NDArray loss =
              SupervisedLoss.negativeLogLikelihood(
                      logits, scope.create(batch.positions()), scope.create(batch.labels()))
                  .div(supervisedCount);
          collector.backward(loss);
          lossSum = lossSum.add(loss.stopGradient());
        }
      }
      NDArray gradient = optimizer.flatGradients(scope);
      NDArray norm = GradientClipping.clipByGlobalNorm(gradient, config.maxGradNorm());
      float normValue = norm.getFloat();
      boolean finite = Float.isFinite(normValue);
      if (finite) {
        optimizer.update(gradient, lr);
      } // else: an overflow somewhere; skip the update rather than poison the adapter (as AMP's
      // scaler does)
      optimizer.zeroGradients();
      return new StepOutcome(lossSum.getFloat(), normValue, tokens, !finite);
    }
  }

  /** The eval loss ({@link EvalLoss}) of the model being trained. */
  private double evaluate(List<Batch> batches) {
    return EvalLoss.mean(inputs -> model.logits(inputs, false), batches, manager);
  }

  private static NDArray inputs(NDManager scope, Batch batch) {
    return scope.create(batch.inputs(), new Shape(batch.rows(), batch.columns()));
  }

  /** A copy through the Java heap: plain values, sharing nothing with the live parameters. */
  private static NDList copyOf(List<NDArray> arrays, NDManager scope, NDList previous) {
    previous.close();
    var copies = new NDList(arrays.size());
    for (NDArray array : arrays) {
      copies.add(scope.create(array.toFloatArray(), array.getShape()));
    }
    return copies;
  }
}
