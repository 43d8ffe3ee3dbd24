package dev.tuneloop.inference.serving;

import dev.tuneloop.inference.InferenceConfig;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A chat request's way through the service: check it, pin its adapter (lease), render its prompt,
 * queue it, generate it in a batch with whatever else waits, measure. Transport-free, so it is
 * tested without gRPC; {@link InferenceEndpoint} is the thin gRPC face.
 */
public final class ChatService implements AutoCloseable {
  private final AdapterRegistry<ServedAdapter> adapters;
  private final GenerationScheduler<Job, Result> scheduler;
  private final ChatEngine engine;
  private final Timer timeToFirstToken;
  private final Counter generatedTokens;
  private final DistributionSummary tokensPerSecond;
  private final Counter cancelledWhileGenerating;

  /**
   * @param concurrency batches decoding at once
   * @param maxBatchSize generations decoded together at most
   * @param queueCapacity generations waiting at most before requests are refused
   */
  private final int maxTokens;

  public ChatService(
      AdapterRegistry<ServedAdapter> adapters,
      ChatEngine engine,
      int concurrency,
      int maxBatchSize,
      int queueCapacity,
      MeterRegistry meters) {
    this(
        adapters,
        engine,
        concurrency,
        maxBatchSize,
        queueCapacity,
        InferenceConfig.DEFAULT_MAX_TOKENS,
        meters);
  }

  /**
   * @param maxTokens the most tokens a request may ask for ({@code tuneloop.inference.max-tokens})
   */
  public ChatService(
      AdapterRegistry<ServedAdapter> adapters,
      ChatEngine engine,
      int concurrency,
      int maxBatchSize,
      int queueCapacity,
      int maxTokens,
      MeterRegistry meters) {
    this.maxTokens = maxTokens;
    this.adapters = adapters;
    this.engine = engine;
    this.timeToFirstToken =
        Timer.builder("tuneloop.inference.time.to.first.token")
            .description("from request arrival to the first generated text")
            .publishPercentiles(0.5, 0.95)
            .register(meters);
    this.generatedTokens =
        Counter.builder("tuneloop.inference.tokens.generated")
            .description("completion tokens generated (its rate is tokens/s)")
            .register(meters);
    this.tokensPerSecond =
        DistributionSummary.builder("tuneloop.inference.tokens.per.second")
            .description("decode speed of each request, completion tokens / generation time")
            .publishPercentiles(0.5)
            .register(meters);
    this.cancelledWhileGenerating =
        Counter.builder("tuneloop.inference.cancelled")
            .tag("stage", "generating")
            .description("generations cancelled (client gone, deadline) before or while decoding")
            .register(meters);
    Gauge.builder("tuneloop.inference.adapters.resident", adapters, AdapterRegistry::residentCount)
        .description("adapters loaded in memory")
        .register(meters);
    this.scheduler =
        new GenerationScheduler<>(
            concurrency,
            maxBatchSize,
            queueCapacity,
            this::runBatch,
            ChatService::cancelledWhileQueued,
            meters);
  }

  /**
   * Checks the request, pins its adapter and renders its prompt; bad requests, unknown adapters and
   * prompts that do not fit fail here, before anything is queued. Then {@link Prepared#submit}
   * queues it.
   */
  public Prepared prepare(ChatRequest request) {
    validate(request);
    int asked = request.getSampling().getMaxTokens();
    if (asked > maxTokens) {
      throw new IllegalArgumentException(
          "sampling.max_tokens: "
              + asked
              + " is over this server's limit of "
              + maxTokens
              + " (setting tuneloop.inference.max-tokens)");
    }
    AdapterRegistry.Acquired<ServedAdapter> adapter =
        adapters.acquire(request.getTenant(), request.getAdapter());
    try {
      String template = adapter.adapter() == null ? "" : adapter.adapter().chatTemplate();
      Prompt prompt = engine.prepare(request.getMessagesList(), template, request.getSampling());
      return new Prepared(prompt, adapter, System.nanoTime());
    } catch (RuntimeException e) {
      adapter.close();
      throw e;
    }
  }

  /** Prepares and queues in one go. */
  public CompletableFuture<Result> chat(
      ChatRequest request, ChatEngine.TextListener onText, BooleanSupplier cancelled) {
    return prepare(request).submit(onText, cancelled);
  }

  public int queueDepth() {
    return scheduler.queueDepth();
  }

  @Override
  public void close() {
    scheduler.close();
  }

  /** A checked request holding its adapter lease until its generation ends. */
  public final class Prepared {
    private final Prompt prompt;
    private final AdapterRegistry.Acquired<ServedAdapter> adapter;
    private final long arrived;

    private Prepared(Prompt prompt, AdapterRegistry.Acquired<ServedAdapter> adapter, long arrived) {
      this.prompt = prompt;
      this.adapter = adapter;
      this.arrived = arrived;
    }

    /** The adapter version that will answer ("" for the base model). */
    public String adapterVersion() {
      return adapter.version();
    }

    /**
     * The alias the request was resolved through ("production" for a plain name; "" for a pinned
     * version or the base model).
     */
    public String adapterAlias() {
      return adapter.alias();
    }

    /**
     * Queues the generation; the future completes with its outcome (also when cancelled) or fails
     * with the reason (e.g. {@link GenerationScheduler.QueueFullException}, thrown at once).
     */
    public CompletableFuture<Result> submit(
        ChatEngine.TextListener onText, BooleanSupplier cancelled) {
      try {
        return scheduler.submit(new Job(this, onText, cancelled), cancelled);
      } catch (RuntimeException e) {
        adapter.close();
        throw e;
      }
    }
  }

  /** A queued generation. */
  private record Job(
      Prepared prepared, ChatEngine.TextListener onText, BooleanSupplier cancelled) {}

  /**
   * A request cancelled while queued (the scheduler never hands it to a batch): it ends with an
   * empty cancelled outcome and lets go of its adapter.
   */
  private static void cancelledWhileQueued(GenerationScheduler.Pending<Job, Result> pending) {
    Prepared prepared = pending.item().prepared();
    prepared.adapter.close();
    pending.complete(
        new Result(
            new ChatEngine.Outcome("", FinishReason.FINISH_REASON_STOP, 0, 0, true),
            prepared.adapterVersion(),
            prepared.adapterAlias()));
  }

  /** Generates one batch; every lease is released at the end. */
  private void runBatch(List<GenerationScheduler.Pending<Job, Result>> batch) {
    try {
      generate(batch);
    } finally {
      batch.forEach(p -> p.item().prepared().adapter.close());
    }
  }

  private void generate(List<GenerationScheduler.Pending<Job, Result>> batch) {
    List<ChatEngine.Generation> generations = new ArrayList<>(batch.size());
    for (var pending : batch) {
      Job job = pending.item();
      Prepared prepared = job.prepared();
      ServedAdapter served = prepared.adapter.adapter();
      boolean[] first = {true};
      generations.add(
          new ChatEngine.Generation(
              prepared.prompt,
              served == null ? 0 : served.slot(),
              piece -> {
                if (first[0]) {
                  first[0] = false;
                  timeToFirstToken.record(Duration.ofNanos(System.nanoTime() - prepared.arrived));
                }
                job.onText().onText(piece);
              },
              job.cancelled()));
    }
    long started = System.nanoTime();
    List<ChatEngine.Outcome> outcomes = engine.generate(generations);
    double seconds = (System.nanoTime() - started) / 1e9;
    for (int i = 0; i < batch.size(); i++) {
      ChatEngine.Outcome outcome = outcomes.get(i);
      generatedTokens.increment(outcome.completionTokens());
      if (outcome.cancelled()) {
        cancelledWhileGenerating.increment();
      }
      if (outcome.completionTokens() > 0 && seconds > 0) {
        tokensPerSecond.record(outcome.completionTokens() / seconds);
      }
      Prepared prepared = batch.get(i).item().prepared();
      batch
          .get(i)
          .complete(new Result(outcome, prepared.adapterVersion(), prepared.adapterAlias()));
    }
  }

  static void validate(ChatRequest request) {
    if (request.getMessagesCount() == 0) {
      throw new IllegalArgumentException("messages: at least one message is required");
    }
    for (int i = 0; i < request.getMessagesCount(); i++) {
      ChatMessage m = request.getMessages(i);
      if (m.getRole() == Role.ROLE_UNSPECIFIED || m.getRole() == Role.UNRECOGNIZED) {
        throw new IllegalArgumentException(
            "messages[" + i + "].role must be system, user or assistant");
      }
    }
    var s = request.getSampling();
    if (s.getTemperature() < 0
        || s.getTopP() < 0
        || s.getTopP() > 1
        || s.getTopK() < 0
        || s.getMaxTokens() < 0
        || s.getRepetitionPenalty() < 0) {
      throw new IllegalArgumentException(
          "sampling: temperature, top_k, max_tokens and repetition_penalty must "
              + "not be negative and top_p must be within [0, 1]; got "
              + s.toString().replace('\n', ' ').strip());
    }
  }

  /**
   * The outcome, the adapter version that produced it ("" for the base model) and the alias the
   * request was resolved through ("" for a pinned version or the base model).
   */
  public record Result(ChatEngine.Outcome outcome, String adapterVersion, String adapterAlias) {}
}
