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
import java.util.Optional;

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
    try (NDManager runScope = manager.newSubManager();
        AdamW optimizer = AdamW.of(params, config)) {
      var run = new Run(totalSteps(), optimizer, runScope);
      run.resume(checkpoints.latest());
      run.evaluateUntrained();
      TrainingResult.Outcome outcome = run.train(stop);
      if (outcome == TrainingResult.Outcome.INTERRUPTED) {
        run.checkpoint(); // the next worker resumes from here
      } else {
        run.restoreBest();
      }
      return run.result(outcome);
    }
  }

  /**
   * The state of one {@link #run}: where the data and the optimizer stand, the curves so far and
   * the best-eval copy of the parameters. Exactly what a checkpoint saves ({@link TrainerState}
   * plus tensors), so a resumed run continues it bit for bit.
   */
  private final class Run {

    private final long totalSteps;
    private final LrSchedule schedule;
    private final List<Batch> evalBatches;
    private final AdamW optimizer;
    private final NDManager scope; // owns the best-eval copy for the whole run

    private long step;
    private long tokensSeen;
    private int skippedSteps;
    private EarlyStopping early;
    private final List<CurvePoint> lossCurve = new ArrayList<>();
    private final List<CurvePoint> evalCurve = new ArrayList<>();
    private NDList best = new NDList();
    private double initialEval = Double.NaN;
    private BatchStream stream;
    private StepClock clock;

    Run(long totalSteps, AdamW optimizer, NDManager scope) {
      this.totalSteps = totalSteps;
      this.schedule = LrSchedule.of(config, totalSteps);
      this.evalBatches = batcher.evaluation(data.eval());
      this.optimizer = optimizer;
      this.scope = scope;
    }

    /** Starts afresh, or where the saved checkpoint stopped (parameters and optimizer included). */
    void resume(Optional<Checkpoint> saved) {
      TrainerState state = TrainerState.initial(config.earlyStoppingPatience());
      if (saved.isPresent()) {
        state = saved.get().state();
        best = CheckpointCodec.decode(saved.get(), params, optimizer, scope);
      }
      step = state.step();
      tokensSeen = state.tokensSeen();
      skippedSteps = state.skippedSteps();
      early = state.earlyStopping();
      lossCurve.addAll(state.lossCurve());
      evalCurve.addAll(state.evalCurve());
      stream = new BatchStream(batcher, data.train(), state.epoch(), state.nextBatch());
    }

    /** The eval loss before any training: the baseline every later evaluation is compared with. */
    void evaluateUntrained() {
      if (step == 0 && evalCurve.isEmpty() && !evalBatches.isEmpty()) {
        double loss = evaluate(evalBatches);
        evalCurve.add(new CurvePoint(0, loss));
        listener.onEvaluation(0, loss, false);
      }
      initialEval = evalCurve.isEmpty() ? Double.NaN : evalCurve.getFirst().value();
    }

    /** Optimizer steps until the last one, an early stop, or a stop signal. */
    TrainingResult.Outcome train(StopSignal stop) throws IOException {
      clock = new StepClock(totalSteps, step);
      while (step < totalSteps && !early.shouldStop()) {
        StopSignal.Reason reason = stop.reason();
        if (reason != StopSignal.Reason.NONE) {
          return reason == StopSignal.Reason.CANCEL
              ? TrainingResult.Outcome.CANCELLED
              : TrainingResult.Outcome.INTERRUPTED;
        }
        double lr = schedule.at(step);
        StepOutcome result = trainStep(stream, optimizer, lr, step);
        step++;
        tokensSeen += result.tokens();
        skippedSteps += result.skipped() ? 1 : 0;
        lossCurve.add(new CurvePoint(step, result.loss()));
        clock.stepDone(result.tokens());
        double evalLoss = evaluateIfDue();
        listener.onStep(
            new Progress(
                step,
                totalSteps,
                stream.progress(),
                result.loss(),
                evalLoss,
                lr,
                result.gradNorm(),
                clock.tokensPerSecond(),
                clock.etaSeconds()));
        if (step % config.checkpointSteps() == 0 && step < totalSteps) {
          checkpoint();
        }
      }
      return TrainingResult.Outcome.COMPLETED;
    }

    /**
     * Evaluates every eval_steps and at the last step, keeping a copy of the parameters when they
     * improved; returns the latest eval loss (NaN before the first).
     */
    private double evaluateIfDue() {
      if (!evalBatches.isEmpty() && (step % config.evalSteps() == 0 || step == totalSteps)) {
        double loss = evaluate(evalBatches);
        evalCurve.add(new CurvePoint(step, loss));
        early = early.observe(loss, step);
        boolean improved = early.improvedAt(step);
        if (improved) {
          best = copyOf(params, scope, best);
        }
        listener.onEvaluation(step, loss, improved);
      }
      return lastValue(evalCurve);
    }

    void checkpoint() throws IOException {
      var state =
          new TrainerState(
              step,
              stream.epoch(),
              stream.next(),
              tokensSeen,
              early,
              lossCurve,
              evalCurve,
              skippedSteps,
              !best.isEmpty());
      checkpoints.save(CheckpointCodec.encode(state, params, optimizer, best));
      listener.onCheckpoint(step);
    }

    /** Best-checkpoint selection: the parameters of the best evaluation, when there was one. */
    void restoreBest() {
      for (int i = 0; i < best.size(); i++) {
        Tensors.copyInto(params.get(i), best.get(i).toFloatArray());
      }
    }

    TrainingResult result(TrainingResult.Outcome outcome) {
      double bestEval = evalCurve.isEmpty() ? Double.NaN : early.bestLoss();
      if (early.bestStep() < 0 && !evalCurve.isEmpty()) {
        bestEval = lastValue(evalCurve);
      }
      var warnings = new ArrayList<>(data.warnings());
      if (skippedSteps > 0) {
        warnings.add(
            skippedSteps
                + " optimizer steps were skipped because the gradient was not finite; lower"
                + " learning_rate if this repeats");
      }
      return new TrainingResult(
          outcome,
          step,
          totalSteps,
          early.shouldStop(),
          lastValue(lossCurve),
          initialEval,
          bestEval,
          early.bestStep(),
          tokensSeen,
          clock.tokensPerSecond(),
          lossCurve,
          evalCurve,
          warnings);
    }
  }

  private static double lastValue(List<CurvePoint> curve) {
    return curve.isEmpty() ? Double.NaN : curve.getLast().value();
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
