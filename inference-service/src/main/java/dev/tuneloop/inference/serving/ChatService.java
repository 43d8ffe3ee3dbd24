package dev.tuneloop.inference.serving;

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
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A chat request's way through the service: check it, pin its adapter (lease), queue it, generate, measure.
 * Transport-free, so it is tested without gRPC; {@link InferenceEndpoint} is the thin gRPC face.
 */
public final class ChatService {
    private final AdapterRegistry<ServedAdapter> adapters;
    private final GenerationScheduler scheduler;
    private final ChatEngine engine;
    private final Timer timeToFirstToken;
    private final Counter generatedTokens;
    private final DistributionSummary tokensPerSecond;

    public ChatService(AdapterRegistry<ServedAdapter> adapters, GenerationScheduler scheduler, ChatEngine engine,
                       MeterRegistry meters) {
        this.adapters = adapters;
        this.scheduler = scheduler;
        this.engine = engine;
        this.timeToFirstToken = Timer.builder("tuneloop.inference.time.to.first.token")
                .description("from request arrival to the first generated text")
                .publishPercentiles(0.5, 0.95).register(meters);
        this.generatedTokens = Counter.builder("tuneloop.inference.tokens.generated")
                .description("completion tokens generated (its rate is tokens/s)").register(meters);
        this.tokensPerSecond = DistributionSummary.builder("tuneloop.inference.tokens.per.second")
                .description("decode speed of each request, completion tokens / generation time")
                .publishPercentiles(0.5).register(meters);
        Gauge.builder("tuneloop.inference.adapters.resident", adapters, AdapterRegistry::residentCount)
                .description("adapters loaded in memory").register(meters);
    }

    /**
     * Checks the request and pins its adapter; bad requests and unknown adapters fail here, before anything is
     * queued. Then {@link Prepared#submit} queues it.
     */
    public Prepared prepare(ChatRequest request) {
        validate(request);
        return new Prepared(request, adapters.acquire(request.getTenant(), request.getAdapter()), System.nanoTime());
    }

    /** Prepares and queues in one go. */
    public CompletableFuture<Result> chat(ChatRequest request, ChatEngine.TextListener onText, BooleanSupplier cancelled) {
        return prepare(request).submit(onText, cancelled);
    }

    /** A checked request holding its adapter lease until its generation ends. */
    public final class Prepared {
        private final ChatRequest request;
        private final AdapterRegistry.Acquired<ServedAdapter> adapter;
        private final long arrived;

        private Prepared(ChatRequest request, AdapterRegistry.Acquired<ServedAdapter> adapter, long arrived) {
            this.request = request;
            this.adapter = adapter;
            this.arrived = arrived;
        }

        /** The adapter version that will answer ("" for the base model). */
        public String adapterVersion() {
            return adapter.version();
        }

        /**
         * Queues the generation; the future completes with its outcome (also when cancelled) or fails with the
         * reason (e.g. {@link GenerationScheduler.QueueFullException}, thrown at once).
         */
        public CompletableFuture<Result> submit(ChatEngine.TextListener onText, BooleanSupplier cancelled) {
            String template = adapter.adapter() == null ? "" : adapter.adapter().chatTemplate();
            try {
                return scheduler.submit(() -> {
                    try (adapter) {
                        return run(request, template, adapter, onText, cancelled, arrived);
                    }
                });
            } catch (RuntimeException e) {
                adapter.close();
                throw e;
            }
        }
    }

    private Result run(ChatRequest request, String template, AdapterRegistry.Acquired<ServedAdapter> adapter,
                       ChatEngine.TextListener onText, BooleanSupplier cancelled, long arrived) {
        if (cancelled.getAsBoolean()) {
            return new Result(new ChatEngine.Outcome("", FinishReason.FINISH_REASON_STOP, 0, 0, true),
                    adapter.version());
        }
        long started = System.nanoTime();
        boolean[] first = {true};
        ChatEngine.Outcome outcome = engine.generate(request.getMessagesList(), template, request.getSampling(),
                adapter.adapter() == null ? null : adapter.adapter().lora(), piece -> {
                    if (first[0]) {
                        first[0] = false;
                        timeToFirstToken.record(Duration.ofNanos(System.nanoTime() - arrived));
                    }
                    onText.onText(piece);
                }, cancelled);
        double seconds = (System.nanoTime() - started) / 1e9;
        generatedTokens.increment(outcome.completionTokens());
        if (outcome.completionTokens() > 0 && seconds > 0) {
            tokensPerSecond.record(outcome.completionTokens() / seconds);
        }
        return new Result(outcome, adapter.version());
    }

    static void validate(ChatRequest request) {
        if (request.getMessagesCount() == 0) {
            throw new IllegalArgumentException("messages: at least one message is required");
        }
        for (int i = 0; i < request.getMessagesCount(); i++) {
            ChatMessage m = request.getMessages(i);
            if (m.getRole() == Role.ROLE_UNSPECIFIED || m.getRole() == Role.UNRECOGNIZED) {
                throw new IllegalArgumentException("messages[" + i + "].role must be system, user or assistant");
            }
        }
        var s = request.getSampling();
        if (s.getTemperature() < 0 || s.getTopP() < 0 || s.getTopP() > 1 || s.getTopK() < 0 || s.getMaxTokens() < 0
                || s.getRepetitionPenalty() < 0) {
            throw new IllegalArgumentException("sampling: temperature, top_k, max_tokens and repetition_penalty must "
                    + "not be negative and top_p must be within [0, 1]; got " + s.toString().replace('\n', ' ').strip());
        }
    }

    /** The outcome and the adapter version that produced it ("" for the base model). */
    public record Result(ChatEngine.Outcome outcome, String adapterVersion) {
    }
}
