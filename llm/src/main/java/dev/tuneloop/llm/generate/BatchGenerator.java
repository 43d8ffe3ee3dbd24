package dev.tuneloop.llm.generate;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.ResidentAdapters;
import dev.tuneloop.llm.model.DecodeSession;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates for several requests at once in one {@link DecodeSession}: one prefill of the
 * left-padded prompts, then one step per token for the whole batch, each sequence with its own
 * adapter (a {@link ResidentAdapters} slot), sampler, stop sequences, budget and listener. Each
 * sequence decides its tokens exactly as {@link Generator} would alone (the same {@link
 * Continuation} logic); a finished sequence stops emitting and its row rides along until the last
 * one ends. A small model is bound by per-operation dispatch, so a step of B sequences costs about
 * one of a single sequence. Static batching: requests cannot join a running batch. Thread-safe:
 * each call has its own session.
 */
public final class BatchGenerator {
  private final LlamaModel model;
  private final Tokenizer tokenizer;

  public BatchGenerator(LlamaModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  public BatchGenerator(LoadedModel loaded) {
    this(loaded.model(), loaded.tokenizer());
  }

  /**
   * Generates every request's continuation; results are in request order. A sequence shorter than
   * the batch's longest prompt has at most {@code context - longest + 1} tokens (alone it could
   * reach the context's end). Interrupting the thread cancels every sequence; a listener that
   * throws fails the whole batch.
   *
   * @param adapters where the requests' adapter slots point; null when every request uses the base
   *     model (slot 0)
   */
  public List<GenerationResult> generate(List<BatchRequest> requests, ResidentAdapters adapters) {
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one request");
    }
    int n = requests.size();
    int context = model.config().maxSeqLen();
    int[][] prompts = new int[n][];
    int[] slots = new int[n];
    int[] budgets = new int[n];
    int longest = 0;
    for (int i = 0; i < n; i++) {
      BatchRequest request = requests.get(i);
      prompts[i] = request.prompt();
      slots[i] = request.adapterSlot();
      budgets[i] = Continuation.budget(request.prompt(), request.params(), context);
      longest = Math.max(longest, request.prompt().length);
    }
    int sessionLength = longest;
    List<Continuation> continuations = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int budget = Math.min(budgets[i], context - longest + 1); // the last token is never fed back
      sessionLength = Math.max(sessionLength, longest + budget - 1);
      BatchRequest request = requests.get(i);
      continuations.add(
          new Continuation(
              request.prompt(), request.params(), budget, tokenizer, request.listener()));
    }
    ResidentAdapters.Selection selection = select(adapters, slots); // null: the base model
    try (selection;
        DecodeSession session =
            model.newSession(n, sessionLength, selection == null ? LoraSet.NONE : selection)) {
      decode(requests, continuations, session, prompts);
    }
    return continuations.stream().map(Continuation::finish).toList();
  }

  private static void decode(
      List<BatchRequest> requests,
      List<Continuation> continuations,
      DecodeSession session,
      int[][] prompts) {
    float[][] logits = session.prefill(prompts);
    int[] next = new int[prompts.length];
    while (true) {
      boolean interrupted = Thread.currentThread().isInterrupted();
      int live = 0;
      for (int i = 0; i < next.length; i++) {
        Continuation c = continuations.get(i);
        if (c.done()) {
          continue; // its row repeats its last token; the logits are ignored
        }
        if (interrupted || requests.get(i).cancelled().getAsBoolean()) {
          c.cancel();
        } else {
          next[i] = c.advance(logits[i]);
        }
        if (c.done()) {
          c.finish(); // releases held-back text now, not when the batch ends
        } else {
          live++;
        }
      }
      if (live == 0) {
        return;
      }
      logits = session.step(next);
    }
  }

  private static ResidentAdapters.Selection select(ResidentAdapters adapters, int[] slots) {
    if (adapters != null) {
      return adapters.select(slots);
    }
    for (int slot : slots) {
      if (slot != 0) {
        throw new IllegalArgumentException(
            "adapter slot " + slot + " requested but no resident adapters given");
      }
    }
    return null;
  }
}
