package dev.tuneloop.inference.serving;

import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.SamplingParams;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Runs one chat generation on the base model, optionally through an adapter. */
public interface ChatEngine {

    /**
     * @param chatTemplate the template the adapter was trained with, or empty for the model's default
     * @param adapter      null for the base model
     * @param onText       receives the answer's text piece by piece, as generated
     * @param cancelled    polled per token; true stops generation
     */
    Outcome generate(List<ChatMessage> messages, String chatTemplate, SamplingParams params, LoraAdapter adapter,
                     TextListener onText, BooleanSupplier cancelled);

    /** Pieces of the answer, in order; their concatenation is the answer's text. */
    @FunctionalInterface
    interface TextListener {
        void onText(String piece);
    }

    /** How a generation ended. {@code cancelled}: the client went away before the end. */
    record Outcome(String text, FinishReason finishReason, int promptTokens, int completionTokens, boolean cancelled) {
    }
}
