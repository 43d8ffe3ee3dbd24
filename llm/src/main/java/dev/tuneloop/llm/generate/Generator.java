package dev.tuneloop.llm.generate;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.model.DecodeSession;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.tokenizer.StreamingDecoder;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Generates a continuation of one prompt: prefill, then one token at a time through a {@link DecodeSession}, with
 * repetition penalty, sampling, EOS, stop sequences and a token budget; streams text to a listener. Thread-safe:
 * each call has its own session.
 */
public final class Generator {
    private final LlamaModel model;
    private final Tokenizer tokenizer;

    public Generator(LlamaModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public Generator(LoadedModel loaded) {
        this(loaded.model(), loaded.tokenizer());
    }

    /** Encodes {@code prompt} (with BOS when the model's sequences start with it) and generates. */
    public GenerationResult generate(String prompt, SamplingParams params, LoraSet adapter, TokenListener listener) {
        int[] ids = tokenizer.encode(prompt);
        if (tokenizer.addsBos()) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = tokenizer.bosId();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            ids = withBos;
        }
        return generate(ids, params, adapter, listener);
    }

    /**
     * Generates after {@code prompt} (token ids, including BOS if wanted).
     *
     * @param adapter  LoraSet.NONE for the base model, or an adapter
     * @param listener receives text as it is released; use TokenListener.NONE to ignore
     */
    public GenerationResult generate(int[] prompt, SamplingParams params, LoraSet adapter, TokenListener listener) {
        int context = model.config().maxSeqLen();
        if (prompt.length == 0 || prompt.length >= context) {
            throw new IllegalArgumentException("prompt has " + prompt.length + " tokens; it must have 1 to "
                    + (context - 1) + " for this model's context of " + context);
        }
        int budget = Math.min(params.maxTokens(), context - prompt.length);
        Sampler sampler = Sampler.of(params);
        StopMatcher stops = new StopMatcher(params.stop());
        StreamingDecoder decoder = tokenizer.streamingDecoder(prompt);
        int[] sequence = Arrays.copyOf(prompt, prompt.length + budget);
        int generated = 0;
        FinishReason reason = FinishReason.LENGTH;
        try (DecodeSession session = model.newSession(1, prompt.length + budget, adapter)) {
            float[] logits = session.prefill(new int[][] {prompt})[0];
            while (generated < budget) {
                if (Thread.currentThread().isInterrupted()) {
                    reason = FinishReason.CANCELLED;
                    break;
                }
                penalize(logits, sequence, prompt.length + generated, params.repetitionPenalty());
                int next = sampler.sample(logits);
                sequence[prompt.length + generated++] = next;
                if (params.stopAtEos() && endsSequence(next)) {
                    listener.onToken(next, "");
                    reason = FinishReason.EOS;
                    break;
                }
                String released = stops.append(decoder.push(next));
                listener.onToken(next, released);
                if (stops.stopped()) {
                    reason = FinishReason.STOP_SEQUENCE;
                    break;
                }
                if (generated < budget) {
                    logits = session.step(next)[0];
                }
            }
        }
        if (!stops.stopped()) {
            String rest = stops.finish(decoder.finish());
            if (!rest.isEmpty()) {
                listener.onToken(-1, rest);
            }
        }
        int[] tokens = Arrays.copyOfRange(sequence, prompt.length, prompt.length + generated);
        return new GenerationResult(stops.text(), tokens, reason, new Usage(prompt.length, generated));
    }

    /** EOS, or a generated BOS: llama2.c models separate stories with BOS and never emit EOS. */
    private boolean endsSequence(int token) {
        return token == tokenizer.eosId() || token == tokenizer.bosId();
    }

    /** CTRL-style repetition penalty over every token seen so far (prompt and generated). */
    static void penalize(float[] logits, int[] sequence, int length, float penalty) {
        if (penalty == 1f) {
            return;
        }
        boolean[] seen = new boolean[logits.length];
        for (int i = 0; i < length; i++) {
            int id = sequence[i];
            if (id >= 0 && id < logits.length && !seen[id]) {
                seen[id] = true;
                logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
            }
        }
    }
}
