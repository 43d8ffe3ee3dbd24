package dev.tuneloop.llm.generate;

import java.util.function.BooleanSupplier;

/**
 * One sequence of a {@link BatchGenerator} batch.
 *
 * @param prompt token ids, including BOS if wanted
 * @param params sampling, stop sequences, max tokens, EOS handling; the seed seeds this sequence's
 *     own sampler
 * @param adapterSlot the {@link dev.tuneloop.llm.lora.ResidentAdapters} slot of its adapter (0 =
 *     the base model)
 * @param listener receives this sequence's text as it is released
 * @param cancelled polled before each of its tokens; true ends this sequence (CANCELLED), not the
 *     batch
 */
public record BatchRequest(
    int[] prompt,
    SamplingParams params,
    int adapterSlot,
    TokenListener listener,
    BooleanSupplier cancelled) {

  public BatchRequest {
    if (prompt == null || params == null) {
      throw new IllegalArgumentException("a batch request needs a prompt and sampling params");
    }
    if (adapterSlot < 0) {
      throw new IllegalArgumentException(
          "adapter slot must be >= 0 (0 = base model), was " + adapterSlot);
    }
    listener = listener == null ? TokenListener.NONE : listener;
    cancelled = cancelled == null ? () -> false : cancelled;
  }

  /** The base model, no listener, never cancelled. */
  public static BatchRequest of(int[] prompt, SamplingParams params) {
    return new BatchRequest(prompt, params, 0, TokenListener.NONE, null);
  }

  public BatchRequest withAdapterSlot(int slot) {
    return new BatchRequest(prompt, params, slot, listener, cancelled);
  }

  public BatchRequest withListener(TokenListener tokenListener) {
    return new BatchRequest(prompt, params, adapterSlot, tokenListener, cancelled);
  }

  public BatchRequest withCancellation(BooleanSupplier isCancelled) {
    return new BatchRequest(prompt, params, adapterSlot, listener, isCancelled);
  }
}
