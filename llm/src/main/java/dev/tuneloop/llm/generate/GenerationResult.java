package dev.tuneloop.llm.generate;

/**
 * @param text the generated text (without the prompt, cut before any stop sequence)
 * @param tokens the generated token ids (including an EOS that ended generation)
 * @param finishReason why it ended
 * @param usage prompt and completion token counts
 */
public record GenerationResult(String text, int[] tokens, FinishReason finishReason, Usage usage) {}
